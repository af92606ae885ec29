// Placeholder until the Kafka edge lands.
