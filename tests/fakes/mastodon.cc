#include "tests/fakes/mastodon.h"

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>

#include "tests/fakes/mastodon_compose.h"

namespace socq::fake {

namespace {

const char* kInvalidToken = "The access token is invalid";

json error_body(const std::string& message) { return {{"error", message}}; }

bool read_file(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

// Reads DIR/NAME as JSON; a missing optional file gives `fallback`.
bool read_json(const std::string& dir, const std::string& name, bool required, const json& fallback, json* out,
               std::string* error) {
  std::string path = dir + "/" + name, text;
  if (!read_file(path, &text)) {
    if (!required) {
      *out = fallback;
      return true;
    }
    *error = path + ": cannot read";
    return false;
  }
  try {
    *out = json::parse(text);
  } catch (const json::parse_error& e) {
    *error = path + ": " + e.what();
    return false;
  }
  return true;
}

bool is_id(const json& v) { return v.is_string() && !v.get<std::string>().empty(); }

// The problem with a notification object, or "".
std::string notification_problem(const json& n) {
  if (!n.is_object()) return "not an object";
  if (!is_id(n.value("id", json()))) return "id: must be a non-empty string";
  if (!n.value("type", json()).is_string()) return "type: must be a string";
  if (n.contains("status") && !n["status"].is_null() && !is_id(n["status"].value("id", json())))
    return "status.id: must be a non-empty string";
  return "";
}

std::string conversation_problem(const json& c) {
  if (!c.is_object()) return "not an object";
  if (!is_id(c.value("id", json()))) return "id: must be a non-empty string";
  if (!c.value("last_status", json()).is_object() || !is_id(c["last_status"].value("id", json())))
    return "last_status.id: must be a non-empty string";
  return "";
}

// Every value of a query parameter given as `name[]` or `name` (repeated
// or comma-less single value), in order.
std::vector<std::string> array_param(const httplib::Request& req, const std::string& name) {
  std::vector<std::string> out;
  for (const std::string& key : {name + "[]", name}) {
    auto range = req.params.equal_range(key);
    for (auto it = range.first; it != range.second; ++it) out.push_back(it->second);
  }
  return out;
}

std::string param(const httplib::Request& req, const std::string& name) {
  return req.has_param(name) ? req.get_param_value(name) : "";
}

size_t limit_param(const httplib::Request& req, size_t fallback, size_t max) {
  std::string v = param(req, "limit");
  if (v.empty()) return fallback;
  long n = std::strtol(v.c_str(), nullptr, 10);
  if (n < 0) n = -n;
  if (n == 0) return fallback;
  return std::min(static_cast<size_t>(n), max);
}

PageQuery page_query(const httplib::Request& req, size_t fallback, size_t max) {
  PageQuery q;
  q.max_id = param(req, "max_id");
  q.since_id = param(req, "since_id");
  q.min_id = param(req, "min_id");
  q.limit = limit_param(req, fallback, max);
  return q;
}

std::string status_id(const json& s) { return s.value("id", std::string()); }

int64_t snowflake_now() {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch()).count();
  return (static_cast<int64_t>(ms) << 16) + 1000;
}

}  // namespace

std::string default_mastodon_fixtures() { return SOCQ_FAKE_FIXTURES_DIR "/mastodon"; }

MastodonFake::MastodonFake(MastodonOptions options) : options_(std::move(options)) {
  set_rate_limit(options_.rate_limit);
}

MastodonFake::~MastodonFake() { stop(); }

bool MastodonFake::load(std::string* error) {
  const std::string& dir = options_.fixtures;
  json account, instance, notifications, conversations, statuses;
  if (!read_json(dir, "account.json", true, json(), &account, error) ||
      !read_json(dir, "instance.json", true, json(), &instance, error) ||
      !read_json(dir, "notifications.json", false, json::array(), &notifications, error) ||
      !read_json(dir, "conversations.json", false, json::array(), &conversations, error) ||
      !read_json(dir, "statuses.json", false, json::array(), &statuses, error))
    return false;
  if (!account.is_object() || !is_id(account.value("id", json()))) {
    *error = dir + "/account.json: id: must be a non-empty string";
    return false;
  }
  for (const auto& [name, value] : {std::pair<std::string, json*>{"notifications.json", &notifications},
                                    {"conversations.json", &conversations}, {"statuses.json", &statuses}}) {
    if (!value->is_array()) {
      *error = dir + "/" + name + ": must be a JSON array";
      return false;
    }
    for (size_t i = 0; i < value->size(); ++i) {
      const json& item = (*value)[i];
      std::string problem = name == "notifications.json"   ? notification_problem(item)
                            : name == "conversations.json" ? conversation_problem(item)
                            : (item.is_object() && is_id(item.value("id", json())) ? "" : "id: must be a non-empty string");
      if (!problem.empty()) {
        *error = dir + "/" + name + ": item " + std::to_string(i) + ": " + problem;
        return false;
      }
    }
  }
  std::string tokens_text;
  if (read_file(dir + "/tokens", &tokens_text)) {
    std::istringstream lines(tokens_text);
    for (std::string line; std::getline(lines, line);) {
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
      if (!line.empty() && line[0] != '#') tokens_.insert(line);
    }
  }
  for (const auto& t : options_.tokens) tokens_.insert(t);

  std::lock_guard lock(data_mutex_);
  account_ = account;
  instance_ = instance;
  accounts_[account["id"].get<std::string>()] = account;
  for (const auto& s : statuses) add_status_locked(s);
  for (auto& n : notifications) add_notification_locked(n);
  for (auto& c : conversations) add_conversation_locked(c);
  sort_locked();
  return true;
}

void MastodonFake::add_status_locked(const json& s) {
  statuses_[status_id(s)] = s;
  if (s.contains("account")) remember_account_locked(s["account"]);
}

// Replaces the item with the same id, or appends it.
static void upsert_by_id(std::vector<json>& items, json item) {
  std::string id = item["id"].get<std::string>();
  auto same = std::find_if(items.begin(), items.end(), [&](const json& x) { return x["id"].get<std::string>() == id; });
  if (same != items.end())
    *same = std::move(item);
  else
    items.push_back(std::move(item));
}

void MastodonFake::remember_account_locked(const json& a) {
  if (a.is_object() && is_id(a.value("id", json()))) accounts_[a["id"].get<std::string>()] = a;
}

void MastodonFake::add_notification_locked(json n) {
  if (n.contains("account")) remember_account_locked(n["account"]);
  if (n.contains("status") && n["status"].is_object()) add_status_locked(n["status"]);
  upsert_by_id(notifications_, std::move(n));
}

void MastodonFake::add_conversation_locked(json c) {
  add_status_locked(c["last_status"]);
  if (c.contains("accounts") && c["accounts"].is_array())
    for (const auto& a : c["accounts"]) remember_account_locked(a);
  upsert_by_id(conversations_, std::move(c));
}

void MastodonFake::sort_locked() {
  std::sort(notifications_.begin(), notifications_.end(), [](const json& a, const json& b) {
    return id_less(b["id"].get<std::string>(), a["id"].get<std::string>());
  });
  std::sort(conversations_.begin(), conversations_.end(), [](const json& a, const json& b) {
    return id_less(status_id(b["last_status"]), status_id(a["last_status"]));
  });
}

std::string MastodonFake::newest_status_id_locked() const {
  std::string newest = "0";
  for (const auto& [id, s] : statuses_)
    if (id_less(newest, id)) newest = id;
  return newest;
}

// ---- requests ------------------------------------------------------------

bool MastodonFake::authorized(const httplib::Request& req, bool required, std::string* token) {
  std::string auth = req.get_header_value("Authorization");
  if (auth.empty()) return !required;
  const std::string prefix = "Bearer ";
  if (auth.size() <= prefix.size() || !std::equal(prefix.begin(), prefix.end(), auth.begin(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
      }))
    return false;
  *token = auth.substr(prefix.size());
  return tokens_.count(*token) > 0;
}

void MastodonFake::rate_headers(const RateWindow& w, httplib::Response& res) {
  res.set_header("X-RateLimit-Limit", std::to_string(w.limit));
  res.set_header("X-RateLimit-Remaining", std::to_string(w.remaining));
  res.set_header("X-RateLimit-Reset", iso8601_ms(w.reset_at));
}

static void invalid_token(httplib::Response& res) {
  res.set_header("WWW-Authenticate",
                 "Bearer realm=\"Doorkeeper\", error=\"invalid_token\", error_description=\"The access token is invalid\"");
  FakeServer::reply_json(res, 401, error_body(kInvalidToken));
}

void MastodonFake::handle_api(const httplib::Request& req, httplib::Response& res) {
  RateWindow w;
  if (!take_rate(&w)) {
    rate_headers(w, res);
    reply_json(res, 429, error_body("Too many requests"));
    return;
  }
  rate_headers(w, res);
  // Reading notifications and DMs, posting and verify_credentials need a
  // token; the public reads take one when given.
  const std::string& p = req.path;
  bool required = p == "/api/v1/accounts/verify_credentials" || p.rfind("/api/v1/notifications", 0) == 0 ||
                  p.rfind("/api/v1/conversations", 0) == 0 || req.method != "GET";
  std::string token;
  if (!authorized(req, required, &token)) {
    invalid_token(res);
    return;
  }
  route(req, res, token);
}

void MastodonFake::route(const httplib::Request& req, httplib::Response& res, const std::string& token) {
  static const std::regex status_re("^/api/v1/statuses/([0-9A-Za-z]+)$");
  static const std::regex context_re("^/api/v1/statuses/([0-9A-Za-z]+)/context$");
  static const std::regex account_re("^/api/v1/accounts/([0-9A-Za-z]+)$");
  static const std::regex notification_re("^/api/v1/notifications/([0-9A-Za-z]+)$");
  const std::string& p = req.path;
  std::smatch m;
  if (req.method == "GET") {
    if (p == "/api/v1/accounts/verify_credentials") {
      std::lock_guard lock(data_mutex_);
      json me = account_;
      me["source"] = {{"privacy", "public"}, {"sensitive", false}, {"language", "en"},
                      {"note", ""}, {"fields", json::array()}, {"follow_requests_count", 0}};
      return reply_json(res, 200, me);
    }
    if (p == "/api/v2/instance") {
      std::lock_guard lock(data_mutex_);
      return reply_json(res, 200, instance_);
    }
    if (p == "/api/v1/notifications") return list_notifications(req, res);
    if (p == "/api/v1/conversations") return list_conversations(req, res);
    if (std::regex_match(p, m, context_re)) return show_context(m[1], res);
    if (std::regex_match(p, m, status_re)) return show_status(m[1], res);
    if (std::regex_match(p, m, account_re)) return show_account(m[1], res);
    if (std::regex_match(p, m, notification_re)) return show_notification(m[1], res);
  }
  if (req.method == "POST" && p == "/api/v1/statuses") return post_status(req, res, token);
  reply_json(res, 404, error_body("Record not found"));
}

void MastodonFake::list_notifications(const httplib::Request& req, httplib::Response& res) {
  std::vector<std::string> types = array_param(req, "types");
  std::vector<std::string> excluded = array_param(req, "exclude_types");
  PageQuery q = page_query(req, 40, 80);
  json page = json::array();
  {
    std::lock_guard lock(data_mutex_);
    std::vector<const json*> kept;
    for (const auto& n : notifications_) {
      std::string type = n["type"].get<std::string>();
      if (!types.empty() && std::find(types.begin(), types.end(), type) == types.end()) continue;
      if (std::find(excluded.begin(), excluded.end(), type) != excluded.end()) continue;
      kept.push_back(&n);
    }
    std::vector<std::string> keys;
    for (const json* n : kept) keys.push_back((*n)["id"].get<std::string>());
    for (size_t i : select_page(keys, q)) page.push_back(*kept[i]);
  }
  if (!page.empty()) {
    std::vector<std::string> params = {"limit=" + std::to_string(q.limit)};
    for (const auto& t : types) params.push_back("types%5B%5D=" + url_encode(t));
    for (const auto& t : excluded) params.push_back("exclude_types%5B%5D=" + url_encode(t));
    std::string base = base_url() + "/api/v1/notifications";
    auto next = params, prev = params;
    next.push_back("max_id=" + page.back()["id"].get<std::string>());
    prev.push_back("min_id=" + page.front()["id"].get<std::string>());
    res.set_header("Link", link_header(page_url(base, next), page_url(base, prev)));
  }
  reply_json(res, 200, page);
}

// Conversations page by their last status id, as Mastodon's
// AccountConversation does: max_id/min_id in the Link header are last_status
// ids, not conversation ids.
void MastodonFake::list_conversations(const httplib::Request& req, httplib::Response& res) {
  PageQuery q = page_query(req, 20, 40);
  json page = json::array();
  {
    std::lock_guard lock(data_mutex_);
    std::vector<std::string> keys;
    for (const auto& c : conversations_) keys.push_back(status_id(c["last_status"]));
    for (size_t i : select_page(keys, q)) page.push_back(conversations_[i]);
  }
  if (!page.empty()) {
    std::vector<std::string> params = {"limit=" + std::to_string(q.limit)};
    std::string base = base_url() + "/api/v1/conversations";
    auto next = params, prev = params;
    next.push_back("max_id=" + status_id(page.back()["last_status"]));
    prev.push_back("min_id=" + status_id(page.front()["last_status"]));
    res.set_header("Link", link_header(page_url(base, next), page_url(base, prev)));
  }
  reply_json(res, 200, page);
}

void MastodonFake::show_status(const std::string& id, httplib::Response& res) {
  std::lock_guard lock(data_mutex_);
  auto it = statuses_.find(id);
  if (it == statuses_.end()) return reply_json(res, 404, error_body("Record not found"));
  reply_json(res, 200, it->second);
}

void MastodonFake::show_context(const std::string& id, httplib::Response& res) {
  std::lock_guard lock(data_mutex_);
  if (!statuses_.count(id)) return reply_json(res, 404, error_body("Record not found"));
  json ancestors = json::array();
  std::string up = statuses_[id].value("in_reply_to_id", json()).is_string() ? statuses_[id]["in_reply_to_id"].get<std::string>() : "";
  std::set<std::string> seen = {id};
  while (!up.empty() && statuses_.count(up) && seen.insert(up).second) {
    ancestors.insert(ancestors.begin(), statuses_[up]);
    const json& parent = statuses_[up]["in_reply_to_id"];
    up = parent.is_string() ? parent.get<std::string>() : "";
  }
  // Descendants: every status whose reply chain reaches `id`, oldest first.
  std::vector<std::string> found;
  std::vector<std::string> frontier = {id};
  while (!frontier.empty()) {
    std::string parent = frontier.back();
    frontier.pop_back();
    for (const auto& [sid, s] : statuses_) {
      const json& r = s.value("in_reply_to_id", json());
      if (r.is_string() && r.get<std::string>() == parent && seen.insert(sid).second) {
        found.push_back(sid);
        frontier.push_back(sid);
      }
    }
  }
  std::sort(found.begin(), found.end(), id_less);
  json descendants = json::array();
  for (const auto& sid : found) descendants.push_back(statuses_[sid]);
  reply_json(res, 200, {{"ancestors", ancestors}, {"descendants", descendants}});
}

void MastodonFake::show_notification(const std::string& id, httplib::Response& res) {
  std::lock_guard lock(data_mutex_);
  for (const auto& n : notifications_)
    if (n["id"].get<std::string>() == id) return reply_json(res, 200, n);
  reply_json(res, 404, error_body("Record not found"));
}

void MastodonFake::show_account(const std::string& id, httplib::Response& res) {
  std::lock_guard lock(data_mutex_);
  auto it = accounts_.find(id);
  if (it == accounts_.end()) return reply_json(res, 404, error_body("Record not found"));
  reply_json(res, 200, it->second);
}

// The request's fields: query string, then a form or JSON body.
static std::map<std::string, std::string> status_fields(const httplib::Request& req, bool* bad_json) {
  std::map<std::string, std::string> f;
  size_t q = req.target.find('?');
  if (q != std::string::npos)
    for (auto& [k, v] : parse_form(req.target.substr(q + 1))) f[k] = v;
  std::string type = req.get_header_value("Content-Type");
  if (type.find("application/json") != std::string::npos) {
    json body = json::parse(req.body, nullptr, false);
    if (!body.is_object()) {
      *bad_json = true;
      return f;
    }
    for (auto& [k, v] : body.items()) {
      if (v.is_string()) f[k] = v.get<std::string>();
      else if (v.is_boolean()) f[k] = v.get<bool>() ? "true" : "false";
      else if (v.is_number()) f[k] = v.dump();
    }
  } else {
    for (auto& [k, v] : parse_form(req.body)) f[k] = v;
  }
  return f;
}

static bool blank(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c); });
}

