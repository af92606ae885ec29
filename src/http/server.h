#pragma once
// The --http server: serves one observe::Site (read-only GETs) on its own threads. The only
// file that includes the HTTP library is server.cpp, so its large header is compiled once.
#include <memory>

#include "observe/listen_address.h"
#include "observe/site.h"

namespace http {

class Server {
 public:
  // Binds at once; throws std::runtime_error saying why when it cannot (address in use, not an
  // address of this host). `site` must outlive the server.
  Server(const observe::ListenAddress& at, const observe::Site& site);
  ~Server();  // stops serving and joins its threads; bounded by the read/write timeouts
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  int port() const;  // the bound port (the one chosen when asked for port 0)

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace http
