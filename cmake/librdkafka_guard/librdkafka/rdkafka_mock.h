// Found instead of librdkafka's own <librdkafka/rdkafka_mock.h> by every target that links
// orders_kafka (CMakeLists.txt): librdkafka is private to src/kafka. Use kafka::MockCluster.
#error "librdkafka is private to src/kafka (target orders_kafka): use kafka::MockCluster instead"
