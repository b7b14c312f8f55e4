#include "tests/fakes/x.h"

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>

namespace socq::fake {

namespace {

bool read_text(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

bool read_fixture(const std::string& dir, const std::string& name, json* out, std::string* error) {
  std::string path = dir + "/" + name, text;
  if (!read_text(path, &text)) {
    *error = path + ": cannot read";
    return false;
  }
  *out = json::parse(text, nullptr, false);
  if (out->is_discarded()) {
    *error = path + ": not valid JSON";
    return false;
  }
  return true;
}

// X's problem-details error body.
json problem(int status, const std::string& title, const std::string& detail, const std::string& type = "about:blank") {
  return {{"title", title}, {"detail", detail}, {"type", type}, {"status", status}};
}

json invalid_request(const std::string& message) {
  json p = problem(400, "Invalid Request", "One or more parameters to your request was invalid.",
                   "https://api.twitter.com/2/problems/invalid-request");
  p["errors"] = json::array({{{"message", message}}});
  return p;
}

std::string sval(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::set<std::string> csv_set(const std::string& s) {
  std::set<std::string> out;
  std::stringstream ss(s);
  std::string part;
  while (std::getline(ss, part, ','))
    if (!part.empty()) out.insert(part);
  return out;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool parse_count(const std::string& s, int* out) {
  if (s.empty() || s.size() > 6 || s.find_first_not_of("0123456789") != std::string::npos) return false;
  *out = std::stoi(s);
  return true;
}

// Opaque enough for tests: the id the next page starts below.
std::string page_token(const std::string& below) { return "nt7" + below; }
std::string token_id(const std::string& token) { return token.rfind("nt7", 0) == 0 ? token.substr(3) : std::string(); }

// A snowflake for now: ms since X's epoch << 22.
std::string snowflake_now() {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch()).count();
  return std::to_string((static_cast<int64_t>(ms) - 1288834974657LL) << 22);
}

// UTF-8 decoding, for the weighted length; a bad byte counts as one unit.
std::vector<uint32_t> code_points(const std::string& s) {
  std::vector<uint32_t> out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    int n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    uint32_t cp = n == 1 ? c : c & (0x3F >> (n - 1));
    for (int k = 1; k < n && i + k < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    out.push_back(cp);
    i += n;
  }
  return out;
}

}  // namespace

size_t x_weighted_length(const std::string& text) {
  static const std::regex url_re("https?://[^\\s]+");
  size_t total = 0;
  std::string rest;
  auto begin = std::sregex_iterator(text.begin(), text.end(), url_re);
  size_t last = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    rest += text.substr(last, static_cast<size_t>(it->position()) - last);
    total += 23;
    last = static_cast<size_t>(it->position() + it->length());
  }
  rest += text.substr(last);
  for (uint32_t cp : code_points(rest)) {
    const bool light = cp <= 0x10FF || (cp >= 0x2000 && cp <= 0x200D) || (cp >= 0x2010 && cp <= 0x201F) ||
                       (cp >= 0x2032 && cp <= 0x2037);
    total += light ? 1 : 2;
  }
  return total;
}

std::string default_x_fixtures() { return SOCQ_FAKE_FIXTURES_DIR "/x"; }

XFake::XFake(XOptions options) : options_(std::move(options)) { set_rate_limit(options_.rate_limit); }

XFake::~XFake() { stop(); }

bool XFake::load(std::string* error) {
  const std::string& dir = options_.fixtures;
  json users, mentions, tweets, dms;
  if (!read_fixture(dir, "me.json", &me_, error) || !read_fixture(dir, "users.json", &users, error) ||
      !read_fixture(dir, "mentions.json", &mentions, error) || !read_fixture(dir, "tweets.json", &tweets, error) ||
      !read_fixture(dir, "dm_events.json", &dms, error))
    return false;
  if (sval(me_, "id").empty() || sval(me_, "username").empty()) {
    *error = dir + "/me.json: id and username are needed";
    return false;
  }
  users_[sval(me_, "id")] = me_;
  for (const auto& u : users) users_[sval(u, "id")] = u;
  for (const auto* list : {&mentions, &tweets})
    for (size_t i = 0; i < list->size(); ++i) {
      const json& t = (*list)[i];
      if (sval(t, "id").empty() || sval(t, "author_id").empty() || sval(t, "created_at").empty()) {
        *error = dir + (list == &mentions ? "/mentions.json" : "/tweets.json") + ": item " + std::to_string(i) +
                 ": id, author_id and created_at are needed";
        return false;
      }
      tweets_[sval(t, "id")] = t;
    }
  for (const auto& e : dms) dm_events_.push_back(e);
  std::string text;
  if (read_text(dir + "/tokens", &text)) {
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line))
      if (!line.empty() && line[0] != '#') tokens_.insert(line);
  }
  for (const auto& t : options_.tokens) tokens_.insert(t);
  return true;
}