void MastodonFake::post_status(const httplib::Request& req, httplib::Response& res, const std::string& token) {
  bool bad_json = false;
  auto f = status_fields(req, &bad_json);
  if (bad_json) return reply_json(res, 400, error_body("Error occurred while parsing request parameters"));
  std::string key = req.get_header_value("Idempotency-Key");
  std::lock_guard lock(data_mutex_);
  if (!key.empty()) {
    auto seen = idempotent_.find({token, key});
    if (seen != idempotent_.end()) return reply_json(res, 200, statuses_[seen->second]);
  }
  const std::string text = f["status"];
  if (blank(text)) return reply_json(res, 422, error_body("Validation failed: Text can't be blank"));
  std::string visibility = f.count("visibility") && !f["visibility"].empty() ? f["visibility"] : "public";
  if (visibility != "public" && visibility != "unlisted" && visibility != "private" && visibility != "direct")
    return reply_json(res, 422, error_body("Validation failed: Visibility is not included in the list"));
  const json& limits = instance_["configuration"]["statuses"];
  size_t max_chars = limits.value("max_characters", 500);
  size_t url_chars = limits.value("characters_reserved_per_url", 23);
  if (mastodon_length(text, url_chars) > max_chars)
    return reply_json(res, 422, error_body("Validation failed: Text character limit of " + std::to_string(max_chars) +
                                           " exceeded"));
  std::string reply_to = f["in_reply_to_id"];
  json parent;
  if (!reply_to.empty()) {
    if (!statuses_.count(reply_to))
      return reply_json(res, 404, error_body("The post you are trying to reply to does not appear to exist."));
    parent = statuses_[reply_to];
  }
  std::string id = id_next(newest_status_id_locked());
  std::string now_id = std::to_string(snowflake_now());
  if (id_less(id, now_id)) id = now_id;
  Composed composed = compose_html(text, [this](const std::string& handle) -> json {
    for (const auto& [aid, a] : accounts_)
      if (a.value("acct", "") == handle || (a.value("username", "") == handle && a.value("acct", "") == handle)) return a;
    return json();
  });
  std::string url = account_.value("url", "https://transit.social/@northrail");
  json status = {
      {"id", id}, {"created_at", iso8601_ms(Clock::now())},
      {"in_reply_to_id", reply_to.empty() ? json() : json(reply_to)},
      {"in_reply_to_account_id", parent.is_object() ? parent["account"]["id"] : json()},
      {"sensitive", f["sensitive"] == "true"}, {"spoiler_text", f["spoiler_text"]}, {"visibility", visibility},
      {"language", f["language"].empty() ? json("en") : json(f["language"])},
      {"uri", account_.value("uri", url) + "/statuses/" + id}, {"url", url + "/" + id},
      {"replies_count", 0}, {"reblogs_count", 0}, {"favourites_count", 0}, {"edited_at", nullptr},
      {"content", composed.html}, {"reblog", nullptr},
      {"application", {{"name", "socq"}, {"website", nullptr}}}, {"account", account_},
      {"media_attachments", json::array()}, {"mentions", composed.mentions}, {"tags", json::array()},
      {"emojis", json::array()}, {"card", nullptr}, {"poll", nullptr}};
  add_status_locked(status);
  if (!key.empty()) idempotent_[{token, key}] = id;
  // A direct reply continues the conversation it answers.
  for (auto& c : conversations_)
    if (visibility == "direct" && status_id(c["last_status"]) == reply_to) {
      c["last_status"] = status;
      c["unread"] = false;
    }
  sort_locked();
  record_post({{"id", id}, {"status", text}, {"in_reply_to_id", reply_to.empty() ? json() : json(reply_to)},
               {"visibility", visibility}, {"idempotency_key", key.empty() ? json() : json(key)}, {"token", token},
               {"spoiler_text", f["spoiler_text"]}, {"language", f["language"]}});
  reply_json(res, 200, status);
}

