#include "http/server.h"

#include <httplib.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace http {
namespace {

constexpr int kThreads = 2;           // a scraper and a browser or two
constexpr int kIoTimeoutSeconds = 5;  // a stalled client holds a thread no longer than this
// An idle keep-alive connection (a browser's) is closed after this: stopping waits for it.
constexpr int kKeepAliveSeconds = 2;

void serve(const observe::Site& site, const httplib::Request& req, httplib::Response& res) {
  observe::Response r;
  try {
    r = site.get(req.path);
  } catch (...) {
    r = observe::text(500, "internal error\n");
  }
  res.status = r.status;
  res.set_header("Cache-Control", "no-store");
  res.set_header("X-Content-Type-Options", "nosniff");
  // The pages load only their own scripts and styles, and nothing else.
  res.set_header("Content-Security-Policy",
                 "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
                 "img-src 'self'");
  res.set_content(std::move(r.body), r.content_type.c_str());
}

}  // namespace

struct Server::Impl {
  httplib::Server server;
  std::thread thread;
  int port = 0;
};

Server::Server(const observe::ListenAddress& at, const observe::Site& site)
    : impl_(std::make_unique<Impl>()) {
  auto& s = impl_->server;
  s.new_task_queue = [] { return new httplib::ThreadPool(kThreads); };
  s.set_read_timeout(kIoTimeoutSeconds, 0);
  s.set_write_timeout(kIoTimeoutSeconds, 0);
  s.set_keep_alive_timeout(kKeepAliveSeconds);
  s.set_payload_max_length(4096);  // GET only: no body worth reading
  s.Get(".*",
        [&site](const httplib::Request& req, httplib::Response& res) { serve(site, req, res); });
  // Other methods: read-only server.
  auto refuse = [](const httplib::Request&, httplib::Response& res) {
    res.status = 405;
    res.set_header("Allow", "GET, HEAD");
    res.set_content("method not allowed\n", "text/plain; charset=utf-8");
  };
  s.Post(".*", refuse);
  s.Put(".*", refuse);
  s.Delete(".*", refuse);
  s.Patch(".*", refuse);
  errno = 0;
  const int port = at.port == 0                       ? s.bind_to_any_port(at.host)
                   : s.bind_to_port(at.host, at.port) ? at.port
                                                      : -1;
  if (port <= 0) {
    const int err = errno;
    throw std::runtime_error("cannot listen on " + at.to_string() +
                             " (--http): " + (err ? std::strerror(err) : "bind failed"));
  }
  impl_->port = port;
  impl_->thread = std::thread([this] { impl_->server.listen_after_bind(); });
  // stop() only stops a server that is running: wait for it, or the destructor could hang.
  for (int i = 0; i < 200 && !impl_->server.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

Server::~Server() {
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

int Server::port() const {
  return impl_->port;
}

}  // namespace http
