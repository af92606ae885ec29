#include "http/server.h"

#include <microhttpd.h>
#include <strings.h>
#include <sys/socket.h>

#include <cstring>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

#include "http/listen_socket.h"
#include "observe/connection_reaper.h"
#include "observe/host_rule.h"

namespace http {
namespace {

using namespace std::chrono_literals;

// Bounds, whatever clients send or withhold (docs/observability.md, "Limits").
constexpr unsigned kConnectionLimit = 64;
constexpr unsigned kPerAddressLimit = 16;  // off on loopback, where every client shares one
constexpr std::size_t kConnectionMemory = 64 * 1024;  // request line + headers, per connection
constexpr unsigned kIdleTimeoutSeconds = 10;          // libmicrohttpd: silent this long, closed
constexpr std::size_t kMaxWaiting = 32;  // waiting for their headers: beyond that, oldest closed
constexpr auto kRequestDeadline = 10s;   // connection open (or previous answer) to answer sent

const char* const kCsp =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'";

int socket_of(MHD_Connection* c) {
  const auto* info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
  return info ? info->connect_fd : -1;
}

// Two Host headers could name two servers: the request is refused rather than guessed at.
int count_hosts(MHD_Connection* c) {
  int n = 0;
  MHD_get_connection_values(
      c, MHD_HEADER_KIND,
      [](void* cls, enum MHD_ValueKind, const char* key, const char*) {
        if (strcasecmp(key, MHD_HTTP_HEADER_HOST) == 0) ++*static_cast<int*>(cls);
        return MHD_YES;
      },
      &n);
  return n;
}

void release_body(void* keep) {
  delete static_cast<std::shared_ptr<const std::string>*>(keep);
}

// The body is shared with the page cache, not copied: the response keeps its owner alive.
MHD_Response* make_response(const observe::Response& r) {
  void* data = const_cast<char*>(r.body.data());
  if (!r.owner) return MHD_create_response_from_buffer(r.body.size(), data, MHD_RESPMEM_PERSISTENT);
  auto* keep = new std::shared_ptr<const std::string>(r.owner);
  MHD_Response* res = MHD_create_response_from_buffer_with_free_callback_cls(r.body.size(), data,
                                                                             release_body, keep);
  if (!res) delete keep;
  return res;
}

enum MHD_Result reply(MHD_Connection* c, const observe::Response& r, bool allow_header = false) {
  MHD_Response* res = make_response(r);
  if (!res) return MHD_NO;  // out of memory: close the connection
  MHD_add_response_header(res, "Content-Type", r.content_type.c_str());
  MHD_add_response_header(res, "Cache-Control", "no-store");
  MHD_add_response_header(res, "X-Content-Type-Options", "nosniff");
  // The pages load only their own scripts and styles, and nothing else.
  MHD_add_response_header(res, "Content-Security-Policy", kCsp);
  if (allow_header) MHD_add_response_header(res, "Allow", "GET, HEAD");
  const enum MHD_Result ok = MHD_queue_response(c, static_cast<unsigned>(r.status), res);
  MHD_destroy_response(res);  // the queued reference keeps it until sent
  return ok;
}

}  // namespace

struct Server::Impl {
  Impl(const observe::Site& s, observe::HostRule r) : site(s), rule(std::move(r)) {}

  const observe::Site& site;
  const observe::HostRule rule;
  std::mutex mu;  // the reaper; libmicrohttpd calls back from its thread
  observe::ConnectionReaper reaper{kMaxWaiting, kRequestDeadline};
  MHD_Daemon* daemon = nullptr;
  int port = 0;

