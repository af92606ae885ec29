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

TEST(DlqFilter, ParsesTheSpecAsWritten) {
  dlq::FilterSpec spec;
  spec.error_classes = {"validation", "processing,validation"};
  spec.since = "10m";
  spec.order_ids = {"ORD-1", "ORD-2", "ORD-1"};
  const auto f = dlq::parse_filter(spec, 1'000'000);
  EXPECT_EQ(f.classes, (std::set{ErrorClass::validation, ErrorClass::processing}));
  EXPECT_EQ(f.since_ms, 1'000'000 - 600'000);
  EXPECT_EQ(f.order_ids, (std::set<std::string>{"ORD-1", "ORD-2"}));
  EXPECT_TRUE(dlq::parse_filter({}, 0).empty());
  spec.since = "yesterday";
  EXPECT_THROW(dlq::parse_filter(spec, 0), std::invalid_argument);
}

TEST(DlqFilter, DescribesTheScope) {
  EXPECT_EQ(dlq::describe_scope("orders-dlq", {}), "orders-dlq");
  dlq::Filter f;
  f.classes = {ErrorClass::processing, ErrorClass::validation};
  f.since_ms = 1714521600000;  // 2024-05-01
  f.order_ids = {"ORD-1"};
  EXPECT_EQ(dlq::describe_scope("dlq", f),
            "dlq (class validation,processing, since 2024-05-01T00:00:00.000Z, orderId ORD-1)");
  f = {};
  f.order_ids = {"ORD-1", "ORD-2"};
  EXPECT_EQ(dlq::describe_scope("dlq", f), "dlq (2 orderIds)");
}
