#include "tests/fakes/harness.h"

#include <algorithm>
#include <cctype>
#include <ctime>

namespace socq::fake {

bool id_less(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return a.size() < b.size();
  return a < b;
}

std::string id_next(const std::string& id) {
  std::string out = id.empty() ? "0" : id;
  for (size_t i = out.size(); i-- > 0;) {
    if (out[i] != '9') {
      ++out[i];
      return out;
    }
    out[i] = '0';
  }
  return "1" + out;
}

std::string iso8601_ms(Clock::time_point t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms % 1000));
  return out;
}

std::string url_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string url_decode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> parse_form(const std::string& s) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find('&', start);
    if (end == std::string::npos) end = s.size();
    std::string part = s.substr(start, end - start);
    if (!part.empty()) {
      size_t eq = part.find('=');
      if (eq == std::string::npos)
        out.emplace_back(url_decode(part), "");
      else
        out.emplace_back(url_decode(part.substr(0, eq)), url_decode(part.substr(eq + 1)));
    }
    start = end + 1;
  }
  return out;
}

std::string link_header(const std::string& next_url, const std::string& prev_url) {
  std::string out;
  if (!next_url.empty()) out += "<" + next_url + ">; rel=\"next\"";
  if (!prev_url.empty()) {
    if (!out.empty()) out += ", ";
    out += "<" + prev_url + ">; rel=\"prev\"";
  }
  return out;
}

std::vector<size_t> select_page(const std::vector<std::string>& keys, const PageQuery& q) {
  std::vector<size_t> in_range;
  for (size_t i = 0; i < keys.size(); ++i) {
    const std::string& k = keys[i];
    if (!q.max_id.empty() && !id_less(k, q.max_id)) continue;
    if (!q.since_id.empty() && !id_less(q.since_id, k)) continue;
    if (!q.min_id.empty() && !id_less(q.min_id, k)) continue;
    in_range.push_back(i);
  }
  if (in_range.size() <= q.limit) return in_range;
  if (!q.min_id.empty())  // the oldest `limit` of them: right after min_id
    return std::vector<size_t>(in_range.end() - static_cast<std::ptrdiff_t>(q.limit), in_range.end());
  return std::vector<size_t>(in_range.begin(), in_range.begin() + static_cast<std::ptrdiff_t>(q.limit));
}

std::string page_url(const std::string& base_path, std::vector<std::string> params) {
  std::sort(params.begin(), params.end());
  std::string out = base_path;
  for (size_t i = 0; i < params.size(); ++i) out += (i == 0 ? "?" : "&") + params[i];
  return out;
}

// "idempotency-key" -> "Idempotency-Key", so tests read one spelling.
static std::string canonical_header(const std::string& name) {
  std::string out = name;
  bool upper = true;
  for (char& c : out) {
    c = upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
              : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    upper = (c == '-');
  }
  return out;
}

FakeServer::FakeServer() {
  // Held and slow responses each keep a pool thread busy.
  server_.new_task_queue = [] { return new httplib::ThreadPool(32); };
  server_.set_keep_alive_max_count(100);  // like a real server, not cpp-httplib's 5
  auto route = [this](const httplib::Request& req, httplib::Response& res) { dispatch(req, res); };
  server_.Get(".*", route);
  // POST bodies through a content reader: cpp-httplib's own form parsing
  // refuses urlencoded bodies over 8 KB with 413, which Mastodon accepts.
  server_.Post(".*", [this](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& read) {
    httplib::Request full = req;
    read([&](const char* data, size_t n) {
      full.body.append(data, n);
      return true;
    });
    dispatch(full, res);
  });
  server_.Put(".*", route);
  server_.Patch(".*", route);
  server_.Delete(".*", route);
  server_.Options(".*", route);
}

FakeServer::~FakeServer() { stop(); }

bool FakeServer::start(int port, std::string* error) {
  int bound = port == 0 ? server_.bind_to_any_port("127.0.0.1")
                        : (server_.bind_to_port("127.0.0.1", port) ? port : -1);
  if (bound <= 0) {
    if (error) *error = "cannot bind 127.0.0.1:" + std::to_string(port);
    return false;
  }
  port_ = bound;
  {
    std::lock_guard lock(mutex_);
    refresh_window_locked(Clock::now());
  }
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  return true;
}

std::string FakeServer::base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

void FakeServer::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  server_.stop();
  if (thread_.joinable()) thread_.join();
}

void FakeServer::reply_json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json; charset=utf-8");
}