  enum MHD_Result answer(MHD_Connection* c, const char* url, const char* method);
  void on_connection(MHD_Connection* c, enum MHD_ConnectionNotificationCode what);
  void on_completed(MHD_Connection* c, enum MHD_RequestTerminationCode how);
};

// Called once the request line and headers are in. Everything is answered from this first
// call: a body (a POST's, a chunked flood) is never read, and libmicrohttpd closes the
// connection after the answer rather than read it.
enum MHD_Result Server::Impl::answer(MHD_Connection* c, const char* url, const char* method) {
  {
    std::lock_guard lock(mu);
    reaper.request_started(socket_of(c));
  }
  if (std::strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
      std::strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
    return reply(c, observe::text(405, "method not allowed\n"), true);
  }
  const char* host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
  if (!host || count_hosts(c) != 1) {
    return reply(c, observe::text(400, "bad request: one Host header needed\n"));
  }
  if (!observe::host_allowed(host, rule)) {
    return reply(c, observe::text(421,
                                  "misdirected request: the Host is not this server's address "
                                  "or an --http-allow-host name\n"));
  }
  observe::Response r;
  try {
    r = site.get(url);
  } catch (...) {
    r = observe::text(500, "internal error\n");
  }
  return reply(c, r);
}

void Server::Impl::on_connection(MHD_Connection* c, enum MHD_ConnectionNotificationCode what) {
  const int fd = socket_of(c);
  if (fd < 0) return;
  std::lock_guard lock(mu);
  if (what == MHD_CONNECTION_NOTIFY_CLOSED) {
    reaper.closed(fd);  // before libmicrohttpd closes the socket: no other can have its number
    return;
  }
  // Closing is libmicrohttpd's: a shut-down socket reads as the client gone, and it cleans up.
  for (int victim : reaper.opened(fd, observe::ConnectionReaper::Clock::now())) {
    ::shutdown(victim, SHUT_RDWR);
  }
}

void Server::Impl::on_completed(MHD_Connection* c, enum MHD_RequestTerminationCode how) {
  if (how != MHD_REQUEST_TERMINATED_COMPLETED_OK) return;
  std::lock_guard lock(mu);
  reaper.request_done(socket_of(c), observe::ConnectionReaper::Clock::now());
}

Server::Server(const observe::ListenAddress& at, const std::vector<std::string>& allow_hosts,
               const observe::Site& site) {
  Listening l = listen_on(at);  // throws, saying why
  impl_ = std::make_unique<Impl>(site, observe::HostRule{at.host, l.ip, allow_hosts});
  impl_->port = l.port;
  // Nothing may unwind into libmicrohttpd (C): out of memory closes the connection instead.
  MHD_AccessHandlerCallback handler = [](void* cls, MHD_Connection* c, const char* url,
                                         const char* method, const char*, const char*, size_t*,
                                         void**) {
    try {
      return static_cast<Impl*>(cls)->answer(c, url, method);
    } catch (...) {
      return MHD_NO;
    }
  };
  MHD_NotifyConnectionCallback notify = [](void* cls, MHD_Connection* c, void**,
                                           enum MHD_ConnectionNotificationCode what) {
    try {
      static_cast<Impl*>(cls)->on_connection(c, what);
    } catch (...) {  // no room made this time
    }
  };
  MHD_RequestCompletedCallback completed = [](void* cls, MHD_Connection* c, void**,
                                              enum MHD_RequestTerminationCode how) {
    try {
      static_cast<Impl*>(cls)->on_completed(c, how);
    } catch (...) {
    }
  };
  // One internal thread on epoll serves every connection without blocking on any; the
  // inter-thread channel lets MHD_stop_daemon wake it at once.
  const unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC |
                         (l.ipv6 ? static_cast<unsigned>(MHD_USE_IPv6) : 0u);
  impl_->daemon = MHD_start_daemon(
      flags, 0, nullptr, nullptr, handler, impl_.get(), MHD_OPTION_LISTEN_SOCKET, l.fd.release(),
      MHD_OPTION_CONNECTION_LIMIT, kConnectionLimit, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
      l.loopback ? 0u : kPerAddressLimit, MHD_OPTION_CONNECTION_MEMORY_LIMIT, kConnectionMemory,
      MHD_OPTION_CONNECTION_TIMEOUT, kIdleTimeoutSeconds, MHD_OPTION_NOTIFY_CONNECTION, notify,
      impl_.get(), MHD_OPTION_NOTIFY_COMPLETED, completed, impl_.get(), MHD_OPTION_END);
  if (!impl_->daemon) {
    throw std::runtime_error("cannot serve on " + at.to_string() +
                             " (--http): libmicrohttpd failed to start");
  }
}

// Closes every connection and joins the thread: no client can delay it.
Server::~Server() {
  MHD_stop_daemon(impl_->daemon);
}

int Server::port() const {
  return impl_->port;
}

}  // namespace http
