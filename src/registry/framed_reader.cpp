#include "registry/framed_reader.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "util/errors.h"

namespace registry {
namespace {

// A wrong URL or refused credentials would make every framed record wait (or, with a URL that
// answers 404 to everything, dead-letter it as an unknown id): refuse to start instead. A
// registry that is down only delays framed records, as it would later in the run.
void check_at_start(Client& client) {
  try {
    client.check();
  } catch (const RegistryError& e) {
    if (e.tls_refused()) throw util::UsageError(e.what());
    if (!e.unreachable()) {
      throw util::UsageError(
          fmt::format("schema registry {}: {}", describe(client.settings()), e.what()));
    }
    spdlog::warn(
        "schema registry {} is not answering now ({}); records framed with a schema id "
        "wait until it does",
        describe(client.settings()), e.what());
  }
}

}  // namespace

FramedReader::FramedReader(const Options& options) {
  if (auto settings = make_settings(options)) {
    const auto cache = settings->cache;
    client_ = std::make_unique<Client>(std::move(*settings));
    check_at_start(*client_);
    reader_ = std::make_unique<orders::OrderReader>(client_.get(), cache);
  } else {
    reader_ = std::make_unique<orders::OrderReader>(nullptr);
  }
}

FramedReader::~FramedReader() = default;

}  // namespace registry
