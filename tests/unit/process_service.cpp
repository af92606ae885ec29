#include "process_service.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>

#ifndef ORDERS_SOURCE_DIR
#error "ORDERS_SOURCE_DIR (set by CMakeLists.txt for this file) is needed to find the service"
#endif

namespace process_test {
namespace {

using Clock = std::chrono::steady_clock;

// Reads the first line the child prints, waiting at most until `deadline`.
std::string first_line(int fd, Clock::time_point deadline) {
  std::string line;
  while (line.find('\n') == std::string::npos) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) throw std::runtime_error("order_service.py printed no port within 10 s");
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
    char buf[64];
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) throw std::runtime_error("order_service.py ended before printing its port");
    line.append(buf, static_cast<std::size_t>(n));
  }
  return line.substr(0, line.find('\n'));
}

int connect_local(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot connect to order_service.py");
  }
  return fd;
}

}  // namespace

OrderService::OrderService(const std::vector<std::string>& args) {
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  const std::string script = std::string(ORDERS_SOURCE_DIR) + "/tests/support/order_service.py";
  std::vector<std::string> words = {"python3", script, "--port", "0"};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    // Killed with the test binary, even when it dies without running a destructor.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(1);
    ::dup2(out[1], STDOUT_FILENO);
    ::execvp("python3", argv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  try {
    port_ = std::stoi(first_line(out[0], Clock::now() + std::chrono::seconds(10)));
  } catch (...) {
    ::close(out[0]);
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    throw;
  }
  ::close(out[0]);  // it prints nothing more
}

OrderService::~OrderService() {
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
}

std::string OrderService::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

void OrderService::control(const nlohmann::json& command) const {
  const auto answer = nlohmann::json::parse(http_call(port_, "POST", "/_control", command.dump()));
  if (!answer.value("ok", false)) throw std::runtime_error("control refused: " + answer.dump());
}

nlohmann::json OrderService::requests() const {
  return nlohmann::json::parse(http_call(port_, "GET", "/_requests", ""));
}

std::string http_call(int port, const std::string& method, const std::string& path,
                      const std::string& body) {
  const int fd = connect_local(port);
  const std::string request = method + " " + path +
                              " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                              "Content-Length: " +
                              std::to_string(body.size()) + "\r\n\r\n" + body;
  std::string answer;
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
      static_cast<ssize_t>(request.size())) {
    char buf[16384];
    ssize_t n;
    while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0)
      answer.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  const auto split = answer.find("\r\n\r\n");
  if (split == std::string::npos) throw std::runtime_error("no answer from order_service.py");
  return answer.substr(split + 4);
}

int unused_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

}  // namespace process_test
