#pragma once
// What `--http` serves, independent of the HTTP library: a Site answers GET requests by path
// from the latest snapshot its subcommand published. The HTTP server (src/http) only carries the
// bytes; everything here is plain C++, unit-tested without sockets.
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace observe {

struct Response {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  // Into `owner` (a rendered page, shared by every request of one snapshot) or into the binary
  // (an embedded asset, no owner). A copy of the Response keeps it valid.
  std::string_view body;
  std::shared_ptr<const std::string> owner;
};

class Site {
 public:
  virtual ~Site() = default;
  // Called from the server's threads, concurrently; read-only.
  virtual Response get(std::string_view path) const = 0;
};

// The latest immutable snapshot: the producing loop swaps in a new one, readers keep the one
// they took for as long as they render it. The lock covers a pointer swap only.
template <class Snapshot>
class Latest {
 public:
  Latest() : current_(std::make_shared<const Snapshot>()) {}
  void publish(std::shared_ptr<const Snapshot> s) {
    std::lock_guard lock(mu_);
    current_.swap(s);
  }  // the old one is released outside the lock, when `s` goes
  std::shared_ptr<const Snapshot> get() const {
    std::lock_guard lock(mu_);
    return current_;
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const Snapshot> current_;
};

Response not_found();
Response text(int status, std::string body);
Response page(std::string content_type, std::shared_ptr<const std::string> body);
// "/" -> the page `index` (an embedded asset); "/static/<name>" -> that asset; "/healthz" -> ok.
// False when the path is none of those.
bool serve_common(std::string_view path, std::string_view index, Response& out);

}  // namespace observe
