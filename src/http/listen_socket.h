#pragma once
// The --http listening socket, made here rather than by libmicrohttpd so that a failure says why
// (address in use, not an address of this host) and port 0 tells the port it got.
#include <string>
#include <utility>

#include "observe/listen_address.h"

namespace http {

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    std::swap(fd_, o.fd_);
    return *this;
  }
  ~Fd();
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

struct Listening {
  Fd fd;
  std::string ip;  // numeric, as bound ("127.0.0.1", "::1", "0.0.0.0")
  int port = 0;
  bool ipv6 = false;
  bool loopback = false;
};

// Resolves `at` (a name or an IP literal) and listens on the first address that works; throws
// std::runtime_error saying why when none does.
Listening listen_on(const observe::ListenAddress& at);

}  // namespace http