void FakeServer::dispatch(const httplib::Request& req, httplib::Response& res) {
  if (req.path.rfind("/__fake/", 0) == 0) {
    if (!handle_common_control(req, res) && !handle_control(req, res))
      reply_json(res, 404, {{"error", "no such control endpoint: " + req.method + " " + req.path}});
    return;
  }
  size_t index = record_request(req);
  Fault fault;
  bool faulted = take_fault(req.path, &fault);
  std::string slow;  // recorded as the request's fault once it is answered
  if (faulted && fault.kind == "slow") {
    sleep_interruptible(fault.delay_ms);
    faulted = false;
    slow = fault.kind;
  }
  if (faulted) {
    if (fault.kind == "502") {
      res.status = 502;
      res.set_content("<html><body><h1>502 Bad Gateway</h1></body></html>\n", "text/html");
    } else if (fault.kind == "malformed") {
      res.status = 200;
      res.set_content("[{\"id\":\"100000001\",\"type\":\"mention\",\"created_at\":\"2026-11-2", "application/json; charset=utf-8");
    } else if (fault.kind == "drop") {
      // Headers promise 4096 bytes; a part is sent, then the provider fails
      // and cpp-httplib closes the connection mid-body.
      res.status = 200;
      res.set_content_provider(4096, "application/json; charset=utf-8",
                               [](size_t, size_t, httplib::DataSink& sink) {
                                 std::string part = "[{\"id\":\"100000001\",\"type\":\"mention\",";
                                 sink.write(part.data(), part.size());
                                 return false;
                               });
    } else {
      render_fault(fault, req, res);
    }
    finish_request(index, res.status, fault.kind);
    return;
  }
  handle_api(req, res);
  finish_request(index, res.status, slow);
  hold_if_matching(req.path);
}

static int json_int(const json& body, const char* key, int fallback) {
  auto it = body.find(key);
  if (it == body.end() || !it->is_number_integer()) return fallback;
  return it->get<int>();
}

static const char* kFaultKinds[] = {"429", "500", "502", "slow", "drop", "malformed", "wrong_shape", "401"};

// The shared control endpoints, one small function each.
struct ControlRoute {
  const char* method;
  const char* path;
  void (FakeServer::*handler)(const json& body, httplib::Response& res);
};

bool FakeServer::handle_common_control(const httplib::Request& req, httplib::Response& res) {
  static const ControlRoute routes[] = {
      {"POST", "/__fake/faults", &FakeServer::control_add_fault},
      {"DELETE", "/__fake/faults", &FakeServer::control_clear_faults},
      {"GET", "/__fake/faults", &FakeServer::control_list_faults},
      {"POST", "/__fake/hold", &FakeServer::control_hold},
      {"POST", "/__fake/release", &FakeServer::control_release},
      {"GET", "/__fake/held", &FakeServer::control_held},
      {"GET", "/__fake/requests", &FakeServer::control_requests},
      {"GET", "/__fake/posts", &FakeServer::control_posts},
      {"POST", "/__fake/ratelimit", &FakeServer::control_ratelimit},
      {"POST", "/__fake/reset", &FakeServer::control_reset},
  };
  for (const auto& r : routes) {
    if (req.method != r.method || req.path != r.path) continue;
    json body = json::parse(req.body.empty() ? "null" : req.body, nullptr, false);
    (this->*r.handler)(body, res);
    return true;
  }
  return false;
}

void FakeServer::control_add_fault(const json& body, httplib::Response& res) {
  if (!body.is_object() || !body.value("kind", json()).is_string())
    return reply_json(res, 400, {{"error", "body must be {\"path\":..., \"kind\":...}"}});
  Fault f;
  f.path = body.value("path", std::string());
  f.kind = body["kind"].get<std::string>();
  if (std::find(std::begin(kFaultKinds), std::end(kFaultKinds), f.kind) == std::end(kFaultKinds) &&
      !platform_fault_kind(f.kind))
    return reply_json(res, 400, {{"error", "unknown fault kind: " + f.kind}});
  f.times = json_int(body, "times", 1);
  f.delay_ms = json_int(body, "delay_ms", 5000);
  f.reset_in_s = json_int(body, "reset_in_s", 2);
  std::lock_guard lock(mutex_);
  faults_.push_back(f);
  reply_json(res, 200, {{"pending", faults_.size()}});
}

void FakeServer::control_clear_faults(const json&, httplib::Response& res) {
  std::lock_guard lock(mutex_);
  faults_.clear();
  reply_json(res, 200, {{"pending", 0}});
}

void FakeServer::control_list_faults(const json&, httplib::Response& res) {
  std::lock_guard lock(mutex_);
  json out = json::array();
  for (const auto& f : faults_) out.push_back({{"path", f.path}, {"kind", f.kind}, {"times", f.times}});
  reply_json(res, 200, out);
}

void FakeServer::control_hold(const json& body, httplib::Response& res) {
  Hold hold;
  if (body.is_object()) {
    hold.path = body.value("path", std::string());
    hold.skip = json_int(body, "skip", 0);
  }
  std::lock_guard lock(mutex_);
  holds_.push_back(hold);
  reply_json(res, 200, {{"holds", holds_.size()}});
}

