#include "cli/exit_status.h"

#include <spdlog/spdlog.h>

#include "kafka/error.h"
#include "util/errors.h"

namespace cli {

int exit_status_of(const std::function<int()>& run) {
  try {
    return run();
  } catch (const kafka::ConfigError& e) {
    spdlog::error("{}", e.what());
    return kExitUsage;
  } catch (const util::UsageError& e) {
    spdlog::error("{}", e.what());
    return kExitUsage;
  } catch (const util::Interrupted& e) {
    spdlog::warn("{}", e.what());
    return kExitInterrupted;
  } catch (const kafka::KafkaException& e) {
    // A wait that a stop signal ended (kafka::TopicReader::snapshot, check_connectivity).
    const bool interrupted = e.error().code == kafka::ERR__INTR;
    spdlog::log(interrupted ? spdlog::level::warn : spdlog::level::err, "{}", e.what());
    return interrupted ? kExitInterrupted : kExitFailed;
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return kExitFailed;
  }
}

}  // namespace cli