bool XFake::authorized(const httplib::Request& req) {
  const std::string auth = req.get_header_value("Authorization");
  if (auth.rfind("Bearer ", 0) != 0) return false;
  return tokens_.count(auth.substr(7)) > 0;
}

void XFake::rate_headers(const RateWindow& w, httplib::Response& res) {
  res.set_header("x-rate-limit-limit", std::to_string(w.limit));
  res.set_header("x-rate-limit-remaining", std::to_string(w.remaining));
  res.set_header("x-rate-limit-reset",
                 std::to_string(std::chrono::duration_cast<std::chrono::seconds>(w.reset_at.time_since_epoch()).count()));
}

void XFake::handle_api(const httplib::Request& req, httplib::Response& res) {
  RateWindow w;
  if (!take_rate(&w)) {
    rate_headers(w, res);
    return reply_json(res, 429, problem(429, "Too Many Requests", "Too Many Requests"));
  }
  rate_headers(w, res);
  if (!authorized(req)) return reply_json(res, 401, problem(401, "Unauthorized", "Unauthorized"));
  route(req, res);
}

void XFake::route(const httplib::Request& req, httplib::Response& res) {
  static const std::regex mentions_re("^/2/users/([0-9]+)/mentions$");
  static const std::regex tweets_re("^/2/users/([0-9]+)/tweets$");
  static const std::regex dm_with_re("^/2/dm_conversations/with/([0-9]+)/(messages|dm_events)$");
  const std::string& p = req.path;
  const std::string me = sval(me_, "id");
  std::smatch m;
  if (req.method == "GET" && p == "/2/users/me") {
    std::lock_guard lock(data_mutex_);
    return reply_json(res, 200, {{"data", user_view_locked(me, csv_set(req.get_param_value("user.fields")))}});
  }
  if (req.method == "GET" && (std::regex_match(p, m, mentions_re) || std::regex_match(p, m, tweets_re))) {
    if (m[1] != me) return reply_json(res, 403, problem(403, "Forbidden", "This fake serves only its brand's timelines."));
    return list_tweets(req, res, p.find("/mentions") != std::string::npos);
  }
  if (req.method == "GET" && p == "/2/dm_events") return list_dm_events(req, res, "");
  if (std::regex_match(p, m, dm_with_re)) {
    if (req.method == "GET" && m[2] == "dm_events") return list_dm_events(req, res, m[1]);
    if (req.method == "POST" && m[2] == "messages") return post_dm(req, res, m[1]);
  }
  if (req.method == "POST" && p == "/2/tweets") return post_tweet(req, res);
  reply_json(res, 404, problem(404, "Not Found Error", "Sorry, that page does not exist."));
}

json XFake::user_view_locked(const std::string& id, const std::set<std::string>& fields) const {
  auto it = users_.find(id);
  if (it == users_.end()) return {{"id", id}, {"username", "user" + id.substr(0, 6)}, {"name", "Unknown"}};
  json out = {{"id", id}, {"name", it->second.value("name", "")}, {"username", it->second.value("username", "")}};
  for (const auto& f : fields)
    if (it->second.contains(f)) out[f] = it->second[f];
  return out;
}

std::string XFake::next_id_locked() const {
  std::string best = snowflake_now();
  for (const auto& [id, t] : tweets_)
    if (id_less(best, id)) best = id;
  for (const auto& e : dm_events_)
    if (id_less(best, sval(e, "id"))) best = sval(e, "id");
  return id_next(best);
}

