// `orders produce [COUNT] [DELAY_SECONDS]`: generates orders, writes them to Kafka as Avro keyed by
// orderId, and reports how many the broker acknowledged, with latency and throughput.
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>

#include "cli/commands.h"
#include "cli/kafka_options.h"
#include "cli/logging.h"
#include "cli/progress_line.h"
#include "kafka/admin.h"
#include "kafka/config.h"
#include "kafka/producer.h"
#include "orders/generator.h"
#include "orders/order_codec.h"
#include "stats/produce_report.h"
#include "util/rate_pacer.h"
#include "util/stop_signal.h"

namespace cli {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;  // orders not acknowledged, broker unreachable, Kafka errors
constexpr int kExitUsage = 2;   // bad configuration
constexpr int kExitInterruptedEarly = 130;  // Ctrl-C before anything was produced

constexpr std::uint64_t kPollEvery = 1024;  // unpaced: serve delivery reports this often
constexpr auto kProgressInterval = milliseconds(500);
constexpr std::uint64_t kMaxLoggedFailures = 20;  // then failures are only counted

struct ProduceOptions {
  std::int64_t count = 10;  // signed so that "-5" is rejected instead of wrapping around
  double delay_seconds = 0;
  std::optional<double> rate;
  std::string topic = "orders";
  std::optional<std::uint64_t> seed;
  std::optional<std::string> run_id;
  std::optional<std::string> id_prefix;
  int partitions = 6;
  bool partitions_given = false;
  bool json = false;
  double connect_timeout = 10;
  std::optional<double> flush_timeout;
  std::optional<std::string> dump_orders;
  Verbosity verbosity;
  KafkaOptions kafka;
};

// Everything the delivery-report handler touches. Single-threaded: reports are served by poll()
// and flush() on the producing thread.
struct DeliveryState {
  stats::ProduceMetrics* metrics = nullptr;
  std::uint64_t delivery_failures = 0;
  bool log_each = false;
};

bool valid_name(const std::string& s, std::size_t max_len) {
  if (s.empty() || s.size() > max_len) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::uint64_t random_u64() {
  std::random_device rd;
  const auto now = static_cast<std::uint64_t>(Clock::now().time_since_epoch().count());
  return (static_cast<std::uint64_t>(rd()) << 32) ^ rd() ^ now ^
         (static_cast<std::uint64_t>(getpid()) << 48);
}

std::string describe_order(const orders::Order& o) {
  return fmt::format("{{'orderId': '{}', 'product': '{}', 'price': {:.2f}}}", o.order_id, o.product,
                     o.price);
}

void on_delivery(DeliveryState& st, const kafka::DeliveryReport& r) {
  stats::ProduceMetrics& m = *st.metrics;
  if (r.ok()) {
    ++m.produced;
    m.bytes += r.key.size() + r.value_size;
    m.latency.record(r.latency);
    if (st.log_each) {
      spdlog::info("Message delivered to {} [{}] at offset {} (latency: {:.2f}ms)", r.topic,
                   r.partition, r.offset, static_cast<double>(r.latency.count()) / 1e6);
    }
    return;
  }
  ++st.delivery_failures;
  if (st.delivery_failures <= kMaxLoggedFailures) {
    spdlog::error("Message delivery failed for {} to {} [{}]: {}{}", r.key, r.topic, r.partition,
                  r.reason, r.possibly_persisted ? " (possibly persisted)" : "");
    if (st.delivery_failures == kMaxLoggedFailures) {
      spdlog::error("further delivery failures are counted but not logged");
    }
  }
}

std::string progress_text(const stats::ProduceMetrics& m, std::uint64_t failed, int in_flight,
                          double seconds) {
  const double pct =
      m.requested ? 100.0 * static_cast<double>(m.generated) / static_cast<double>(m.requested)
                  : 100.0;
  const double rate = seconds > 0 ? static_cast<double>(m.produced) / seconds : 0.0;
  return fmt::format("sent {}/{} ({:.1f}%)  acked {}  failed {}  in flight {}  {:.0f} msgs/s",
                     m.generated, m.requested, pct, m.produced, failed, in_flight, rate);
}

milliseconds flush_bound(const ProduceOptions& o, const kafka::Properties& props) {
  if (o.flush_timeout) return milliseconds(static_cast<std::int64_t>(*o.flush_timeout * 1000));
  // Long enough for every enqueued order to get a definitive answer (acked or timed out), so the
  // counts are exact; a second Ctrl-C still exits at once.
  long timeout_ms = 30000;
  try {
    timeout_ms = std::stol(props.get_or("message.timeout.ms", "30000"));
  } catch (...) {
  }
  return milliseconds(timeout_ms > 0 ? timeout_ms + 2000 : 60000);
}

int run_produce(ProduceOptions& o) {
  apply_verbosity(o.verbosity);
  if (!valid_name(o.topic, 249)) {
    spdlog::error("invalid topic name '{}': use 1-249 characters from [a-zA-Z0-9._-]", o.topic);
    return kExitUsage;
  }
  if (!std::isfinite(o.delay_seconds) || (o.rate && !std::isfinite(*o.rate))) {
    spdlog::error("DELAY_SECONDS and --rate must be finite numbers");
    return kExitUsage;
  }
  const std::optional<std::string>& custom = o.id_prefix ? o.id_prefix : o.run_id;
  if (custom && !valid_name(*custom, 64)) {
    spdlog::error("invalid id prefix/run id '{}': use 1-64 characters from [a-zA-Z0-9._-]",
                  *custom);
    return kExitUsage;
  }

  kafka::Properties props;
  try {
    props = resolve_kafka_properties(o.kafka, kafka::producer_defaults());
  } catch (const kafka::ConfigError& e) {
    spdlog::error("{}", e.what());
    return kExitUsage;
  }
  spdlog::debug("producer config: {}", kafka::describe(props));
  const std::string bootstrap = props.get_or("bootstrap.servers", "");

  std::ofstream dump;
  if (o.dump_orders) {
    dump.open(*o.dump_orders, std::ios::out | std::ios::trunc);
    if (!dump) {
      spdlog::error("cannot write --dump-orders file '{}'", *o.dump_orders);
      return kExitUsage;
    }
  }

  const std::uint64_t seed = o.seed.value_or(random_u64());
  const std::string prefix =
      o.id_prefix ? *o.id_prefix : "ORD-" + o.run_id.value_or(orders::make_run_id(random_u64()));
  orders::OrderGenerator generator(seed, prefix);

  stats::ProduceMetrics metrics;
  metrics.topic = o.topic;
  metrics.requested = static_cast<std::uint64_t>(o.count);
  metrics.seed = seed;
  metrics.id_prefix = prefix;
  DeliveryState delivery;
  delivery.metrics = &metrics;
  delivery.log_each = o.verbosity.verbose >= 1;

  util::install_stop_handlers();
  std::unique_ptr<kafka::Producer> producer;
  try {
    producer = std::make_unique<kafka::Producer>(
        props, [&delivery](const kafka::DeliveryReport& r) { on_delivery(delivery, r); });
  } catch (const kafka::ConfigError& e) {
    spdlog::error("{}", e.what());
    return kExitUsage;
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return kExitFailed;
  }

  try {
    const milliseconds connect(static_cast<std::int64_t>(o.connect_timeout * 1000));
    kafka::check_connectivity(producer->raw(), bootstrap, connect, &producer->events(),
                              util::stop_requested);
    if (o.partitions > 0) {
      const auto topic = kafka::ensure_topic(producer->raw(), {o.topic, o.partitions, -1, {}},
                                             std::max(connect, milliseconds(10000)));
      if (!topic.created && o.partitions_given && topic.partitions != o.partitions) {
        spdlog::warn("topic {} already exists with {} partition(s); --partitions {} ignored",
                     o.topic, topic.partitions, o.partitions);
      }
    }
  } catch (const std::exception& e) {
    if (util::stop_requested()) {
      spdlog::warn("interrupted before producing");
      return kExitInterruptedEarly;
    }
    spdlog::error("{}", e.what());
    return kExitFailed;
  }

  util::RatePacer pacer =
      o.rate ? util::RatePacer::per_second(*o.rate) : util::RatePacer::every(o.delay_seconds);
  spdlog::info("Producing {} order(s) to topic {} at {} (ids {}.., seed {}{})", o.count, o.topic,
               bootstrap, orders::format_order_id(prefix, 1), seed,
               o.rate                ? fmt::format(", {} msgs/s", *o.rate)
               : o.delay_seconds > 0 ? fmt::format(", {}s apart", o.delay_seconds)
                                     : std::string());

  ProgressLine progress(!o.verbosity.quiet && o.verbosity.verbose == 0);
  orders::Order order;
  std::string value;
  value.reserve(256);
  std::uint64_t enqueue_failures = 0;
  const Clock::time_point start = Clock::now();
  pacer.start(start);
  Clock::time_point next_progress = start + kProgressInterval;
  auto show_progress = [&](Clock::time_point now) {
    if (!progress.enabled() || now < next_progress) return;
    next_progress = now + kProgressInterval;
    const std::chrono::duration<double> elapsed = now - start;
    progress.show(progress_text(metrics, delivery.delivery_failures + enqueue_failures,
                                producer->outq_len(), elapsed.count()));
  };

  for (std::uint64_t i = 0; i < metrics.requested && !util::stop_requested(); ++i) {
    if (pacer.paced()) {
      for (auto now = Clock::now();; now = Clock::now()) {
        const auto wait = pacer.wait_before(i, now);
        if (wait.count() <= 0 || util::stop_requested()) break;
        // Waiting *in* poll serves delivery reports promptly, like the original's per-order lines.
        const auto wait_ms = std::chrono::ceil<milliseconds>(wait);
        producer->poll(std::min(wait_ms, milliseconds(100)));
        show_progress(Clock::now());
      }
      if (util::stop_requested()) break;
    }

    generator.next(order);
    value.clear();
    orders::encode_order(order, value);
    ++metrics.generated;
    if (kafka::Error err = producer->produce(o.topic, order.order_id, value)) {
      ++enqueue_failures;
      if (enqueue_failures <= kMaxLoggedFailures) {
        spdlog::error("cannot produce {}: {}", order.order_id, err.message);
      }
      if (err.fatal) break;
      continue;
    }
    if (!metrics.first_order_id) metrics.first_order_id = order.order_id;
    if (delivery.log_each) spdlog::info("Produced order: {}", describe_order(order));
    if (dump.is_open()) {
      dump << fmt::format("{{\"orderId\":\"{}\",\"product\":\"{}\",\"price\":{}}}\n",
                          order.order_id, order.product, order.price);
    }
    if (pacer.paced()) {
      producer->poll(milliseconds(0));
      show_progress(Clock::now());
    } else if ((i + 1) % kPollEvery == 0) {
      producer->poll(milliseconds(0));
      show_progress(Clock::now());
    }
  }
  if (metrics.first_order_id) {
    metrics.last_order_id = orders::format_order_id(prefix, metrics.generated);
  }
  metrics.interrupted = util::stop_requested() && metrics.generated < metrics.requested;
  if (metrics.interrupted) {
    progress.clear();
    spdlog::warn("Interrupted: stopped after {} order(s); flushing what is in flight",
                 metrics.generated);
  }

  // Flush: bounded, so a dead broker cannot hold the process forever.
  const auto flush_deadline = Clock::now() + flush_bound(o, props);
  while (producer->outq_len() > 0) {
    const auto now = Clock::now();
    if (now >= flush_deadline) break;
    const auto left = std::chrono::duration_cast<milliseconds>(flush_deadline - now);
    producer->flush(std::min(left, milliseconds(250)));
    show_progress(Clock::now());
  }
  const int left_in_queue = producer->outq_len();
  const Clock::time_point end = Clock::now();
  progress.clear();
  if (dump.is_open()) dump.flush();

  const std::uint64_t enqueued = metrics.generated - enqueue_failures;
  const std::uint64_t answered = metrics.produced + delivery.delivery_failures;
  metrics.unacknowledged_at_exit = enqueued > answered ? enqueued - answered : 0;
  metrics.failed = enqueue_failures + delivery.delivery_failures + metrics.unacknowledged_at_exit;
  metrics.seconds = std::chrono::duration<double>(end - start).count();
  if (left_in_queue > 0) {
    spdlog::error("{} order(s) still unacknowledged when the flush bound expired ({} in queue)",
                  metrics.unacknowledged_at_exit, left_in_queue);
  }
  if (kafka::Error fatal = producer->fatal_error()) spdlog::error("{}", fatal.message);
  // The last order id is only meaningful if at least one was enqueued.
  if (!metrics.first_order_id) metrics.last_order_id.reset();

  if (o.json) {
    std::cout << stats::to_json(metrics).dump() << std::endl;
  } else {
    std::cout << stats::render_report(metrics) << std::flush;
  }
  if (metrics.failed > 0) {
    spdlog::error("{} of {} order(s) were not acknowledged", metrics.failed, metrics.generated);
    return kExitFailed;
  }
  return kExitOk;
}

// CLI11's stock number checks print the type's full range in their messages; these say it plainly.
CLI::Validator at_least_zero() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        try {
          if (std::stod(text) >= 0) return {};
        } catch (...) {
          return {};  // not a number at all: the conversion reports that
        }
        return "must be >= 0, got " + text;
      },
      ">=0");
}

