// The reusable core of socq's fake platform servers: a cpp-httplib server
// on 127.0.0.1 with request recording, injectable faults, held responses
// and a rate-limit window. One subclass per platform (mastodon.h, ...)
// answers the API; the control endpoints under /__fake/ are shared.
// Used by the socq-fake binary and in-process by unit tests.
#pragma once
#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace socq::fake {

using json = nlohmann::ordered_json;  // keeps fixture key order in responses
using Clock = std::chrono::system_clock;

// Platform ids are decimal strings of any length (Mastodon's are 18-digit
// snowflakes): compare them as big integers, never through int32/int64.
bool id_less(const std::string& a, const std::string& b);
// The decimal string one larger than `id` (digits only).
std::string id_next(const std::string& id);
// 2026-11-24T13:05:00.000Z
std::string iso8601_ms(Clock::time_point t);
// Percent-encoding as Rails' to_query does it ("types[]" -> "types%5B%5D").
std::string url_encode(const std::string& s);
std::string url_decode(const std::string& s);
// key=value&... (form bodies and query strings), in order, decoded.
std::vector<std::pair<std::string, std::string>> parse_form(const std::string& s);

// A Link header value: "<URL>; rel="next", <URL>; rel="prev"" (either may be empty).
std::string link_header(const std::string& next_url, const std::string& prev_url);

// Id-based pagination as Mastodon does it. `keys` are sorted newest first;
// the result is the page's positions in `keys`, newest first. max_id: older
// than it; since_id: the newest `limit` newer than it; min_id: the `limit`
// immediately newer than it.
struct PageQuery {
  std::string max_id{}, since_id{}, min_id{};
  size_t limit = 20;
};
std::vector<size_t> select_page(const std::vector<std::string>& keys, const PageQuery& q);
// BASE_PATH?k=v&... with `params` ("k=v", already encoded) sorted as Rails'
// to_query sorts them.
std::string page_url(const std::string& base_path, std::vector<std::string> params);

struct Fault {
  std::string path;  // prefix of the request path; "" matches every API path
  std::string kind;  // 429 500 502 slow drop malformed wrong_shape 401
  int times = 1;
  int delay_ms = 5000;
  int reset_in_s = 2;
};

// A fixed window of `limit` requests (platform decides the headers).
struct RateWindow {
  int limit = 300;
  int remaining = 300;
  std::chrono::seconds period{300};
  Clock::time_point reset_at{};
};

class FakeServer {
 public:
  FakeServer();
  virtual ~FakeServer();
  FakeServer(const FakeServer&) = delete;
  FakeServer& operator=(const FakeServer&) = delete;

  // Binds 127.0.0.1:port (0 = any free port) and serves on a thread pool.
  // False with *error filled when the port cannot be bound.
  bool start(int port = 0, std::string* error = nullptr);
  int port() const { return port_; }
  std::string base_url() const;  // http://127.0.0.1:PORT
  // Stops serving; held and slow responses are let go first.
  void stop();

  // A JSON response with the given status.
  static void reply_json(httplib::Response& res, int status, const json& body);

 protected:
  // The platform's API: called for every non-control request that no fault
  // answered. Runs on a pool thread: lock data_mutex_ around shared data.
  virtual void handle_api(const httplib::Request& req, httplib::Response& res) = 0;
  // Platform-specific control endpoints (e.g. POST /__fake/notifications);
  // return false when `req` is not one of them.
  virtual bool handle_control(const httplib::Request&, httplib::Response&) { return false; }
  // The platform's rendering of a fault that needs its error shapes
  // (429, 401, 500, wrong_shape); the core does slow, drop, 502, malformed.
  virtual void render_fault(const Fault& f, const httplib::Request& req, httplib::Response& res) = 0;
  // Fault kinds of the platform's own, besides the common ones (e.g. X's
  // second 429 body form); render_fault renders them.
  virtual bool platform_fault_kind(const std::string&) const { return false; }

  // Takes one request from the rate window; false when it is exhausted.
  // Fills a snapshot of the window for the headers.
  bool take_rate(RateWindow* snapshot);
  RateWindow rate_snapshot();
  void set_rate_limit(int limit);
  // Records a status created through the API (for GET /__fake/posts).
  void record_post(json post);
  std::mutex data_mutex_;  // guards the platform's data

 private:
  void dispatch(const httplib::Request& req, httplib::Response& res);
  bool handle_common_control(const httplib::Request& req, httplib::Response& res);
  void control_add_fault(const json& body, httplib::Response& res);
  void control_clear_faults(const json& body, httplib::Response& res);
  void control_list_faults(const json& body, httplib::Response& res);
  void control_hold(const json& body, httplib::Response& res);
  void control_release(const json& body, httplib::Response& res);
  void control_held(const json& body, httplib::Response& res);
  void control_requests(const json& body, httplib::Response& res);
  void control_posts(const json& body, httplib::Response& res);
  void control_ratelimit(const json& body, httplib::Response& res);
  void control_reset(const json& body, httplib::Response& res);
  bool take_fault(const std::string& path, Fault* out);
  size_t record_request(const httplib::Request& req);
  void finish_request(size_t index, int status, const std::string& fault);
  void hold_if_matching(const std::string& path);
  void sleep_interruptible(int ms);
  void refresh_window_locked(Clock::time_point now);

  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;

  std::mutex mutex_;  // guards everything below
  std::condition_variable wake_;
  bool stopping_ = false;
  std::deque<Fault> faults_;
  struct Hold {
    std::string path;  // prefix of the request path
    int skip = 0;      // matching requests still let through before holding
  };
  std::vector<Hold> holds_;
  uint64_t release_generation_ = 0;
  int held_ = 0;
  json requests_ = json::array();
  json posts_ = json::array();
  RateWindow window_;
};

}  // namespace socq::fake
