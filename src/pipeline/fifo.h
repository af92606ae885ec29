#pragma once
// A FIFO queue on one contiguous buffer that keeps its capacity: pushing and popping allocate
// nothing in the steady state (std::deque allocates a node per element once elements exceed
// 256 bytes, i.e. per consumed record here). Popped slots are reset at once, so what they held
// is freed; the buffer is compacted when the dead front half is large.
#include <cstddef>
#include <utility>
#include <vector>

namespace pipeline {

template <typename T>
class Fifo {
 public:
  bool empty() const { return head_ == items_.size(); }
  std::size_t size() const { return items_.size() - head_; }
  T& front() { return items_[head_]; }
  const T& front() const { return items_[head_]; }

  void push_back(T item) { items_.push_back(std::move(item)); }
  void pop_front() {
    items_[head_] = T{};
    if (++head_ == items_.size()) {
      items_.clear();
      head_ = 0;
    } else if (head_ >= kCompactAfter && head_ * 2 >= items_.size()) {
      items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
  }

 private:
  static constexpr std::size_t kCompactAfter = 1024;
  std::vector<T> items_;
  std::size_t head_ = 0;
};

}  // namespace pipeline
