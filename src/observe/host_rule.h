#pragma once
// Which Host headers the --http server answers (against DNS rebinding: a web page the operator
// visits, served from a name the attacker controls that resolves to this server, must not read
// /api/state). A rebinding attack needs a name it controls, so the rule accepts IP literals of the
// bound address, `localhost` where the server listens on loopback, and the names configured with
// --http-allow-host; never any other name.
#include <string>
#include <string_view>
#include <vector>

namespace observe {

struct HostRule {
  std::string bound;               // the --http host as given (a name or an IP literal)
  std::string bound_ip;            // the address it resolved to and is bound to (numeric)
  std::vector<std::string> names;  // --http-allow-host, as normalize_host_name returns them
};

// Lower case without a trailing dot; empty when `name` is not a host name or IP literal (no port,
// no brackets, no space).
std::string normalize_host_name(std::string_view name);

// `host_header` as received ("127.0.0.1:9464", "[::1]:9464", "localhost", "Example.org.").
// Any port is accepted: it is the name that matters, and a port forward may change the port.
bool host_allowed(std::string_view host_header, const HostRule& rule);

}  // namespace observe
