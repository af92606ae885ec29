#pragma once
// The --http server: serves one observe::Site (read-only GETs) with libmicrohttpd, on its own
// thread, bounded against hostile clients (docs/observability.md, "Limits"). The only file that
// includes libmicrohttpd is server.cpp.
#include <memory>
#include <string>
#include <vector>

#include "observe/listen_address.h"
#include "observe/site.h"

namespace http {

class Server {
 public:
  // Binds at once; throws std::runtime_error saying why when it cannot (address in use, not an
  // address of this host). `allow_hosts`: the --http-allow-host names (normalized), accepted in
  // a request's Host besides the bound address. `site` must outlive the server.
  Server(const observe::ListenAddress& at, const std::vector<std::string>& allow_hosts,
         const observe::Site& site);
  ~Server();  // closes every connection and stops at once, whatever the clients do
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  int port() const;  // the bound port (the one chosen when asked for port 0)

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace http
