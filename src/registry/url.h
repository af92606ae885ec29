#pragma once
// The --schema-registry URL, parsed by libcurl's URL API (RFC 3986, as curl will connect), not by
// hand: a user name or password may hold any character percent-encoded (%2F for /, %40 for @,
// %25 for %, %3A for :), and one that is not encoded makes the URL invalid rather than cutting
// it somewhere else (`https://KEY:pa/ss@host` used to become a host named after the user).
#include <optional>
#include <string>
#include <string_view>

namespace registry {

struct RegistryUrl {
  std::string origin;               // scheme://host[:port], lower-case scheme, no user or password
  std::string path;                 // percent-encoded as given, no trailing slash ("" for the root)
  std::optional<std::string> user;  // percent-decoded
  std::optional<std::string> password;  // percent-decoded
};

// Throws std::invalid_argument for anything but an http:// or https:// URL with a host, an
// optional port and path, and no query or fragment. Every password (decoded, as written, and
// as USER:PASSWORD) is registered with the log scrubber before anything can quote it; an error
// never quotes what stands before the last '@'.
RegistryUrl parse_registry_url(std::string_view url);

// `url` with whatever stands between "://" and the last '@' replaced by "******": safe to show
// even when the URL could not be parsed.
std::string mask_userinfo(std::string_view url);

}  // namespace registry
