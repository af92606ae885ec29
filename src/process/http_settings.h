#pragma once
// How the --process client reaches the service (cli/process_flags.h fills it from the flags).
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

namespace process {

struct HttpSettings {
  std::string url;  // http:// or https://; every attempt is a POST to it
  // The whole attempt, connect included: past it the attempt is a transient no-answer.
  std::chrono::milliseconds timeout{std::chrono::seconds(10)};
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(5)};
  std::optional<std::string> ca_file;      // PEM CA bundle verifying the service (https)
  std::optional<std::string> cert_file;    // PEM client certificate (mutual TLS)...
  std::optional<std::string> key_file;     // ...and its PEM key (unencrypted)
  std::optional<std::string> header_file;  // extra headers (header_file.h)
  // The part of a response body kept (for the error text); the rest is not read: a longer body
  // is cut, its status still decides.
  std::size_t max_body_bytes = 64 * 1024;
  long max_connections = 64;       // open connections in all (kept alive, reused)
  long max_host_connections = 64;  // of them to one host
};

// Why the settings cannot work, naming the flag, or nullopt when they can: a URL that is not
// http(s)://HOST..., a zero timeout, a certificate without its key (or the reverse), a file that
// cannot be read. The header file's content is checked when the processor is made.
std::optional<std::string> settings_problem(const HttpSettings& settings);

}  // namespace process
