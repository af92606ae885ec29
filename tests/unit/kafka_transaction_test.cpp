// The pure decisions of src/kafka/transaction.h: is a producer fenced, is a failed
// init_transactions worth calling again.
#include <gtest/gtest.h>

#include "kafka/error.h"
#include "kafka/transaction.h"

namespace {

using kafka::Error;

TEST(Fencing, DecidedByCode) {
  EXPECT_TRUE(kafka::producer_fenced(Error::from_code(kafka::ERR__FENCED)));
  EXPECT_TRUE(kafka::producer_fenced(Error::from_code(kafka::ERR_PRODUCER_FENCED)));
  EXPECT_TRUE(kafka::producer_fenced(Error::from_code(kafka::ERR_INVALID_PRODUCER_EPOCH)));
  EXPECT_TRUE(
      kafka::producer_fenced(Error::from_code(kafka::ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED)));
  EXPECT_TRUE(kafka::is_fencing(Error::from_code(kafka::ERR__FENCED, "no word of it here")));
}

TEST(Fencing, ByTextOnlyWhenTheCodeSaysNothing) {
  // A fatal error seen through a failed delivery or the event log: ERR__FATAL, the cause in text.
  const Error fatal{kafka::ERR__FATAL, "Producer fenced by newer instance: x", true};
  EXPECT_FALSE(kafka::is_fencing(fatal));
  EXPECT_TRUE(kafka::producer_fenced(fatal));
  EXPECT_TRUE(kafka::producer_fenced(Error{kafka::ERR__FATAL, "Fenced", true}));
  EXPECT_FALSE(kafka::producer_fenced(Error{kafka::ERR__FATAL, "Broker: out of order", true}));
  EXPECT_FALSE(kafka::producer_fenced(Error::from_code(kafka::ERR__TIMED_OUT)));
  EXPECT_FALSE(kafka::producer_fenced(Error{}));
}

TEST(Fencing, EndsTheProducer) {
  EXPECT_TRUE(kafka::ends_producer(Error::from_code(kafka::ERR_PRODUCER_FENCED)));
  EXPECT_TRUE(kafka::ends_producer(Error::from_code(kafka::ERR__FATAL)));
  EXPECT_FALSE(kafka::ends_producer(Error::from_code(kafka::ERR__TIMED_OUT)));
}

TEST(InitTransactions, CalledAgainOnTimeoutsAndRetriableErrorsOnly) {
  EXPECT_TRUE(kafka::init_transactions_again(Error::from_code(kafka::ERR__TIMED_OUT)));
  EXPECT_TRUE(kafka::init_transactions_again(Error::from_code(kafka::ERR_NOT_COORDINATOR)));
  Error retriable = Error::from_code(kafka::ERR__STATE);
  EXPECT_FALSE(kafka::init_transactions_again(retriable));
  retriable.retriable = true;  // librdkafka's own flag on a transactional error
  EXPECT_TRUE(kafka::init_transactions_again(retriable));
  Error fatal_timeout = Error::from_code(kafka::ERR__TIMED_OUT);
  fatal_timeout.fatal = true;
  EXPECT_FALSE(kafka::init_transactions_again(fatal_timeout));
  EXPECT_FALSE(kafka::init_transactions_again(Error::from_code(kafka::ERR__FENCED)));
}

TEST(ErrorCode, SameValuesAsLibrdkafka) {
  // error.cpp checks every one at compile time; the name comes from librdkafka.
  EXPECT_EQ(Error::from_code(kafka::ERR__TIMED_OUT).name(), "Local: Timed out");
  EXPECT_EQ(static_cast<int>(kafka::ERR_UNKNOWN_TOPIC_OR_PART), 3);
}

}  // namespace
