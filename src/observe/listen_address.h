#pragma once
// The --http HOST:PORT flag value.
#include <string>
#include <string_view>

namespace observe {

struct ListenAddress {
  std::string host;  // as given ("127.0.0.1", "0.0.0.0", "::1", "localhost")
  int port = 0;      // 0: any free port (tests)

  std::string to_string() const;  // "host:port", "[::1]:port"
};

// "HOST:PORT" or "[IPV6]:PORT" with PORT in 0..65535; throws std::invalid_argument saying what is
// wrong. The host is required: the server binds only where it is told.
ListenAddress parse_listen_address(std::string_view text);

}  // namespace observe
