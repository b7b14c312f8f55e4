// How socq behaves towards a platform over HTTP, independent of libcurl:
// retries with exponential backoff and jitter on 5xx and transport errors,
// waiting out a 429 as the platform's headers say (but never longer than
// max_wait: then exit 75 naming the time to try again), and slowing down
// before a 429 when the remaining budget runs low. Time and sleep are
// injected so tests never really wait.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>

#include "lib/clock.h"
#include "lib/http.h"

namespace socq {

class Sleeper {
 public:
  virtual ~Sleeper() = default;
  virtual void sleep_ms(int64_t ms) = 0;
};

// Really sleeps (std::this_thread::sleep_for).
class ThreadSleeper final : public Sleeper {
 public:
  void sleep_ms(int64_t ms) override;
};

struct RetryPolicy {
  int max_retries = 4;              // after 5xx, resets and timeouts
  int64_t base_backoff_ms = 500;    // doubled per retry, with jitter
  int64_t max_backoff_ms = 30000;
  int64_t max_wait_ms = 5 * 60 * 1000;  // the longest single wait for a rate limit
  int64_t default_429_wait_ms = 60000;  // a 429 that names no reset time
  int max_rate_limit_waits = 5;         // 429s in a row for one request
};

struct HttpStats {
  size_t requests = 0;  // attempts sent
  size_t retries = 0;   // attempts repeated after 5xx or transport errors
  size_t waits = 0;     // sleeps for rate limits (429 or pacing)
  int64_t waited_ms = 0;
};

// When the rate-limit window resets, in epoch ms, from whichever header the
// platform sends: Retry-After (seconds), X-RateLimit-Reset (Mastodon:
// ISO 8601; X: epoch seconds; Reddit: seconds to go), RateLimit-Reset
// (Bluesky: epoch seconds). nullopt if none is usable.
std::optional<int64_t> rate_limit_reset_ms(const HttpResponse& r, int64_t now_ms);
// Facebook's usage headers (X-Business-Use-Case-Usage, X-App-Usage,
// X-Page-Usage; figures are percentages): the wait before the next request
// when any figure passes 90 (estimated_time_to_regain_access minutes, at
// least a minute), else 0.
int64_t facebook_usage_wait_ms(const HttpResponse& r);
// A Graph API throttling error (error.code 4, 17, 32, 613 or 80001), which
// comes as a 4xx, not a 429: waited out like a 429.
bool facebook_throttled(const HttpResponse& r);
// The pause before the next request that spreads the remaining budget over
// the time to the reset, when X-RateLimit-Remaining / RateLimit-Remaining
// is low (at most a tenth of the limit, or 5 when no limit is given); 0 if
// not low.
int64_t pacing_delay_ms(const HttpResponse& r, int64_t now_ms);
// The backoff before retry number `attempt` (1-based): base * 2^(attempt-1)
// capped at max, jittered to between half and all of it.
int64_t backoff_ms(int attempt, const RetryPolicy& p, std::mt19937_64& rng);
// "90s", "5m", "2h", "7d", "1500ms", or plain seconds "30" -> ms.
std::optional<int64_t> parse_duration_ms(std::string_view s);
// A duration for people: "90s" -> "1m30s".
std::string format_duration(int64_t ms);

// Wraps the transport with the policy. Not thread-safe: one per account
// thread, like the transport under it.
class PolicyClient final : public HttpClient {
 public:
  PolicyClient(HttpClient& inner, const Clock& clock, Sleeper& sleeper, RetryPolicy policy,
               std::function<void(const std::string&)> log = {}, uint64_t seed = std::random_device{}());
  Result<HttpResponse> send(const HttpRequest& req) override;
  Status ready() const override { return inner_.ready(); }
  const HttpStats& stats() const { return stats_; }

 private:
  bool retryable(const HttpRequest& req) const;
  void wait(int64_t ms, const std::string& why);
  Result<bool> handle_429(const HttpRequest& req, const HttpResponse& r, int& waits_in_row);

  HttpClient& inner_;
  const Clock& clock_;
  Sleeper& sleeper_;
  RetryPolicy policy_;
  std::function<void(const std::string&)> log_;
  std::mt19937_64 rng_;
  HttpStats stats_;
  int64_t not_before_ms_ = 0;  // pacing: no request before this time
};

}  // namespace socq
