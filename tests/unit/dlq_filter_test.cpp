#include <gtest/gtest.h>

#include <stdexcept>

#include "dlq/filter.h"
#include "dlq_test_records.h"

using dlq_test::Spec;
using pipeline::ErrorClass;

TEST(DlqFilter, EmptyFilterMatchesEverything) {
  dlq::Filter f;
  EXPECT_TRUE(f.empty());
  EXPECT_TRUE(f.matches(dlq_test::record(Spec{})));
  auto src = dlq_test::source_record(Spec{});
  src.headers.clear();
  EXPECT_TRUE(f.matches(dlq::to_dlq_record(src)));
}

TEST(DlqFilter, ByClass) {
  dlq::Filter f;
  f.classes = {ErrorClass::validation, ErrorClass::deserialization};
  Spec s;
  EXPECT_FALSE(f.matches(dlq_test::record(s)));
  s.error_class = ErrorClass::validation;
  EXPECT_TRUE(f.matches(dlq_test::record(s)));
  auto src = dlq_test::source_record(s);
  src.headers.clear();
  EXPECT_FALSE(f.matches(dlq::to_dlq_record(src))) << "unreadable headers match no class";
}

TEST(DlqFilter, SinceIsInclusive) {
  dlq::Filter f;
  Spec s;
  f.since_ms = s.failed_at_ms;
  EXPECT_TRUE(f.matches(dlq_test::record(s)));
  f.since_ms = s.failed_at_ms + 1;
  EXPECT_FALSE(f.matches(dlq_test::record(s)));
}

TEST(DlqFilter, ByOrderId) {
  dlq::Filter f;
  f.order_ids = {"ORD-1", "ORD-9"};
  Spec s;
  EXPECT_TRUE(f.matches(dlq_test::record(s)));
  s.order = orders::Order{"ORD-2", "Mouse", 1.0f};
  EXPECT_FALSE(f.matches(dlq_test::record(s)));
  s.raw_value = "garbage";
  EXPECT_FALSE(f.matches(dlq_test::record(s)));
}

TEST(DlqFilter, AllCriteriaMustHold) {
  dlq::Filter f;
  f.classes = {ErrorClass::processing};
  f.order_ids = {"ORD-1"};
  Spec s;
  f.since_ms = s.failed_at_ms - 1;
  EXPECT_TRUE(f.matches(dlq_test::record(s)));
  s.error_class = ErrorClass::validation;
  EXPECT_FALSE(f.matches(dlq_test::record(s)));
}

TEST(DlqFilter, ParsesClassLists) {
  EXPECT_EQ(dlq::parse_error_classes("processing"), std::set<ErrorClass>{ErrorClass::processing});
  EXPECT_EQ(dlq::parse_error_classes("validation,processing"),
            (std::set<ErrorClass>{ErrorClass::validation, ErrorClass::processing}));
  EXPECT_THROW(dlq::parse_error_classes("bogus"), std::invalid_argument);
  EXPECT_THROW(dlq::parse_error_classes("processing,"), std::invalid_argument);
  EXPECT_THROW(dlq::parse_error_classes(""), std::invalid_argument);
}
