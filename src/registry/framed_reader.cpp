#include "registry/framed_reader.h"

namespace registry {

FramedReader::FramedReader(const Options& options) {
  if (auto settings = make_settings(options)) {
    const auto cache = settings->cache;
    client_ = std::make_unique<Client>(std::move(*settings));
    reader_ = std::make_unique<orders::OrderReader>(client_.get(), cache);
  } else {
    reader_ = std::make_unique<orders::OrderReader>(nullptr);
  }
}

FramedReader::~FramedReader() = default;

}  // namespace registry
