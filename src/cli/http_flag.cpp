#include "cli/http_flag.h"

namespace cli {

CLI::Option* add_http_option(CLI::App& app, std::optional<observe::ListenAddress>& target,
                             const std::string& what) {
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
  return app
      .add_option_function<std::string>(
          "--http",
          [&target](const std::string& value) { target = observe::parse_listen_address(value); },
          "serve " + what +
              " over HTTP on HOST:PORT (read-only; off by default; bind where you mean, e.g. "
              "127.0.0.1:9464); see docs/observability.md")
      ->type_name("HOST:PORT")
      ->check(address);
}

void enable_client_statistics(kafka::Properties& props) {
  if (!props.find("statistics.interval.ms")) props.set("statistics.interval.ms", "5000");
}

}  // namespace cli
