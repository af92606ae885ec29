#pragma once
// tests/support/order_service.py as a child process for the HttpProcessor tests: started on a
// free port, asked over a tiny raw HTTP/1.1 client (the client under test is not used to test
// itself), killed in the destructor -- and by the kernel if the test binary dies first.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace process_test {

class OrderService {
 public:
  // `args`: more command-line arguments (e.g. --tls-cert, --tls-key). Throws std::runtime_error
  // when the service does not start within 10 s.
  explicit OrderService(const std::vector<std::string>& args = {});
  ~OrderService();
  OrderService(const OrderService&) = delete;
  OrderService& operator=(const OrderService&) = delete;

  int port() const { return port_; }
  // Plain http only (the control client speaks no TLS).
  std::string url(const std::string& path = "/orders") const;
  // POST /_control; throws unless the service says ok.
  void control(const nlohmann::json& command) const;
  // GET /_requests.
  nlohmann::json requests() const;

 private:
  int pid_ = -1;
  int port_ = 0;
};

// One request over a fresh connection (Connection: close); the answer's body. Bounded: 5 s.
std::string http_call(int port, const std::string& method, const std::string& path,
                      const std::string& body);

// A port nothing listens on (bound, then closed: a race with other processes is unlikely).
int unused_port();

}  // namespace process_test
