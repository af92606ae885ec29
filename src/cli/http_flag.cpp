#include "cli/http_flag.h"

#include "observe/host_rule.h"

namespace cli {

CLI::Option* add_http_option(CLI::App& app, std::optional<observe::ListenAddress>& target,
                             std::vector<std::string>& allow_hosts, const std::string& what) {
  CLI::Validator address(
      [](std::string& value) -> std::string {
        try {
          observe::parse_listen_address(value);
          return {};
        } catch (const std::invalid_argument& e) {
          return e.what();
        }
      },
      "");  // the type name says it already
  auto* http =
      app.add_option_function<std::string>(
             "--http",
             [&target](const std::string& value) { target = observe::parse_listen_address(value); },
             "serve " + what +
                 " over HTTP on HOST:PORT (read-only; off by default; bind where you mean, e.g. "
                 "127.0.0.1:9464); see docs/observability.md")
          ->type_name("HOST:PORT")
          ->check(address);
  CLI::Validator name(
      [](std::string& value) -> std::string {
        if (observe::normalize_host_name(value).empty()) {
          return "'" + value + "' is not a host name (a name or address, without a port)";
        }
        return {};
      },
      "");
  app.add_option_function<std::vector<std::string>>(
         "--http-allow-host",
         [&allow_hosts](const std::vector<std::string>& values) {
           for (const auto& v : values) allow_hosts.push_back(observe::normalize_host_name(v));
         },
         "with --http: also answer requests whose Host is NAME (repeatable; by default only the "
         "bound address, and localhost on loopback: against DNS rebinding)")
      ->type_name("NAME")
      ->allow_extra_args(false)  // one name per flag: `--http-allow-host a 100` keeps the 100
      ->check(name)
      ->needs(http);
  return http;
}

void enable_client_statistics(kafka::Properties& props) {
  if (!props.find("statistics.interval.ms")) props.set("statistics.interval.ms", "5000");
}

}  // namespace cli
