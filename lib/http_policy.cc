#include "lib/http_policy.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <ctime>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "lib/http_log.h"
#include "lib/timefmt.h"

namespace socq {
namespace {

std::optional<int64_t> parse_int(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  int64_t v = 0;
  const auto* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, v);
  if (ec != std::errc() || p == s.data()) return std::nullopt;
  // "30" and "30, 30;w=300" (RateLimit-Limit) count; "1.5" or "12abc" do not.
  if (p != end && *p != ',' && *p != ';' && *p != ' ') return std::nullopt;
  return v;
}

// ISO 8601 with Z or a numeric offset: "2026-11-24T13:05:00.000Z",
// "2026-11-24T14:05:00+01:00".
std::optional<int64_t> parse_iso8601_ms(std::string s) {
  if (s.size() > 6 && (s[s.size() - 6] == '+' || s[s.size() - 6] == '-') && s[s.size() - 3] == ':') {
    const int sign = s[s.size() - 6] == '-' ? -1 : 1;
    auto hh = parse_int(s.substr(s.size() - 5, 2)), mm = parse_int(s.substr(s.size() - 2, 2));
    if (!hh || !mm) return std::nullopt;
    auto base = parse_rfc3339_utc(s.substr(0, s.size() - 6) + "Z");
    if (!base) return std::nullopt;
    return *base - sign * (*hh * 60 + *mm) * 60000;
  }
  return parse_rfc3339_utc(s);
}

// "Wed, 21 Oct 2015 07:28:00 GMT" (Retry-After may be an HTTP date).
std::optional<int64_t> parse_http_date_ms(const std::string& s) {
  std::tm tm{};
  const char* end = strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (!end || *end) return std::nullopt;
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

// A number in a reset header: epoch ms, epoch seconds, or seconds to go.
int64_t numeric_reset_ms(int64_t v, int64_t now_ms) {
  if (v >= 100'000'000'000LL) return v;           // epoch milliseconds
  if (v >= 1'000'000'000LL) return v * 1000;      // epoch seconds
  return now_ms + v * 1000;                       // seconds from now
}

std::string first_header(const HttpResponse& r, std::initializer_list<const char*> names) {
  for (const char* n : names)
    if (auto v = r.header(n); !v.empty()) return v;
  return {};
}

std::string describe(const HttpRequest& req) { return req.method + " " + redact_url(req.url); }

std::string body_start(const std::string& body) {
  std::string s = body.substr(0, 120);
  for (char& c : s)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  return s;
}

}  // namespace

void ThreadSleeper::sleep_ms(int64_t ms) {
  if (ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

std::optional<int64_t> rate_limit_reset_ms(const HttpResponse& r, int64_t now_ms) {
  if (auto ra = r.header("retry-after"); !ra.empty()) {
    if (auto secs = parse_int(ra)) return now_ms + std::max<int64_t>(0, *secs) * 1000;
    if (auto at = parse_http_date_ms(ra)) return at;
  }
  for (const char* name : {"x-ratelimit-reset", "x-rate-limit-reset", "ratelimit-reset"}) {
    const std::string v = r.header(name);
    if (v.empty()) continue;
    if (auto n = parse_int(v); n && v.find_first_of("T:") == std::string::npos) return numeric_reset_ms(*n, now_ms);
    if (auto at = parse_iso8601_ms(v)) return at;
  }
  if (const int64_t fb = facebook_usage_wait_ms(r); fb > 0) return now_ms + fb;
  return std::nullopt;
}

namespace {

// The usage objects of Facebook's headers: {"<id>":[{...}]} or {...}.
void usage_objects(const nlohmann::json& j, std::vector<nlohmann::json>& out) {
  if (j.is_array())
    for (const auto& e : j) usage_objects(e, out);
  else if (j.is_object() && (j.contains("call_count") || j.contains("total_time") || j.contains("total_cputime") ||
                             j.contains("estimated_time_to_regain_access")))
    out.push_back(j);
  else if (j.is_object())
    for (const auto& [k, v] : j.items()) usage_objects(v, out);
}

}  // namespace

int64_t facebook_usage_wait_ms(const HttpResponse& r) {
  int64_t wait = 0;
  for (const char* name : {"x-business-use-case-usage", "x-app-usage", "x-page-usage"}) {
    const std::string v = r.header(name);
    if (v.empty()) continue;
    std::vector<nlohmann::json> usage;
    usage_objects(nlohmann::json::parse(v, nullptr, false), usage);
    for (const auto& u : usage) {
      double top = 0;
      for (const char* k : {"call_count", "total_cputime", "total_time"})
        if (auto it = u.find(k); it != u.end() && it->is_number()) top = std::max(top, it->get<double>());
      int64_t minutes = 0;
      if (auto it = u.find("estimated_time_to_regain_access"); it != u.end() && it->is_number_integer())
        minutes = std::clamp<int64_t>(it->get<int64_t>(), 0, 24 * 60);
      if (top > 90 || minutes > 0) wait = std::max(wait, std::max<int64_t>(minutes, 1) * 60000);
    }
  }
  return wait;
}

bool facebook_throttled(const HttpResponse& r) {
  if (r.status < 400 || r.status > 499) return false;
  const auto body = nlohmann::json::parse(r.body, nullptr, false);
  // find(), never const operator[]: a missing key there reads freed memory.
  const auto error = body.is_object() ? body.find("error") : body.end();
  if (error == body.end() || !error->is_object()) return false;
  const auto code = error->find("code");
  if (code == error->end() || !code->is_number_integer()) return false;
  const int64_t c = code->get<int64_t>();
  return c == 4 || c == 17 || c == 32 || c == 613 || c == 80001;
}

int64_t pacing_delay_ms(const HttpResponse& r, int64_t now_ms) {
  const auto remaining = parse_int(first_header(r, {"x-ratelimit-remaining", "x-rate-limit-remaining", "ratelimit-remaining"}));
  if (!remaining) return 0;
  const auto limit = parse_int(first_header(r, {"x-ratelimit-limit", "x-rate-limit-limit", "ratelimit-limit"}));
  const bool low = limit && *limit > 0 ? *remaining * 10 <= *limit : *remaining <= 5;
  if (!low) return 0;
  HttpResponse no_retry_after = r;
  std::erase_if(no_retry_after.headers, [](const auto& h) { return h.first == "retry-after"; });
  const auto reset = rate_limit_reset_ms(no_retry_after, now_ms);
  if (!reset || *reset <= now_ms) return 0;
  return (*reset - now_ms) / (std::max<int64_t>(0, *remaining) + 1);
}

int64_t backoff_ms(int attempt, const RetryPolicy& p, std::mt19937_64& rng) {
  int64_t d = p.base_backoff_ms;
  for (int i = 1; i < attempt && d < p.max_backoff_ms; ++i) d *= 2;
  d = std::min(d, p.max_backoff_ms);
  std::uniform_int_distribution<int64_t> jitter(d / 2, d);
  return jitter(rng);
}

std::optional<int64_t> parse_duration_ms(std::string_view s) {
  if (s.empty()) return std::nullopt;
  size_t i = 0;
  int64_t v = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    if (v > 1'000'000'000'000LL) return std::nullopt;
    v = v * 10 + (s[i++] - '0');
  }
  if (i == 0) return std::nullopt;
  const std::string_view unit = s.substr(i);
  if (unit == "ms") return v;
  if (unit.empty() || unit == "s") return v * 1000;
  if (unit == "m") return v * 60'000;
  if (unit == "h") return v * 3'600'000;
  if (unit == "d") return v * 86'400'000;
  return std::nullopt;
}

std::string format_duration(int64_t ms) {
  if (ms < 1000) return fmt::format("{}ms", ms);
  int64_t s = (ms + 999) / 1000;
  std::string out;
  if (s >= 3600) out += fmt::format("{}h", s / 3600), s %= 3600;
  if (s >= 60) out += fmt::format("{}m", s / 60), s %= 60;
  if (s || out.empty()) out += fmt::format("{}s", s);
  return out;
}

PolicyClient::PolicyClient(HttpClient& inner, const Clock& clock, Sleeper& sleeper, RetryPolicy policy,
                           std::function<void(const std::string&)> log, uint64_t seed)
    : inner_(inner), clock_(clock), sleeper_(sleeper), policy_(policy), log_(std::move(log)), rng_(seed) {}

// Repeating a request must not do anything twice: reads, and writes that
// carry an idempotency key.
bool PolicyClient::retryable(const HttpRequest& req) const {
  if (req.method == "GET" || req.method == "HEAD") return true;
  return std::any_of(req.headers.begin(), req.headers.end(), [](const auto& h) {
    std::string n = h.first;
    std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return n == "idempotency-key";
  });
}

void PolicyClient::wait(int64_t ms, const std::string& why) {
  if (ms <= 0) return;
  if (log_) log_(fmt::format("waiting {} ({})", format_duration(ms), why));
  sleeper_.sleep_ms(ms);
  ++stats_.waits;
  stats_.waited_ms += ms;
}

// A 429: wait until the reset the server names, if that is within
// max_wait; true to send again.
Result<bool> PolicyClient::handle_429(const HttpRequest& req, const HttpResponse& r, int& waits_in_row) {
  const int64_t now = clock_.now_ms();
  const auto reset = rate_limit_reset_ms(r, now);
  const int64_t until = reset ? std::max(*reset, now + 1000) : now + policy_.default_429_wait_ms;
  const std::string when = format_rfc3339_utc((until + 999) / 1000 * 1000);
  if (until - now > policy_.max_wait_ms)
    return Error{Exit::temp_fail, fmt::format("{}: rate limited until {}{}, longer than --max-wait {}: try again after {}",
                                              describe(req), when, reset ? "" : " (no reset time given; assumed)",
                                              format_duration(policy_.max_wait_ms), when)};
  if (++waits_in_row > policy_.max_rate_limit_waits)
    return Error{Exit::temp_fail, fmt::format("{}: still rate limited after {} waits: try again after {}", describe(req),
                                              policy_.max_rate_limit_waits, when)};
  wait(until - now, "rate limited until " + when);
  return true;
}

Result<HttpResponse> PolicyClient::send(const HttpRequest& req) {
  if (auto st = inner_.ready(); !st) return st.error();  // no libcurl: retrying cannot help
  int failures = 0, waits_in_row = 0;
  for (;;) {
    if (const int64_t now = clock_.now_ms(); not_before_ms_ > now)
      wait(std::min(not_before_ms_ - now, policy_.max_wait_ms), "the rate limit budget is low");
    ++stats_.requests;
    auto r = inner_.send(req);
    std::string problem;
    if (!r) {
      if (r.error().code != Exit::unavailable || !retryable(req)) return r;
      problem = r.error().message;
    } else if (r->status == 429 || facebook_throttled(*r)) {
      auto again = handle_429(req, *r, waits_in_row);
      if (!again) return again.error();
      continue;
    } else if (r->status >= 500 && r->status <= 599 && retryable(req)) {
      problem = fmt::format("{}: HTTP {} (the answer began: {})", describe(req), r->status, body_start(r->body));
    } else {
      not_before_ms_ = clock_.now_ms() + std::max(pacing_delay_ms(*r, clock_.now_ms()), facebook_usage_wait_ms(*r));
      return r;
    }
    if (++failures > policy_.max_retries)
      return Error{Exit::unavailable, fmt::format("{}; gave up after {} attempts", problem, failures)};
    const int64_t pause = backoff_ms(failures, policy_, rng_);
    if (log_) log_(fmt::format("retry {} of {} in {}: {}", failures, policy_.max_retries, format_duration(pause), problem));
    ++stats_.retries;
    sleeper_.sleep_ms(pause);
  }
}

}  // namespace socq