// ---- control and faults --------------------------------------------------

bool MastodonFake::handle_control(const httplib::Request& req, httplib::Response& res) {
  if (req.method != "POST") return false;
  bool notifications = req.path == "/__fake/notifications";
  bool conversations = req.path == "/__fake/conversations";
  bool statuses = req.path == "/__fake/statuses";
  if (!notifications && !conversations && !statuses) return false;
  json items = json::parse(req.body, nullptr, false);
  if (!items.is_array()) {
    reply_json(res, 400, error_body("body must be a JSON array"));
    return true;
  }
  for (size_t i = 0; i < items.size(); ++i) {
    std::string problem = notifications   ? notification_problem(items[i])
                          : conversations ? conversation_problem(items[i])
                          : (items[i].is_object() && is_id(items[i].value("id", json())) ? "" : "id: must be a non-empty string");
    if (!problem.empty()) {
      reply_json(res, 400, error_body("item " + std::to_string(i) + ": " + problem));
      return true;
    }
  }
  std::lock_guard lock(data_mutex_);
  for (auto& item : items) {
    if (notifications) add_notification_locked(item);
    else if (conversations) add_conversation_locked(item);
    else add_status_locked(item);
  }
  sort_locked();
  reply_json(res, 200, {{"added", items.size()}, {"notifications", notifications_.size()},
                        {"conversations", conversations_.size()}, {"statuses", statuses_.size()}});
  return true;
}

void MastodonFake::render_fault(const Fault& f, const httplib::Request& req, httplib::Response& res) {
  RateWindow w = rate_snapshot();
  if (f.kind == "429") {
    w.remaining = 0;
    w.reset_at = Clock::now() + std::chrono::seconds(f.reset_in_s);
    rate_headers(w, res);
    return reply_json(res, 429, error_body("Too many requests"));
  }
  rate_headers(w, res);
  if (f.kind == "401") return invalid_token(res);
  if (f.kind == "500") return reply_json(res, 500, error_body("Internal server error"));
  // wrong_shape: an object where a list is expected, a list where an object is.
  bool list = req.path == "/api/v1/notifications" || req.path == "/api/v1/conversations";
  if (list) return reply_json(res, 200, {{"id", "100000001"}, {"type", "mention"}, {"notifications", json::array()}});
  reply_json(res, 200, json::array({{{"id", "100000001"}}}));
}

}  // namespace socq::fake
