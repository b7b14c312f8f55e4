#include "tests/fakes/facebook.h"

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>

namespace socq::fake {

namespace {

bool slurp(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

bool load_json(const std::string& dir, const std::string& name, json* out, std::string* error) {
  std::string text;
  if (!slurp(dir + "/" + name, &text)) {
    *error = dir + "/" + name + ": cannot read";
    return false;
  }
  *out = json::parse(text, nullptr, false);
  if (out->is_discarded()) *error = dir + "/" + name + ": not valid JSON";
  return !out->is_discarded();
}

std::string sv(const json& j, const char* key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Graph's error body.
json graph_error(const std::string& message, const std::string& type, int code, int subcode = 0) {
  json e = {{"message", message}, {"type", type}, {"code", code}, {"fbtrace_id", "AbCdEfGh123"}};
  if (subcode) e["error_subcode"] = subcode;
  if (code == 4 || code == 17 || code == 32 || code == 613 || code == 80001) e["is_transient"] = true;
  return {{"error", e}};
}

// "2026-11-20T08:00:00+0000" -> seconds since the epoch (UTC only).
int64_t graph_seconds(const std::string& s) {
  std::tm tm{};
  if (s.size() < 19 || !strptime(s.substr(0, 19).c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) return 0;
  return static_cast<int64_t>(timegm(&tm));
}

std::string graph_time(Clock::time_point t) {
  std::time_t secs = Clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S+0000", &tm);
  return buf;
}

std::string after_token(size_t offset) { return "QVFIU" + std::to_string(offset); }
size_t token_offset(const std::string& t) {
  if (t.rfind("QVFIU", 0) != 0 || t.size() == 5 || t.find_first_not_of("0123456789", 5) != std::string::npos) return 0;
  return std::stoul(t.substr(5));
}

int limit_of(const std::map<std::string, std::string>& params, int fallback) {
  auto it = params.find("limit");
  if (it == params.end() || it->second.empty() || it->second.size() > 4 || it->second.find_first_not_of("0123456789") != std::string::npos)
    return fallback;
  return std::clamp(std::stoi(it->second), 1, 100);
}

json without(json j, const char* key) {
  j.erase(key);
  return j;
}

}  // namespace

std::string default_facebook_fixtures() { return SOCQ_FAKE_FIXTURES_DIR "/facebook"; }

FacebookFake::FacebookFake(FacebookOptions options) : options_(std::move(options)) { set_rate_limit(options_.rate_limit); }

FacebookFake::~FacebookFake() { stop(); }

bool FacebookFake::load(std::string* error) {
  const std::string& dir = options_.fixtures;
  json feed, convs;
  if (!load_json(dir, "page.json", &page_, error) || !load_json(dir, "feed.json", &feed, error) ||
      !load_json(dir, "conversations.json", &convs, error))
    return false;
  if (sv(page_, "id").empty()) {
    *error = dir + "/page.json: an id is needed";
    return false;
  }
  for (const auto& p : feed) posts_.push_back(p);
  for (const auto& c : convs) conversations_.push_back(c);
  std::string text;
  if (slurp(dir + "/tokens", &text)) {
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line))
      if (!line.empty() && line[0] != '#') tokens_.insert(line);
  }
  for (const auto& t : options_.tokens) tokens_.insert(t);
  return true;
}

void FacebookFake::usage_header(httplib::Response& res, int percent, int minutes) {
  json usage = {{sv(page_, "id"), json::array({{{"type", "pages"}, {"call_count", percent}, {"total_cputime", percent / 2},
                                                 {"total_time", percent / 2}, {"estimated_time_to_regain_access", minutes}}})}};
  res.headers.erase("X-Business-Use-Case-Usage");
  res.set_header("X-Business-Use-Case-Usage", usage.dump());
}

void FacebookFake::handle_api(const httplib::Request& req, httplib::Response& res) {
  // Parameters from the query and a form body; the token from either or a Bearer header.
  std::map<std::string, std::string> params;
  const size_t q = req.target.find('?');
  if (q != std::string::npos)
    for (auto& [k, v] : parse_form(req.target.substr(q + 1))) params[k] = v;
  if (req.method == "POST")
    for (auto& [k, v] : parse_form(req.body)) params[k] = v;
  std::string token = params.count("access_token") ? params["access_token"] : "";
  if (const std::string auth = req.get_header_value("Authorization"); token.empty() && auth.rfind("Bearer ", 0) == 0) token = auth.substr(7);
  RateWindow w;
  const bool within = take_rate(&w);
  usage_header(res, w.limit > 0 ? (w.limit - w.remaining) * 100 / w.limit : 0, within ? 0 : 5);
  if (!within) return reply_json(res, 400, graph_error("(#4) Application request limit reached", "OAuthException", 4));
  if (token.empty())
    return reply_json(res, 400, graph_error("An access token is required to request this resource.", "OAuthException", 104));
  if (!tokens_.count(token))
    return reply_json(res, 400, graph_error("Invalid OAuth access token - Cannot parse access token", "OAuthException", 190));
  // "/v19.0/rest": the version is kept for paging links.
  static const std::regex versioned("^(/v[0-9]+\\.[0-9]+)(/.*)$");
  std::smatch m;
  if (!std::regex_match(req.path, m, versioned))
    return reply_json(res, 400, graph_error("Unknown path components: " + req.path, "OAuthException", 2500));
  {
    std::lock_guard lock(data_mutex_);
    version_prefix_ = m[1];
  }
  params.erase("access_token");
  route(req, res, m[2], params);
}

void FacebookFake::route(const httplib::Request& req, httplib::Response& res, const std::string& path,
                         const std::map<std::string, std::string>& params) {
  const std::string page = sv(page_, "id");
  std::vector<std::string> parts;
  std::stringstream ss(path.substr(1));
  std::string part;
  while (std::getline(ss, part, '/')) parts.push_back(part);
  if (req.method == "GET" && parts.size() == 1 && (parts[0] == "me" || parts[0] == page)) {
    std::lock_guard lock(data_mutex_);
    return reply_json(res, 200, {{"id", page}, {"name", page_["name"]}, {"username", page_.value("username", "")}});
  }
  if (parts.size() == 2 && (parts[0] == page || parts[0] == "me")) {
    if (req.method == "GET" && parts[1] == "conversations") return list_conversations(res, path, params);
    if (req.method == "GET" && parts[1] == "feed") return list_feed(res, path, params);
    if (req.method == "POST" && parts[1] == "messages") return post_message(res, params);
  }
  if (parts.size() == 2 && parts[1] == "messages" && req.method == "GET") return list_messages(res, path, parts[0], params);
  if (parts.size() == 2 && parts[1] == "comments") {
    if (req.method == "GET") return list_comments(res, path, parts[0], params);
    if (req.method == "POST") return post_comment(res, parts[0], params);
  }
  if (req.method == "GET" && parts.size() == 1) return get_comment(res, parts[0], params);
  reply_json(res, 400, graph_error("Unsupported " + req.method + " request. Object with ID '" + (parts.empty() ? "" : parts[0]) +
                                       "' does not exist, cannot be loaded due to missing permissions, or does not support this operation.",
                                   "GraphMethodException", 100, 33));
}

// One page of `items` from the `after` cursor, with Graph's paging object.
json FacebookFake::page_of_locked(const std::vector<json>& items, const std::string& path, std::map<std::string, std::string> params) const {
  const size_t from = params.count("after") ? token_offset(params["after"]) : 0;
  const size_t limit = static_cast<size_t>(limit_of(params, 25));
  json data = json::array();
  for (size_t i = from; i < items.size() && i < from + limit; ++i) data.push_back(items[i]);
  json out = {{"data", data}};
  if (data.empty()) return out;
  json paging = {{"cursors", {{"before", after_token(from)}, {"after", after_token(from + data.size())}}}};
  if (from + data.size() < items.size()) {
    params["after"] = after_token(from + data.size());
    std::string url = base_url() + version_prefix_ + path + "?";
    bool first = true;
    for (const auto& [k, v] : params) url += (first ? "" : "&") + url_encode(k) + "=" + url_encode(v), first = false;
    // Graph's own next links carry the token; so do these.
    if (!tokens_.empty()) url += "&access_token=" + url_encode(*tokens_.begin());
    paging["next"] = url;
  }
  out["paging"] = paging;
  return out;
}

void FacebookFake::list_conversations(httplib::Response& res, const std::string& path, const std::map<std::string, std::string>& params) {
  auto platform = params.find("platform");
  if (platform != params.end() && platform->second != "messenger" && platform->second != "instagram")
    return reply_json(res, 400, graph_error("(#100) platform must be one of messenger, instagram", "OAuthException", 100));
  const bool with_messages = params.count("fields") && params.at("fields").find("messages") != std::string::npos;
  std::lock_guard lock(data_mutex_);
  std::vector<json> items;
  const std::string user = params.count("user_id") ? params.at("user_id") : "";
  for (const auto& c : conversations_) {
    if (!user.empty()) {  // user_id: only the conversation with that person
      bool theirs = false;
      for (const auto& p : c["participants"]["data"]) theirs |= sv(p, "id") == user;
      if (!theirs) continue;
    }
    json view = without(c, "messages");
    const json& msgs = c["messages"];
    view["updated_time"] = msgs.empty() ? json("2026-11-01T00:00:00+0000") : msgs.back()["created_time"];
    if (with_messages) {
      std::vector<json> newest_first(msgs.rbegin(), msgs.rend());
      view["messages"] = page_of_locked(newest_first, "/" + sv(c, "id") + "/messages", {{"fields", "message,from,created_time,id"}});
    }
    items.push_back(view);
  }
  std::stable_sort(items.begin(), items.end(), [](const json& a, const json& b) { return sv(a, "updated_time") > sv(b, "updated_time"); });
  reply_json(res, 200, page_of_locked(items, path, params));
}

void FacebookFake::list_messages(httplib::Response& res, const std::string& path, const std::string& conversation,
                                 const std::map<std::string, std::string>& params) {
  std::lock_guard lock(data_mutex_);
  for (const auto& c : conversations_)
    if (sv(c, "id") == conversation) {
      std::vector<json> newest_first(c["messages"].rbegin(), c["messages"].rend());
      return reply_json(res, 200, page_of_locked(newest_first, path, params));
    }
  reply_json(res, 400, graph_error("Unsupported get request. Object with ID '" + conversation + "' does not exist", "GraphMethodException", 100, 33));
}

void FacebookFake::list_feed(httplib::Response& res, const std::string& path, const std::map<std::string, std::string>& params) {
  std::lock_guard lock(data_mutex_);
  std::vector<json> items;
  for (const auto& p : posts_) {
    json view = without(p, "comments");
    std::string updated = sv(p, "created_time");
    for (const auto& c : p["comments"]) updated = std::max(updated, sv(c, "created_time"));
    view["updated_time"] = updated;
    items.push_back(view);
  }
  std::stable_sort(items.begin(), items.end(), [](const json& a, const json& b) { return sv(a, "created_time") > sv(b, "created_time"); });
  reply_json(res, 200, page_of_locked(items, path, params));
}

// filter=stream: every comment, replies included (with parent); toplevel
// (the default): top-level only. order: chronological (default) or reverse_chronological.
void FacebookFake::list_comments(httplib::Response& res, const std::string& path, const std::string& object,
                                 const std::map<std::string, std::string>& params) {
  const bool stream = params.count("filter") && params.at("filter") == "stream";
  const bool reverse = params.count("order") && params.at("order") == "reverse_chronological";
  std::lock_guard lock(data_mutex_);
  for (const auto& p : posts_) {
    std::vector<json> items;
    if (sv(p, "id") == object) {
      for (const auto& c : p["comments"])
        if (stream || !c.contains("parent")) items.push_back(c);
    } else {  // a comment's replies
      bool found = false;
      for (const auto& c : p["comments"]) {
        found |= sv(c, "id") == object;
        if (c.contains("parent") && sv(c["parent"], "id") == object) items.push_back(c);
      }
      if (!found) continue;
    }
    if (reverse) std::reverse(items.begin(), items.end());
    return reply_json(res, 200, page_of_locked(items, path, params));
  }
  reply_json(res, 400, graph_error("Unsupported get request. Object with ID '" + object + "' does not exist", "GraphMethodException", 100, 33));
}

void FacebookFake::post_comment(httplib::Response& res, const std::string& parent, const std::map<std::string, std::string>& params) {
  auto msg = params.find("message");
  if (msg == params.end() || msg->second.empty())
    return reply_json(res, 400, graph_error("(#100) The parameter message is required", "OAuthException", 100));
  std::lock_guard lock(data_mutex_);
  for (auto& p : posts_)
    for (const auto& c : p["comments"]) {
      if (sv(c, "id") != parent) continue;
      // Replies nest one level: a reply to a reply joins its top-level comment.
      const std::string top = c.contains("parent") ? sv(c["parent"], "id") : parent;
      const std::string id = sv(p, "id").substr(sv(p, "id").find('_') + 1) + "_" + std::to_string(990000 + p["comments"].size() * 7 + posts_.size());
      json comment = {{"id", id}, {"message", msg->second}, {"from", {{"id", page_["id"]}, {"name", page_["name"]}}},
                      {"created_time", graph_time(Clock::now())}, {"parent", {{"id", top}}}};
      p["comments"].push_back(comment);
      record_post({{"id", id}, {"kind", "comment"}, {"parent", parent}, {"message", msg->second}});
      return reply_json(res, 200, {{"id", id}});
    }
  reply_json(res, 400, graph_error("Unsupported post request. Object with ID '" + parent + "' does not exist", "GraphMethodException", 100, 33));
}

// GET /{comment-id}: the comment with the `fields` asked for (id always);
// `parent` only on a reply, as Graph leaves it out of a top-level comment.
void FacebookFake::get_comment(httplib::Response& res, const std::string& id, const std::map<std::string, std::string>& params) {
  std::set<std::string> fields;
  if (auto f = params.find("fields"); f != params.end()) {
    std::stringstream ss(f->second);
    for (std::string name; std::getline(ss, name, ',');) fields.insert(name);
  }
  std::lock_guard lock(data_mutex_);
  for (const auto& p : posts_)
    for (const auto& c : p["comments"]) {
      if (sv(c, "id") != id) continue;
      json out = {{"id", id}};
      for (const char* name : {"message", "from", "created_time", "parent"})
        if (fields.count(name) && c.contains(name)) out[name] = c[name];
      return reply_json(res, 200, out);
    }
  reply_json(res, 400, graph_error("Unsupported get request. Object with ID '" + id + "' does not exist, cannot be loaded due to "
                                   "missing permissions, or does not support this operation.", "GraphMethodException", 100, 33));
}

// The Send API, with Messenger's 24-hour window from the person's last message.
void FacebookFake::post_message(httplib::Response& res, const std::map<std::string, std::string>& params) {
  const json recipient = json::parse(params.count("recipient") ? params.at("recipient") : "", nullptr, false);
  const json message = json::parse(params.count("message") ? params.at("message") : "", nullptr, false);
  if (!recipient.is_object() || (sv(recipient, "id").empty() && sv(recipient, "comment_id").empty()))
    return reply_json(res, 400, graph_error("(#100) param recipient must be a JSON object with an id or a comment_id", "OAuthException", 100));
  if (!message.is_object() || sv(message, "text").empty())
    return reply_json(res, 400, graph_error("(#100) param message must be a JSON object with a non-empty text", "OAuthException", 100));
  if (!params.count("messaging_type"))
    return reply_json(res, 400, graph_error("(#100) param messaging_type is required", "OAuthException", 100));
  if (!sv(recipient, "comment_id").empty()) {
    std::lock_guard lock(data_mutex_);
    return private_reply_locked(res, sv(recipient, "comment_id"), message);
  }
  const std::string psid = sv(recipient, "id");
  std::lock_guard lock(data_mutex_);
  for (auto& c : conversations_) {
    bool theirs = false;
    for (const auto& p : c["participants"]["data"]) theirs |= sv(p, "id") == psid;
    if (!theirs) continue;
    int64_t last = 0;
    for (const auto& m : c["messages"])
      if (sv(m["from"], "id") == psid) last = std::max(last, graph_seconds(sv(m, "created_time")));
    const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(Clock::now().time_since_epoch()).count();
    if (params.at("messaging_type") == "RESPONSE" && now - last > 24 * 3600)
      return reply_json(res, 400, graph_error("(#10) This message is sent outside of allowed window.", "OAuthException", 10, 2018278));
    const std::string id = "m_fake" + std::to_string(c["messages"].size()) + "_" + sv(c, "id");
    c["messages"].push_back({{"id", id}, {"message", message["text"]}, {"from", {{"id", page_["id"]}, {"name", page_["name"]}}},
                             {"created_time", graph_time(Clock::now())}});
    record_post({{"id", id}, {"kind", "message"}, {"recipient", psid}, {"text", message["text"]},
                 {"messaging_type", params.at("messaging_type")}});
    return reply_json(res, 200, {{"recipient_id", psid}, {"message_id", id}});
  }
  reply_json(res, 400, graph_error("(#100) No matching user found", "OAuthException", 100, 2018001));
}

// Private Replies: one message to a comment's author, within 7 days of the
// comment; it opens a Messenger conversation with them.
void FacebookFake::private_reply_locked(httplib::Response& res, const std::string& comment_id, const json& message) {
  for (const auto& post : posts_)
    for (const auto& cm : post["comments"]) {
      if (sv(cm, "id") != comment_id) continue;
      const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(Clock::now().time_since_epoch()).count();
      if (now - graph_seconds(sv(cm, "created_time")) > 7 * 24 * 3600)
        return reply_json(res, 400, graph_error("(#10903) This activity can't be replied to", "OAuthException", 10903));
      if (!privately_replied_.insert(comment_id).second)
        return reply_json(res, 400, graph_error("(#10900) Activity already replied to", "OAuthException", 10900));
      const std::string psid = sv(cm["from"], "id");
      const std::string id = "m_fake_pr_" + comment_id;
      record_post({{"id", id}, {"kind", "private_reply"}, {"comment_id", comment_id}, {"recipient", psid}, {"text", message["text"]}});
      return reply_json(res, 200, {{"recipient_id", psid}, {"message_id", id}});
    }
  reply_json(res, 400, graph_error("(#100) No matching comment found", "OAuthException", 100));
}

bool FacebookFake::handle_control(const httplib::Request& req, httplib::Response& res) {
  if (req.method != "POST" || (req.path != "/__fake/conversations" && req.path != "/__fake/feed")) return false;
  const bool convs = req.path == "/__fake/conversations";
  json items = json::parse(req.body, nullptr, false);
  if (!items.is_array()) {
    reply_json(res, 400, {{"error", "body must be a JSON array"}});
    return true;
  }
  for (size_t i = 0; i < items.size(); ++i)
    if (sv(items[i], "id").empty() || !items[i].contains(convs ? "messages" : "comments") || !items[i][convs ? "messages" : "comments"].is_array()) {
      reply_json(res, 400, {{"error", "item " + std::to_string(i) + ": id and " + (convs ? "messages" : "comments") + "[] needed"}});
      return true;
    }
  std::lock_guard lock(data_mutex_);
  auto& list = convs ? conversations_ : posts_;
  for (auto& it : items) {
    auto same = std::find_if(list.begin(), list.end(), [&](const json& x) { return sv(x, "id") == sv(it, "id"); });
    if (same != list.end()) *same = it;
    else list.push_back(it);
  }
  reply_json(res, 200, {{"conversations", conversations_.size()}, {"posts", posts_.size()}});
  return true;
}

bool FacebookFake::platform_fault_kind(const std::string& kind) const {
  return kind == "throttle_4" || kind == "throttle_17" || kind == "throttle_32" || kind == "throttle_613" ||
         kind == "throttle_80001" || kind == "190" || kind == "usage_high";
}

// throttle_N: error code N with the usage header (100%, estimated_time_to_regain_access
// = ceil(reset_in_s / 60) minutes); 190: an expired Page token; usage_high:
// the real answer, its usage header at 95%.
void FacebookFake::render_fault(const Fault& f, const httplib::Request& req, httplib::Response& res) {
  const int minutes = (f.reset_in_s + 59) / 60;
  if (f.kind == "usage_high") {
    handle_api(req, res);
    return usage_header(res, 95, minutes);
  }
  if (f.kind.rfind("throttle_", 0) == 0 || f.kind == "429") {
    usage_header(res, 100, minutes);
    const int code = f.kind == "429" ? 4 : std::stoi(f.kind.substr(9));
    const char* text = code == 4 ? "(#4) Application request limit reached"
                       : code == 17 ? "(#17) User request limit reached"
                       : code == 32 ? "(#32) Page request limit reached"
                       : code == 613 ? "(#613) Calls to this api have exceeded the rate limit."
                                     : "(#80001) There have been too many calls to this Page account. Wait a bit and try again.";
    return reply_json(res, code == 4 || code == 17 ? 403 : 400, graph_error(text, "OAuthException", code));
  }
  if (f.kind == "190" || f.kind == "401")
    return reply_json(res, 400, graph_error("Error validating access token: Session has expired on Monday, 23-Nov-26 09:00:00 PST. "
                                            "The current time is Tuesday, 24-Nov-26 09:00:00 PST.", "OAuthException", 190, 463));
  if (f.kind == "500") return reply_json(res, 500, graph_error("An unknown error has occurred.", "OAuthException", 1));
  reply_json(res, 200, json::array({{{"id", "1"}}}));  // wrong_shape: a list where {data:[...]} belongs
}

}  // namespace socq::fake