// Mentions (others' tweets naming @us) or our own tweets, newest first,
// with since_id/until_id/start_time/end_time and pagination_token.
void XFake::list_tweets(const httplib::Request& req, httplib::Response& res, bool mentions) {
  int max = 10;
  if (req.has_param("max_results") && (!parse_count(req.get_param_value("max_results"), &max) || max < 5 || max > 100))
    return reply_json(res, 400, invalid_request("The `max_results` query parameter value [" + req.get_param_value("max_results") +
                                                "] is not between 5 and 100"));
  const std::string since_id = req.get_param_value("since_id"), until_id = req.get_param_value("until_id");
  const std::string start = req.get_param_value("start_time"), end = req.get_param_value("end_time");
  std::string below = until_id;
  if (req.has_param("pagination_token")) {
    below = token_id(req.get_param_value("pagination_token"));
    if (below.empty()) return reply_json(res, 400, invalid_request("The `pagination_token` query parameter value is not valid"));
  }
  const auto fields = csv_set(req.get_param_value("tweet.fields"));
  const auto expansions = csv_set(req.get_param_value("expansions"));
  const auto user_fields = csv_set(req.get_param_value("user.fields"));
  std::lock_guard lock(data_mutex_);
  const std::string me = sval(me_, "id"), at_us = "@" + lower(sval(me_, "username"));
  std::vector<const json*> kept;
  for (const auto& [id, t] : tweets_) {
    const bool ours = sval(t, "author_id") == me;
    if (mentions ? (ours || lower(sval(t, "text")).find(at_us) == std::string::npos) : !ours) continue;
    if (!since_id.empty() && !id_less(since_id, id)) continue;
    if (!below.empty() && !id_less(id, below)) continue;
    // RFC 3339 strings of one shape compare as times (seconds precision).
    const std::string at = sval(t, "created_at").substr(0, 19);
    if (!start.empty() && at < start.substr(0, 19)) continue;
    if (!end.empty() && at >= end.substr(0, 19)) continue;
    kept.push_back(&t);
  }
  std::sort(kept.begin(), kept.end(), [](const json* a, const json* b) { return id_less(sval(*b, "id"), sval(*a, "id")); });
  json data = json::array(), users = json::array();
  std::set<std::string> user_ids;
  for (size_t i = 0; i < kept.size() && i < static_cast<size_t>(max); ++i) {
    const json& t = *kept[i];
    json view = {{"id", t["id"]}, {"text", t["text"]}, {"edit_history_tweet_ids", t.value("edit_history_tweet_ids", json::array({t["id"]}))}};
    for (const auto& f : fields)
      if (t.contains(f)) view[f] = t[f];
    data.push_back(view);
    if (expansions.count("author_id")) user_ids.insert(sval(t, "author_id"));
    if (expansions.count("in_reply_to_user_id") && t.contains("in_reply_to_user_id")) user_ids.insert(sval(t, "in_reply_to_user_id"));
  }
  for (const auto& id : user_ids) users.push_back(user_view_locked(id, user_fields));
  json meta = {{"result_count", data.size()}};
  json out = json::object();
  if (!data.empty()) {
    meta["newest_id"] = data.front()["id"];
    meta["oldest_id"] = data.back()["id"];
    if (kept.size() > static_cast<size_t>(max)) meta["next_token"] = page_token(sval(data.back(), "id"));
    out["data"] = data;
    if (!users.empty()) out["includes"] = {{"users", users}};
  }
  out["meta"] = meta;
  reply_json(res, 200, out);
}