CLI::Validator above_zero() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        try {
          if (std::stod(text) > 0) return {};
        } catch (...) {
          return {};
        }
        return "must be > 0, got " + text;
      },
      ">0");
}

}  // namespace

void add_produce_command(CLI::App& root, int& exit_code) {
  auto opts = std::make_shared<ProduceOptions>();
  auto* sub = root.add_subcommand("produce", "Generate orders and produce them to Kafka as Avro");
  sub->add_option("COUNT", opts->count, "number of orders to produce")
      ->check(at_least_zero())
      ->capture_default_str();
  auto* delay = sub->add_option("DELAY_SECONDS", opts->delay_seconds,
                                "seconds between orders, like the original (e.g. 0.5)")
                    ->check(at_least_zero())
                    ->capture_default_str();
  auto* rate = sub->add_option("--rate", opts->rate,
                               "orders per second, N or N/s (instead of DELAY_SECONDS)")
                   ->type_name("N[/s]")
                   ->transform([](std::string value) {
                     // "500/s" reads as it is written in the docs; the unit is optional.
                     if (value.size() > 2 && value.ends_with("/s")) value.resize(value.size() - 2);
                     return value;
                   })
                   ->check(above_zero());
  rate->excludes(delay);
  sub->add_option("--topic", opts->topic, "topic to produce to")->capture_default_str();
  auto* partitions =
      sub->add_option("--partitions", opts->partitions,
                      "if the topic does not exist, create it with N partitions (replication: "
                      "broker default); an existing topic is used as it is; 0: do not create")
          ->type_name("N")
          ->check(CLI::Range(0, 100000))
          ->capture_default_str();
  sub->add_option("--seed", opts->seed,
                  "PRNG seed: the same seed gives the same products and prices (default: random, "
                  "reported in --json)")
      ->type_name("N");
  auto* run_id = sub->add_option("--run-id", opts->run_id,
                                 "run id embedded in order ids: ORD-<RUN_ID>-00001 (default: a "
                                 "random 6-character id, so runs never collide)");
  auto* id_prefix = sub->add_option("--id-prefix", opts->id_prefix,
                                    "whole id prefix: <PREFIX>-00001 (--id-prefix ORD gives the "
                                    "original's ORD-00001)");
  run_id->excludes(id_prefix);
  sub->add_flag("--json", opts->json, "print the final report as one JSON object on stdout");
  sub->add_option("--connect-timeout", opts->connect_timeout,
                  "seconds to wait for the broker at startup")
      ->check(above_zero())
      ->capture_default_str();
  sub->add_option("--flush-timeout", opts->flush_timeout,
                  "seconds to wait for outstanding acknowledgements at exit (default: "
                  "message.timeout.ms + 2s, so every order gets an answer)")
      ->check(at_least_zero());
  sub->add_option("--dump-orders", opts->dump_orders,
                  "write every produced order as a JSON line to FILE (testing aid)")
      ->group("");
  add_verbosity_flags(*sub, opts->verbosity);
  add_kafka_options(*sub, opts->kafka);
  sub->footer(
      "Orders are keyed by orderId. Producer defaults: acks=all, enable.idempotence=true,\n"
      "compression.type=snappy, linger.ms=5, message.timeout.ms=30000 (override with -X).\n"
      "Ctrl-C/SIGTERM stops generating, flushes what is in flight and prints the report; a second\n"
      "Ctrl-C exits at once.\n"
      "Exit status: 0 all generated orders acknowledged; 1 some were not, or Kafka unreachable;\n"
      "2 bad configuration; 130 interrupted before producing.\n" +
      sub->get_footer());
  sub->callback([opts, partitions, &exit_code] {
    opts->partitions_given = partitions->count() > 0;
    exit_code = run_produce(*opts);
  });
}

}  // namespace cli
