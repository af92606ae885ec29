// Setting a produce run up: ids, the producer, the broker and the topic.
#include "produce/produce.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <random>

#include "kafka/admin.h"
#include "orders/generator.h"
#include "orders/order_schema.h"
#include "produce/session.h"
#include "registry/client.h"
#include "util/duration.h"
#include "util/errors.h"
#include "util/stop_signal.h"

namespace produce {
namespace {

using std::chrono::milliseconds;

std::uint64_t random_u64() {
  std::random_device rd;
  const auto now = static_cast<std::uint64_t>(Clock::now().time_since_epoch().count());
  return (static_cast<std::uint64_t>(rd()) << 32) ^ rd() ^ now ^
         (static_cast<std::uint64_t>(getpid()) << 48);
}

}  // namespace

Session::Session(const ProduceOptions& o, const kafka::Properties& props, std::uint64_t seed,
                 std::string prefix)
    : o_(o),
      props_(props),
      prefix_(std::move(prefix)),
      generator_(seed, prefix_),
      pacer_(o.rate ? util::RatePacer::per_second(*o.rate)
                    : util::RatePacer::every(o.delay_seconds)),
      progress_(o.progress) {
  if (o.dump_orders) {
    dump_.open(*o.dump_orders, std::ios::out | std::ios::trunc);
    if (!dump_) throw util::UsageError("cannot write --dump-orders file '" + *o.dump_orders + "'");
  }
  metrics_.topic = o.topic;
  metrics_.requested = static_cast<std::uint64_t>(o.count);
  metrics_.seed = seed;
  metrics_.id_prefix = prefix_;
  delivery_.metrics = &metrics_;
  delivery_.log_each = o.log_each;
  value_.reserve(256);
  util::install_stop_handlers();
  producer_ = std::make_unique<kafka::Producer>(
      props, [this](const kafka::DeliveryReport& r) { on_delivery(delivery_, r); });
  start_http();
}

void Session::connect() {
  try {
    const auto connect =
        std::chrono::duration_cast<milliseconds>(util::from_seconds(o_.connect_timeout));
    kafka::check_connectivity(*producer_, props_.get_or("bootstrap.servers", ""), connect,
                              &producer_->events(), util::stop_requested);
    if (o_.partitions <= 0) return;
    const auto topic = kafka::ensure_topic(*producer_, {o_.topic, o_.partitions, -1, {}},
                                           std::max(connect, milliseconds(10000)));
    if (!topic.created && o_.partitions_given && topic.partitions != o_.partitions) {
      spdlog::warn("topic {} already exists with {} partition(s); --partitions {} ignored",
                   o_.topic, topic.partitions, o_.partitions);
    }
  } catch (const std::exception&) {
    // Ctrl-C during the startup check is not a connection failure.
    if (util::stop_requested()) throw util::Interrupted("interrupted before producing");
    throw;
  }
}

void Session::register_schema() {
  const auto settings = registry::make_settings(o_.registry);
  if (!settings) return;
  registry::Client client(*settings);
  const auto subject = registry::subject_name(o_.registry.strategy, o_.topic, "Order");
  const std::string_view schema = orders::kOrderSchemaJson;
  try {
    schema_id_ = o_.registry.auto_register ? client.register_schema(subject, schema)
                                           : client.lookup_schema(subject, schema);
  } catch (const registry::RegistryError& e) {
    // Refused (incompatible, unknown subject with --no-auto-register, bad credentials): a
    // configuration problem, exit 2. Unreachable: a failure, exit 1. Nothing was produced.
    if (e.unreachable()) throw std::runtime_error(e.what());
    if (e.tls_refused()) throw util::UsageError(e.what());
    throw util::UsageError(fmt::format("schema registry {} refused the Order schema: {}",
                                       registry::describe(*settings), e.what()));
  }
  spdlog::info("Order schema is id {} under subject {} at {}", *schema_id_, subject,
               registry::describe(*settings));
}

stats::ProduceMetrics run_produce(const ProduceOptions& o, const kafka::Properties& props) {
  spdlog::debug("producer config: {}", kafka::describe(props));
  const std::uint64_t seed = o.seed.value_or(random_u64());
  const std::string prefix =
      o.id_prefix ? *o.id_prefix : "ORD-" + o.run_id.value_or(orders::make_run_id(random_u64()));
  Session session(o, props, seed, prefix);
  session.register_schema();
  session.connect();
  spdlog::info("Producing {} order(s) to topic {} at {} (ids {}.., seed {}{})", o.count, o.topic,
               props.get_or("bootstrap.servers", ""), orders::format_order_id(prefix, 1), seed,
               o.rate                ? fmt::format(", {} msgs/s", *o.rate)
               : o.delay_seconds > 0 ? fmt::format(", {}s apart", o.delay_seconds)
                                     : std::string());
  return session.run();
}

}  // namespace produce