void XFake::list_dm_events(const httplib::Request& req, httplib::Response& res, const std::string& with) {
  int max = 100;
  if (req.has_param("max_results") && (!parse_count(req.get_param_value("max_results"), &max) || max < 1 || max > 100))
    return reply_json(res, 400, invalid_request("The `max_results` query parameter value [" + req.get_param_value("max_results") +
                                                "] is not between 1 and 100"));
  std::string below;
  if (req.has_param("pagination_token")) {
    below = token_id(req.get_param_value("pagination_token"));
    if (below.empty()) return reply_json(res, 400, invalid_request("The `pagination_token` query parameter value is not valid"));
  }
  const auto types = csv_set(req.get_param_value("event_types"));
  auto fields = csv_set(req.get_param_value("dm_event.fields"));
  for (const char* f : {"id", "event_type", "text"}) fields.insert(f);
  const auto expansions = csv_set(req.get_param_value("expansions"));
  const auto user_fields = csv_set(req.get_param_value("user.fields"));
  std::lock_guard lock(data_mutex_);
  const std::string me = sval(me_, "id");
  std::vector<const json*> kept;
  for (const auto& e : dm_events_) {
    if (!types.empty() && !types.count(sval(e, "event_type"))) continue;
    if (!below.empty() && !id_less(sval(e, "id"), below)) continue;
    if (!with.empty()) {
      const std::string conv = sval(e, "dm_conversation_id");
      if (conv != me + "-" + with && conv != with + "-" + me) continue;
    }
    kept.push_back(&e);
  }
  std::sort(kept.begin(), kept.end(), [](const json* a, const json* b) { return id_less(sval(*b, "id"), sval(*a, "id")); });
  json data = json::array(), users = json::array();
  std::set<std::string> user_ids;
  for (size_t i = 0; i < kept.size() && i < static_cast<size_t>(max); ++i) {
    json view = json::object();
    for (const auto& f : fields)
      if (kept[i]->contains(f)) view[f] = (*kept[i])[f];
    data.push_back(view);
    if (expansions.count("sender_id")) user_ids.insert(sval(*kept[i], "sender_id"));
  }
  for (const auto& id : user_ids) users.push_back(user_view_locked(id, user_fields));
  json meta = {{"result_count", data.size()}};
  json out = json::object();
  if (!data.empty()) {
    if (kept.size() > static_cast<size_t>(max)) meta["next_token"] = page_token(sval(data.back(), "id"));
    out["data"] = data;
    if (!users.empty()) out["includes"] = {{"users", users}};
  }
  out["meta"] = meta;
  reply_json(res, 200, out);
}

void XFake::post_tweet(const httplib::Request& req, httplib::Response& res) {
  const json body = json::parse(req.body, nullptr, false);
  if (!body.is_object() || !body.contains("text") || !body["text"].is_string())
    return reply_json(res, 400, invalid_request("$.text: a string is required"));
  const std::string text = body["text"].get<std::string>();
  if (text.empty()) return reply_json(res, 400, invalid_request("$.text: must not be empty"));
  if (x_weighted_length(text) > 280)
    return reply_json(res, 403, problem(403, "Forbidden", "You are not allowed to create a Tweet with text longer than 280 weighted characters."));
  std::string parent_id;
  if (body.contains("reply")) {
    const json& r = body["reply"];
    if (!r.is_object() || !r.contains("in_reply_to_tweet_id") || !r["in_reply_to_tweet_id"].is_string())
      return reply_json(res, 400, invalid_request("$.reply.in_reply_to_tweet_id: a string is required"));
    parent_id = r["in_reply_to_tweet_id"].get<std::string>();
  }
  std::lock_guard lock(data_mutex_);
  const std::string me = sval(me_, "id");
  for (const auto& [id, t] : tweets_)
    if (sval(t, "author_id") == me && sval(t, "text") == text)
      return reply_json(res, 403, problem(403, "Forbidden", "You are not allowed to create a Tweet with duplicate content."));
  json tweet = {{"id", next_id_locked()}, {"text", text}, {"author_id", me}, {"created_at", iso8601_ms(Clock::now())}, {"lang", "en"}};
  tweet["edit_history_tweet_ids"] = json::array({tweet["id"]});
  tweet["conversation_id"] = tweet["id"];
  if (!parent_id.empty()) {
    auto parent = tweets_.find(parent_id);
    if (parent == tweets_.end())
      return reply_json(res, 400, invalid_request("Your Tweet cannot be posted: the Tweet you are replying to is not visible or was deleted."));
    tweet["conversation_id"] = parent->second.value("conversation_id", parent_id);
    tweet["in_reply_to_user_id"] = parent->second["author_id"];
    tweet["referenced_tweets"] = json::array({{{"type", "replied_to"}, {"id", parent_id}}});
  }
  tweets_[sval(tweet, "id")] = tweet;
  record_post({{"id", tweet["id"]}, {"text", text}, {"in_reply_to_tweet_id", parent_id.empty() ? json() : json(parent_id)},
               {"kind", "tweet"}});
  reply_json(res, 201, {{"data", {{"id", tweet["id"]}, {"text", text}, {"edit_history_tweet_ids", tweet["edit_history_tweet_ids"]}}}});
}