void FakeServer::control_release(const json&, httplib::Response& res) {
  int released;
  {
    std::lock_guard lock(mutex_);
    released = held_;
    holds_.clear();
    ++release_generation_;
  }
  wake_.notify_all();
  reply_json(res, 200, {{"released", released}});
}

void FakeServer::control_held(const json&, httplib::Response& res) {
  std::lock_guard lock(mutex_);
  reply_json(res, 200, {{"held", held_}});
}

void FakeServer::control_requests(const json&, httplib::Response& res) {
  std::lock_guard lock(mutex_);
  reply_json(res, 200, requests_);
}

void FakeServer::control_posts(const json&, httplib::Response& res) {
  std::lock_guard lock(mutex_);
  reply_json(res, 200, posts_);
}

void FakeServer::control_ratelimit(const json& body, httplib::Response& res) {
  std::lock_guard lock(mutex_);
  refresh_window_locked(Clock::now());
  if (body.is_object()) {
    window_.limit = json_int(body, "limit", window_.limit);
    window_.remaining = json_int(body, "remaining", window_.remaining);
    // A window of its own length, so a test is not cut by the 5-minute boundary.
    if (body.contains("reset_in_s"))
      window_.reset_at = Clock::now() + std::chrono::seconds(json_int(body, "reset_in_s", 300));
  }
  reply_json(res, 200, {{"limit", window_.limit}, {"remaining", window_.remaining},
                        {"reset", iso8601_ms(window_.reset_at)}});
}

void FakeServer::control_reset(const json&, httplib::Response& res) {
  {
    std::lock_guard lock(mutex_);
    requests_ = json::array();
    posts_ = json::array();
    faults_.clear();
    holds_.clear();
    ++release_generation_;
    window_.remaining = window_.limit;
  }
  wake_.notify_all();
  reply_json(res, 200, json::object());
}

bool FakeServer::take_fault(const std::string& path, Fault* out) {
  std::lock_guard lock(mutex_);
  for (auto it = faults_.begin(); it != faults_.end(); ++it) {
    if (path.rfind(it->path, 0) != 0) continue;
    *out = *it;
    if (--it->times <= 0) faults_.erase(it);
    return true;
  }
  return false;
}

size_t FakeServer::record_request(const httplib::Request& req) {
  json headers = json::object();
  for (const auto& [name, value] : req.headers) {
    std::string key = canonical_header(name);
    if (headers.contains(key))
      headers[key] = headers[key].get<std::string>() + ", " + value;
    else
      headers[key] = value;
  }
  size_t q = req.target.find('?');
  std::string query = q == std::string::npos ? "" : req.target.substr(q + 1);
  json entry = {{"method", req.method}, {"path", req.path}, {"query", query},
                {"headers", headers}, {"body", req.body}, {"status", nullptr}};
  std::lock_guard lock(mutex_);
  requests_.push_back(std::move(entry));
  return requests_.size() - 1;
}

void FakeServer::finish_request(size_t index, int status, const std::string& fault) {
  std::lock_guard lock(mutex_);
  if (index >= requests_.size()) return;  // forgotten by /__fake/reset meanwhile
  requests_[index]["status"] = status;
  if (!fault.empty()) requests_[index]["fault"] = fault;
}

void FakeServer::hold_if_matching(const std::string& path) {
  std::unique_lock lock(mutex_);
  auto hold = std::find_if(holds_.begin(), holds_.end(), [&](const Hold& h) { return path.rfind(h.path, 0) == 0; });
  if (hold == holds_.end()) return;
  if (hold->skip > 0) {
    --hold->skip;
    return;
  }
  uint64_t generation = release_generation_;
  ++held_;
  wake_.wait(lock, [&] { return stopping_ || release_generation_ != generation; });
  --held_;
}

void FakeServer::sleep_interruptible(int ms) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, std::chrono::milliseconds(ms), [&] { return stopping_; });
}

void FakeServer::refresh_window_locked(Clock::time_point now) {
  if (now < window_.reset_at) return;
  // Windows aligned to the period, as Rack::Attack counts them.
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch());
  auto start = secs - secs % window_.period;
  window_.reset_at = Clock::time_point(start + window_.period);
  window_.remaining = window_.limit;
}

bool FakeServer::take_rate(RateWindow* snapshot) {
  std::lock_guard lock(mutex_);
  refresh_window_locked(Clock::now());
  bool ok = window_.remaining > 0;
  if (ok) --window_.remaining;
  *snapshot = window_;
  return ok;
}

RateWindow FakeServer::rate_snapshot() {
  std::lock_guard lock(mutex_);
  refresh_window_locked(Clock::now());
  return window_;
}

void FakeServer::set_rate_limit(int limit) {
  std::lock_guard lock(mutex_);
  window_.limit = limit;
  window_.remaining = limit;
}

void FakeServer::record_post(json post) {
  std::lock_guard lock(mutex_);
  posts_.push_back(std::move(post));
}

}  // namespace socq::fake
