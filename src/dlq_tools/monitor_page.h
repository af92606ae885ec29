#pragma once
// `orders dlq --follow --http`: the monitor's figures published for the DLQ page (observe::DlqSite)
// a few times a second; the HTTP threads read only the published snapshot.
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "dlq/dlq_record.h"
#include "dlq/summary.h"
#include "http/server.h"
#include "observe/dlq_site.h"

namespace dlq_tools {

class MonitorPage {
 public:
  // Binds at once; throws util::UsageError when it cannot.
  MonitorPage(const observe::ListenAddress& at, const std::vector<std::string>& allow_hosts,
              std::string topic);
  // A record shown (the n-th); `summary` already counts it.
  void add(const dlq::DlqRecord& record, std::uint64_t n, const dlq::Summary& summary);
  // Publishes when due (or now, `force`).
  void publish(bool force = false);

 private:
  std::string topic_;
  dlq::Summary summary_;
  std::deque<std::string> recent_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point next_publish_{};
  observe::DlqSite site_;  // outlives the server
  std::unique_ptr<http::Server> server_;
};

}  // namespace dlq_tools
