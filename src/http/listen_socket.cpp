#include "http/listen_socket.h"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace http {
namespace {

constexpr int kBacklog = 64;

bool loopback(const sockaddr_storage& a) {
  if (a.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(a);
    return (ntohl(v4.sin_addr.s_addr) >> 24) == 127;
  }
  const auto& v6 = reinterpret_cast<const sockaddr_in6&>(a);
  return IN6_IS_ADDR_LOOPBACK(&v6.sin6_addr) ||
         (IN6_IS_ADDR_V4MAPPED(&v6.sin6_addr) && v6.sin6_addr.s6_addr[12] == 127);
}

// One address: the socket listening on it, or the errno of the step that failed.
int try_listen(const addrinfo& ai, Fd& out) {
  Fd fd(::socket(ai.ai_family, ai.ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai.ai_protocol));
  if (fd.get() < 0) return errno;
  const int on = 1;
  // A restart binds again at once while the last run's connections are in TIME_WAIT (a port
  // another socket listens on still fails).
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  if (::bind(fd.get(), ai.ai_addr, ai.ai_addrlen) != 0 || ::listen(fd.get(), kBacklog) != 0) {
    return errno;
  }
  out = std::move(fd);
  return 0;
}

}  // namespace

Fd::~Fd() {
  if (fd_ >= 0) ::close(fd_);
}

Listening listen_on(const observe::ListenAddress& at) {
  const auto fail = [&](const std::string& why) {
    return std::runtime_error("cannot listen on " + at.to_string() + " (--http): " + why);
  };
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(at.port);
  if (const int rc = ::getaddrinfo(at.host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    throw fail(::gai_strerror(rc));
  }
  Listening l;
  int err = 0;
  for (const addrinfo* ai = found; ai && l.fd.get() < 0; ai = ai->ai_next)
    err = try_listen(*ai, l.fd);
  ::freeaddrinfo(found);
  if (l.fd.get() < 0) throw fail(std::strerror(err ? err : EADDRNOTAVAIL));
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  char ip[NI_MAXHOST] = {};
  char serv[NI_MAXSERV] = {};
  if (::getsockname(l.fd.get(), reinterpret_cast<sockaddr*>(&bound), &len) != 0 ||
      ::getnameinfo(reinterpret_cast<sockaddr*>(&bound), len, ip, sizeof ip, serv, sizeof serv,
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
    throw fail(std::strerror(errno));
  }
  l.ip = ip;
  l.port = std::atoi(serv);
  l.ipv6 = bound.ss_family == AF_INET6;
  l.loopback = loopback(bound);
  return l;
}

}  // namespace http
