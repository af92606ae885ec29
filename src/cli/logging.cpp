#include "cli/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>

#include "util/printable.h"
#include "util/redact.h"

namespace cli {
namespace {

// Python logging's level names, which the original's output shows ("INFO", "WARNING").
class UpperLevelFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    std::string_view name;
    switch (msg.level) {
      case spdlog::level::trace:
        name = "TRACE";
        break;
      case spdlog::level::debug:
        name = "DEBUG";
        break;
      case spdlog::level::info:
        name = "INFO";
        break;
      case spdlog::level::warn:
        name = "WARNING";
        break;
      case spdlog::level::err:
        name = "ERROR";
        break;
      case spdlog::level::critical:
        name = "CRITICAL";
        break;
      default:
        name = "LOG";
        break;
    }
    dest.append(name.data(), name.data() + name.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<UpperLevelFlag>();
  }
};

// The message, escaped (util::printable): log lines quote order ids, header values and error
// texts that anyone who can write to a topic chose. No escape sequence, newline or bidi control
// reaches the terminal or the log file from any of them, whichever call site forgot to escape.
class EscapedMessageFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    const std::string text = util::printable({msg.payload.data(), msg.payload.size()});
    dest.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<EscapedMessageFlag>();
  }
};

// Runs every formatted line through util::scrub: a registered secret that reached a message by
// any way (librdkafka's own text, an exception) is still masked.
class ScrubbingFormatter : public spdlog::formatter {
 public:
  explicit ScrubbingFormatter(std::unique_ptr<spdlog::formatter> inner)
      : inner_(std::move(inner)) {}
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    spdlog::memory_buf_t line;
    inner_->format(msg, line);
    const std::string_view text(line.data(), line.size());
    const std::string clean = util::scrub(text);
    if (clean.size() != text.size()) {
      // The colour range (the level name) comes before the message, which is what changed.
      msg.color_range_end = std::min(msg.color_range_end, clean.size());
      msg.color_range_start = std::min(msg.color_range_start, msg.color_range_end);
    }
    dest.append(clean.data(), clean.data() + clean.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<ScrubbingFormatter>(inner_->clone());
  }

 private:
  std::unique_ptr<spdlog::formatter> inner_;
};

}  // namespace

void setup_logging() {
  static bool done = false;
  if (done) return;
  done = true;
  auto logger = spdlog::stderr_color_mt("orders");
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<UpperLevelFlag>('*').add_flag<EscapedMessageFlag>('~').set_pattern(
      "%Y-%m-%d %H:%M:%S.%e %^%*%$ - %~");
  logger->set_formatter(std::make_unique<ScrubbingFormatter>(std::move(formatter)));
  logger->set_level(spdlog::level::info);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(std::move(logger));
}

void add_verbosity_flags(CLI::App& app, Verbosity& verbosity) {
  auto* v = app.add_flag("-v,--verbose", verbosity.verbose,
                         "more output: -v one line per message, -vv debug (incl. librdkafka)");
  auto* q = app.add_flag("-q,--quiet", verbosity.quiet, "only warnings and errors on stderr");
  v->excludes(q);
}

void apply_verbosity(const Verbosity& verbosity) {
  setup_logging();
  spdlog::level::level_enum level = spdlog::level::info;
  if (verbosity.quiet) {
    level = spdlog::level::warn;
  } else if (verbosity.verbose >= 3) {
    level = spdlog::level::trace;
  } else if (verbosity.verbose == 2) {
    level = spdlog::level::debug;
  }
  spdlog::set_level(level);
}

}  // namespace cli
