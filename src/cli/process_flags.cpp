#include "cli/process_flags.h"

#include "cli/checks.h"
#include "util/errors.h"

namespace cli {

CLI::Option* add_process_options(CLI::App& app, ProcessFlags& f) {
  const char* group = "Processing by your service";
  auto& s = f.settings;
  auto* url = app.add_option("--process", s.url,
                             "process each order by a POST of it (JSON) to URL (http:// or "
                             "https://); the answer decides: 2xx done, 408/425/429/5xx retried, "
                             "other dead-lettered (docs/processing.md)")
                  ->type_name("URL")
                  ->group(group);
  add_duration_option(app, "--process-timeout", f.timeout,
                      "with --process: the whole request; past it the attempt is retried", true)
      ->group(group)
      ->needs(url);
  add_duration_option(app, "--process-connect-timeout", f.connect_timeout,
                      "with --process: connecting to the service", true)
      ->group(group)
      ->needs(url);
  app.add_option("--process-ca", s.ca_file,
                 "with --process https://: PEM CA certificates verifying the service (instead of "
                 "the system's)")
      ->type_name("FILE")
      ->group(group)
      ->needs(url);
  auto* cert = app.add_option("--process-cert", s.cert_file,
                              "with --process https://: PEM client certificate (mutual TLS)")
                   ->type_name("FILE")
                   ->group(group)
                   ->needs(url);
  auto* key = app.add_option("--process-key", s.key_file,
                             "with --process-cert: its PEM private key (unencrypted)")
                  ->type_name("FILE")
                  ->group(group)
                  ->needs(url);
  cert->needs(key);
  key->needs(cert);
  app.add_option("--process-header-file", s.header_file,
                 "with --process: extra request headers, one 'Name: value' per line (e.g. "
                 "Authorization; keeps secrets off the command line; values are never shown)")
      ->type_name("FILE")
      ->group(group)
      ->needs(url);
  app.add_option("--process-max-body", s.max_body_bytes,
                 "with --process: bytes of an answer's body read (its start goes into the error "
                 "of a failure); the rest is not read")
      ->type_name("BYTES")
      ->check(above_zero())
      ->capture_default_str()
      ->group(group)
      ->needs(url);
  return url;
}

std::optional<process::HttpSettings> process_settings(const ProcessFlags& f) {
  if (f.settings.url.empty()) return std::nullopt;
  process::HttpSettings s = f.settings;
  s.timeout = std::chrono::ceil<std::chrono::milliseconds>(f.timeout);
  s.connect_timeout = std::chrono::ceil<std::chrono::milliseconds>(f.connect_timeout);
  if (auto problem = process::settings_problem(s)) throw util::UsageError(*problem);
  return s;
}

}  // namespace cli
