#pragma once
// A page rendered once per snapshot, however many requests ask for it: the first request for a
// new snapshot renders, the others (concurrent ones wait for it) share the same body.
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

namespace observe {

template <class Snapshot>
class RenderOnce {
 public:
  using Render = std::function<std::string(const Snapshot&)>;
  explicit RenderOnce(Render render) : render_(std::move(render)) {}

  std::shared_ptr<const std::string> get(const std::shared_ptr<const Snapshot>& s) const {
    std::lock_guard lock(mu_);
    if (!body_ || s != of_) {
      auto body = std::make_shared<const std::string>(render_(*s));
      body_ = std::move(body);
      of_ = s;
      ++renders_;
    }
    return body_;
  }
  std::uint64_t renders() const {
    std::lock_guard lock(mu_);
    return renders_;
  }

 private:
  Render render_;
  mutable std::mutex mu_;
  // Held, not just compared: a freed snapshot's address could be reused by a newer one.
  mutable std::shared_ptr<const Snapshot> of_;
  mutable std::shared_ptr<const std::string> body_;
  mutable std::uint64_t renders_ = 0;
};

}  // namespace observe
