#pragma once
// The consumer group's identity, for offsets committed inside a transaction
// (Consumer::group_metadata() → Transaction::commit). Owns librdkafka's object; opaque here.
#include <memory>

namespace RdKafka {
class ConsumerGroupMetadata;
}

namespace kafka {

class GroupMetadata {
 public:
  GroupMetadata();
  explicit GroupMetadata(RdKafka::ConsumerGroupMetadata* owned);
  ~GroupMetadata();
  GroupMetadata(GroupMetadata&&) noexcept;
  GroupMetadata& operator=(GroupMetadata&&) noexcept;

  explicit operator bool() const { return ptr_ != nullptr; }
  const RdKafka::ConsumerGroupMetadata* get() const { return ptr_.get(); }

 private:
  std::unique_ptr<RdKafka::ConsumerGroupMetadata> ptr_;
};

}  // namespace kafka
