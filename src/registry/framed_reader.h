#pragma once
// The Order reader of consume and the DLQ tools, wired to the registry when one is configured:
// it owns the client (if any) and the orders::OrderReader that asks it.
#include <memory>

#include "orders/order_reader.h"
#include "registry/client.h"
#include "registry/options.h"

namespace registry {

class FramedReader {
 public:
  // Throws util::UsageError for bad registry flags.
  explicit FramedReader(const Options& options);
  ~FramedReader();
  FramedReader(const FramedReader&) = delete;
  FramedReader& operator=(const FramedReader&) = delete;

  orders::OrderReader& reader() { return *reader_; }
  bool has_registry() const { return client_ != nullptr; }

 private:
  std::unique_ptr<Client> client_;
  std::unique_ptr<orders::OrderReader> reader_;
};

}  // namespace registry
