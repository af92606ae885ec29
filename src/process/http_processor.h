#pragma once
// The --process client: each attempt is a POST of the order to the service (http_request.h),
// its answer classified by http_outcome.h. Many attempts run at once over libcurl's multi
// interface on the caller's thread: no thread of its own, kept-alive connections reused, HTTP/2
// multiplexed when the service offers it over TLS. Redirects are not followed, no proxy is taken
// from the environment, only http and https are spoken.
//
// Secrets: the extra headers' values are registered with util::add_secret and never formatted
// into any text; libcurl's verbose output stays off; error texts quote the status, the start of
// the body or libcurl's error text, never a request header.
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "pipeline/processor.h"
#include "process/http_request.h"
#include "process/http_settings.h"

namespace process {

class HttpProcessor final : public pipeline::Processor {
 public:
  // Throws std::invalid_argument with a clear message for bad settings (settings_problem) or a
  // bad header file, std::runtime_error when libcurl cannot be set up.
  explicit HttpProcessor(HttpSettings settings);
  ~HttpProcessor() override;
  HttpProcessor(const HttpProcessor&) = delete;
  HttpProcessor& operator=(const HttpProcessor&) = delete;

  void start(const pipeline::ProcessRequest& request) override;
  void poll(std::chrono::milliseconds max_wait, int wake_fd,
            std::vector<pipeline::ProcessCompletion>& out) override;
  std::size_t in_flight() const override { return active_.size() + ready_.size(); }
  void cancel(std::uint64_t id) override;

  struct Transfer;  // one attempt's easy handle and buffers (http_processor.cpp)

 private:
  // Runs libcurl and moves the finished transfers' results to `out`; how many it moved.
  std::size_t collect(std::vector<pipeline::ProcessCompletion>& out);
  pipeline::ProcessResult finish(Transfer& t, int curl_code);
  std::unique_ptr<Transfer> take_transfer();
  void release(std::unique_ptr<Transfer> t);

  HttpSettings settings_;
  std::vector<Header> extra_headers_;
  void* multi_ = nullptr;  // CURLM*
  std::unordered_map<std::uint64_t, std::unique_ptr<Transfer>> active_;
  std::vector<std::unique_ptr<Transfer>> free_;     // finished transfers, handles kept for reuse
  std::vector<pipeline::ProcessCompletion> ready_;  // attempts that failed to start
};

}  // namespace process