void XFake::post_dm(const httplib::Request& req, httplib::Response& res, const std::string& participant) {
  const json body = json::parse(req.body, nullptr, false);
  if (!body.is_object() || !body.contains("text") || !body["text"].is_string() || body["text"].get<std::string>().empty())
    return reply_json(res, 400, invalid_request("$.text: a non-empty string is required"));
  std::lock_guard lock(data_mutex_);
  const std::string me = sval(me_, "id");
  if (participant == me || !users_.count(participant))
    return reply_json(res, 403, problem(403, "Forbidden", "You cannot send messages to this user."));
  const std::string conv = id_less(me, participant) ? me + "-" + participant : participant + "-" + me;
  json event = {{"id", next_id_locked()}, {"event_type", "MessageCreate"}, {"text", body["text"]}, {"sender_id", me},
                {"created_at", iso8601_ms(Clock::now())}, {"dm_conversation_id", conv}};
  dm_events_.push_back(event);
  record_post({{"id", event["id"]}, {"text", body["text"]}, {"participant_id", participant}, {"kind", "dm"}});
  reply_json(res, 201, {{"data", {{"dm_conversation_id", conv}, {"dm_event_id", event["id"]}}}});
}

bool XFake::handle_control(const httplib::Request& req, httplib::Response& res) {
  if (req.method != "POST") return false;
  const bool users = req.path == "/__fake/users", tweets = req.path == "/__fake/tweets", dms = req.path == "/__fake/dm_events";
  if (!users && !tweets && !dms) return false;
  json items = json::parse(req.body, nullptr, false);
  if (!items.is_array()) {
    reply_json(res, 400, {{"error", "body must be a JSON array"}});
    return true;
  }
  for (size_t i = 0; i < items.size(); ++i) {
    const json& it = items[i];
    const bool ok = it.is_object() && !sval(it, "id").empty() &&
                    (users || !sval(it, tweets ? "author_id" : "sender_id").empty()) && (users || !sval(it, "created_at").empty());
    if (!ok) {
      reply_json(res, 400, {{"error", "item " + std::to_string(i) + ": id" + (users ? "" : tweets ? ", author_id, created_at" : ", sender_id, created_at") +
                                          " needed"}});
      return true;
    }
  }
  std::lock_guard lock(data_mutex_);
  for (auto& it : items) {
    if (users) users_[sval(it, "id")] = it;
    else if (tweets) tweets_[sval(it, "id")] = it;
    else dm_events_.push_back(it);
  }
  reply_json(res, 200, {{"added", items.size()}, {"tweets", tweets_.size()}, {"dm_events", dm_events_.size()}});
  return true;
}

bool XFake::platform_fault_kind(const std::string& kind) const { return kind == "429_v1" || kind == "lost"; }

// 429: the v2 problem form; 429_v1: the v1.1 errors form (code 88); both
// with x-rate-limit-* headers resetting after reset_in_s. lost: the request
// is processed (a post is created) and the answer cut off mid-body.
void XFake::render_fault(const Fault& f, const httplib::Request& req, httplib::Response& res) {
  RateWindow w = rate_snapshot();
  if (f.kind == "429" || f.kind == "429_v1") {
    w.remaining = 0;
    w.reset_at = Clock::now() + std::chrono::seconds(f.reset_in_s);
    rate_headers(w, res);
    if (f.kind == "429") return reply_json(res, 429, problem(429, "Too Many Requests", "Too Many Requests"));
    return reply_json(res, 429, {{"errors", json::array({{{"code", 88}, {"message", "Rate limit exceeded"}}})}});
  }
  if (f.kind == "lost") {
    httplib::Response done;
    handle_api(req, done);
    res.status = done.status;
    res.set_content_provider(4096, "application/json", [](size_t, size_t, httplib::DataSink& sink) {
      const std::string part = "{\"data\":{\"id\":\"";
      sink.write(part.data(), part.size());
      return false;
    });
    return;
  }
  rate_headers(w, res);
  if (f.kind == "401") return reply_json(res, 401, problem(401, "Unauthorized", "Unauthorized"));
  if (f.kind == "500") return reply_json(res, 500, problem(500, "Internal Server Error", "Internal Server Error"));
  // wrong_shape: data as an object where a list is expected, and the reverse.
  if (req.path.find("/mentions") != std::string::npos || req.path.find("/tweets") != std::string::npos || req.path.find("dm_events") != std::string::npos)
    return reply_json(res, 200, {{"data", {{"id", "1"}}}, {"meta", {{"result_count", 1}}}});
  reply_json(res, 200, {{"data", json::array({{{"id", "1"}}})}});
}

}  // namespace socq::fake
