// Found instead of librdkafka's own <librdkafka/rdkafkacpp.h> by every target that links
// orders_kafka (CMakeLists.txt): librdkafka is private to src/kafka. Use the kafka:: types and
// functions.
#error "librdkafka is private to src/kafka (target orders_kafka): use the kafka:: API instead"
