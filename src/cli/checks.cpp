#include "cli/checks.h"

#include <cctype>
#include <cmath>
#include <stdexcept>

namespace cli {
namespace {

bool plain_char(unsigned char c) {
  return std::isalnum(c) || c == '.' || c == '_' || c == '-';
}

// Number checks that leave non-numbers alone: the conversion itself reports those.
CLI::Validator number_check(bool (*ok)(double), const char* rule, const char* name) {
  return CLI::Validator(
      [ok, rule](std::string& text) -> std::string {
        double value = 0;
        try {
          value = std::stod(text);
        } catch (...) {
          return {};
        }
        if (!std::isfinite(value)) return "must be a finite number, got " + text;
        if (ok(value)) return {};
        return std::string("must be ") + rule + ", got " + text;
      },
      name);
}

}  // namespace

bool plain_name(const std::string& s, std::size_t max_len) {
  if (s.empty() || s.size() > max_len) return false;
  for (unsigned char c : s) {
    if (!plain_char(c)) return false;
  }
  return true;
}

CLI::Validator topic_name_check() {
  return CLI::Validator(
      [](std::string& name) -> std::string {
        if (!plain_name(name, 249) || name == "." || name == "..") {
          return "invalid topic name '" + name +
                 "': use 1-249 characters from [a-zA-Z0-9._-], not '.' or '..'";
        }
        return {};
      },
      "");
}

CLI::Validator plain_name_check(std::size_t max_len) {
  return CLI::Validator(
      [max_len](std::string& name) -> std::string {
        if (plain_name(name, max_len)) return {};
        return "invalid name '" + name + "': use 1-" + std::to_string(max_len) +
               " characters from [a-zA-Z0-9._-]";
      },
      "");
}

CLI::Validator duration_check(bool positive) {
  return CLI::Validator(
      [positive](std::string& value) -> std::string {
        try {
          if (positive && util::parse_duration(value).count() <= 0) return "must be positive";
          util::parse_duration(value);
          return {};
        } catch (const std::invalid_argument& e) {
          return e.what();
        }
      },
      "");
}

CLI::Validator at_least_zero() {
  return number_check([](double v) { return v >= 0; }, ">= 0", ">=0");
}

CLI::Validator above_zero() {
  return number_check([](double v) { return v > 0; }, "> 0", ">0");
}

CLI::Validator seconds_limit() {
  constexpr auto kMaxSeconds =
      std::chrono::duration_cast<std::chrono::seconds>(util::kMaxDuration).count();
  return number_check([](double v) { return v <= static_cast<double>(kMaxSeconds); },
                      "at most 315360000 (ten years)", "<=315360000");
}

CLI::Option* add_duration_option(CLI::App& app, const std::string& name, util::Duration& target,
                                 const std::string& description, bool positive) {
  return app
      .add_option_function<std::string>(
          name, [&target](const std::string& text) { target = util::parse_duration(text); },
          description)
      ->type_name("DURATION")
      ->check(duration_check(positive))
      ->default_str(util::format_duration(target));
}

CLI::Option* add_duration_option(CLI::App& app, const std::string& name,
                                 std::optional<util::Duration>& target,
                                 const std::string& description) {
  return app
      .add_option_function<std::string>(
          name, [&target](const std::string& text) { target = util::parse_duration(text); },
          description)
      ->type_name("DURATION")
      ->check(duration_check());
}

}  // namespace cli
