#include "tests/fakes/bluesky.h"

#include <utf8proc.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace socq::fake {

namespace {

const char* kProxy = "did:web:api.bsky.chat#bsky_chat";
const char* kPost = "app.bsky.feed.post";

json xrpc_error(const std::string& error, const std::string& message) { return {{"error", error}, {"message", message}}; }

int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(Clock::now().time_since_epoch()).count();
}

std::string b64url(const std::string& in) {
  static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : in) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) out += t[(acc >> (bits -= 6)) & 63];
  }
  if (bits) out += t[(acc << (6 - bits)) & 63];
  return out;
}

bool read_json(const std::string& path, json* out, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = path + ": cannot read";
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = json::parse(ss.str(), nullptr, false);
  if (out->is_discarded()) {
    *error = path + ": not valid JSON";
    return false;
  }
  return true;
}

std::vector<std::string> params(const httplib::Request& req, const std::string& name) {
  std::vector<std::string> out;
  for (const std::string& key : {name, name + "[]"}) {
    auto range = req.params.equal_range(key);
    for (auto it = range.first; it != range.second; ++it) out.push_back(it->second);
  }
  return out;
}

std::string param(const httplib::Request& req, const std::string& name) {
  return req.has_param(name) ? req.get_param_value(name) : "";
}

// limit: default `fallback`; outside 1..max is 400 InvalidRequest (-1).
int limit_of(const httplib::Request& req, int fallback, int max) {
  const std::string v = param(req, "limit");
  if (v.empty()) return fallback;
  char* end = nullptr;
  const long n = std::strtol(v.c_str(), &end, 10);
  if (*end || n < 1 || n > max) return -1;
  return static_cast<int>(n);
}

int64_t graphemes(const std::string& s) {
  int64_t count = 0;
  utf8proc_int32_t state = 0, prev = -1;
  for (size_t i = 0; i < s.size();) {
    utf8proc_int32_t cp = 0;
    auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + i), static_cast<utf8proc_ssize_t>(s.size() - i), &cp);
    if (n <= 0) n = 1, cp = -1, prev = -1;
    if (prev < 0 || cp < 0 || utf8proc_grapheme_break_stateful(prev, cp, &state)) ++count;
    prev = cp;
    i += static_cast<size_t>(n);
  }
  return count;
}

bool tid_syntax(const std::string& s) {
  static const std::string a = "234567abcdefghijklmnopqrstuvwxyz";
  return s.size() == 13 && a.substr(0, 16).find(s[0]) != std::string::npos &&
         std::all_of(s.begin(), s.end(), [](char c) { return a.find(c) != std::string::npos; });
}

std::string fake_cid(const std::string& s) {
  return "bafyrei" + std::to_string(std::hash<std::string>{}(s));
}

json author_of(const json& profile) {
  json a = {{"did", profile.value("did", "")}, {"handle", profile.value("handle", "")}};
  if (profile.contains("displayName")) a["displayName"] = profile["displayName"];
  return a;
}

}  // namespace

std::string default_bluesky_fixtures() { return SOCQ_FAKE_FIXTURES_DIR "/bluesky"; }

BlueskyFake::BlueskyFake(BlueskyOptions options) : options_(std::move(options)) {}

BlueskyFake::~BlueskyFake() { stop(); }

bool BlueskyFake::load(std::string* error) {
  const std::string& dir = options_.fixtures;
  json account, profiles, notifications, posts, convos;
  if (!read_json(dir + "/account.json", &account, error) || !read_json(dir + "/profiles.json", &profiles, error) ||
      !read_json(dir + "/notifications.json", &notifications, error) || !read_json(dir + "/posts.json", &posts, error) ||
      !read_json(dir + "/convos.json", &convos, error))
    return false;
  if (!account.is_object() || !account.value("did", json()).is_string() || !account.value("password", json()).is_string()) {
    *error = dir + "/account.json: did and password must be strings";
    return false;
  }
  for (const auto& [name, value] : {std::pair<std::string, const json*>{"profiles.json", &profiles},
                                    {"notifications.json", &notifications}, {"posts.json", &posts}, {"convos.json", &convos}}) {
    if (!value->is_array()) {
      *error = dir + "/" + name + ": must be a JSON array";
      return false;
    }
    for (size_t i = 0; i < value->size(); ++i) {
      const json& item = (*value)[i];
      const char* key = name == "profiles.json" ? "did" : name == "convos.json" ? "id" : "uri";
      if (!item.is_object() || !item.value(key, json()).is_string()) {
        *error = dir + "/" + name + ": item " + std::to_string(i) + ": " + key + " must be a string";
        return false;
      }
    }
  }
  std::lock_guard lock(data_mutex_);
  account_ = account;
  for (const auto& p : profiles) profiles_[p["did"].get<std::string>()] = p;
  for (const auto& p : posts) posts_[p["uri"].get<std::string>()] = p;
  notifications_.assign(notifications.begin(), notifications.end());
  convos_.assign(convos.begin(), convos.end());
  std::stable_sort(notifications_.begin(), notifications_.end(),
                   [](const json& a, const json& b) { return a.value("indexedAt", "") > b.value("indexedAt", ""); });
  return true;
}

bool BlueskyFake::platform_fault_kind(const std::string& kind) const {
  return kind == "expired_token" || kind == "invalid_token" || kind == "processed_500";
}

void BlueskyFake::render_fault(const Fault& f, const httplib::Request& req, httplib::Response& res) {
  if (f.kind == "429") {
    const int64_t reset = now_s() + f.reset_in_s;
    res.set_header("RateLimit-Limit", "3000");
    res.set_header("RateLimit-Remaining", "0");
    res.set_header("RateLimit-Reset", std::to_string(reset));
    res.set_header("RateLimit-Policy", "3000;w=300");
    res.set_header("Retry-After", std::to_string(f.reset_in_s));
    return reply_json(res, 429, xrpc_error("RateLimitExceeded", "Rate Limit Exceeded"));
  }
  if (f.kind == "500") return reply_json(res, 500, xrpc_error("InternalServerError", "Internal Server Error"));
  if (f.kind == "401") return reply_json(res, 401, xrpc_error("AuthMissing", "Authentication Required"));
  if (f.kind == "expired_token") return reply_json(res, 400, xrpc_error("ExpiredToken", "Token has expired"));
  if (f.kind == "invalid_token") return reply_json(res, 400, xrpc_error("InvalidToken", "Token could not be verified"));
  if (f.kind == "processed_500") {  // the request takes effect; its answer is lost
    handle_api(req, res);
    return reply_json(res, 500, xrpc_error("InternalServerError", "Internal Server Error"));
  }
  // wrong_shape
  reply_json(res, 200, {{"notifications", json::object()}, {"posts", json::object()}, {"convos", "x"}, {"messages", 3}});
}

std::string BlueskyFake::make_jwt_locked(const std::string& did, bool refresh, int64_t exp) {
  const int seq = ++token_seq_;
  const json header = {{"typ", refresh ? "refresh+jwt" : "at+jwt"}, {"alg", "ES256K"}};
  const json payload = {{"scope", refresh ? "com.atproto.refresh" : "com.atproto.access"},
                        {"sub", did}, {"iat", now_s()}, {"exp", exp}, {"jti", "fake-" + std::to_string(seq)}};
  std::string jwt = b64url(header.dump()) + "." + b64url(payload.dump()) + "." + b64url("fakesig" + std::to_string(seq));
  tokens_[jwt] = Token{did, refresh, exp, false};
  return jwt;
}

json BlueskyFake::issue_session_locked(const std::string& did) {
  const std::string access = make_jwt_locked(did, false, now_s() + options_.access_ttl_s);
  const std::string refresh = make_jwt_locked(did, true, now_s() + 90LL * 86400);
  return {{"accessJwt", access}, {"refreshJwt", refresh}, {"handle", account_.value("handle", "")}, {"did", did},
          {"active", true}};
}

bool BlueskyFake::authorized(const httplib::Request& req, bool refresh, std::string* did) {
  const std::string auth = req.get_header_value("Authorization");
  if (auth.rfind("Bearer ", 0) != 0) return false;
  std::lock_guard lock(data_mutex_);
  auto it = tokens_.find(auth.substr(7));
  if (it == tokens_.end() || it->second.refresh != refresh || it->second.revoked) return false;
  if (it->second.exp <= now_s()) {
    *did = "expired";
    return false;
  }
  *did = it->second.did;
  return true;
}

void BlueskyFake::handle_api(const httplib::Request& req, httplib::Response& res) {
  const std::string prefix = "/xrpc/";
  if (req.path.rfind(prefix, 0) != 0) return reply_json(res, 404, xrpc_error("NotFound", "Not Found"));
  const std::string nsid = req.path.substr(prefix.size());
  {
    std::lock_guard lock(data_mutex_);
    ++calls_[nsid];
  }
  if (nsid == "com.atproto.server.createSession") return create_session(req, res);
  if (nsid == "com.atproto.server.refreshSession") return refresh_session(req, res);
  if (nsid == "com.atproto.identity.resolveHandle") return resolve_handle(req, res);
  std::string did;
  if (!authorized(req, false, &did)) {
    if (req.get_header_value("Authorization").empty())
      return reply_json(res, 401, xrpc_error("AuthMissing", "Authentication Required"));
    if (did == "expired") return reply_json(res, 400, xrpc_error("ExpiredToken", "Token has expired"));
    return reply_json(res, 400, xrpc_error("InvalidToken", "Token could not be verified"));
  }
  if (nsid.rfind("chat.bsky.convo.", 0) == 0) return chat(req, res, did);
  if (nsid == "app.bsky.notification.listNotifications" && req.method == "GET") return list_notifications(req, res);
  if (nsid == "app.bsky.actor.getProfiles" && req.method == "GET") return get_profiles(req, res);
  if (nsid == "app.bsky.feed.getPosts" && req.method == "GET") return get_posts(req, res);
  if (nsid == "app.bsky.feed.getPostThread" && req.method == "GET") return get_post_thread(req, res);
  if (nsid == "com.atproto.repo.createRecord" && req.method == "POST") return create_record(req, res, did);
  if (nsid == "com.atproto.repo.getRecord" && req.method == "GET") return get_record(req, res);
  reply_json(res, 501, xrpc_error("MethodNotImplemented", "Method Not Implemented"));
}

void BlueskyFake::create_session(const httplib::Request& req, httplib::Response& res) {
  std::lock_guard lock(data_mutex_);
  const int64_t now = now_s();
  if (session_reset_ <= now) session_reset_ = now + options_.session_window_s, session_used_ = 0;
  ++session_used_;  // every call counts, good or bad
  const int remaining = std::max(0, options_.session_limit - session_used_);
  res.set_header("RateLimit-Limit", std::to_string(options_.session_limit));
  res.set_header("RateLimit-Remaining", std::to_string(remaining));
  res.set_header("RateLimit-Reset", std::to_string(session_reset_));
  res.set_header("RateLimit-Policy", std::to_string(options_.session_limit) + ";w=" + std::to_string(options_.session_window_s));
  if (session_used_ > options_.session_limit) {
    res.set_header("Retry-After", std::to_string(session_reset_ - now));
    return reply_json(res, 429, xrpc_error("RateLimitExceeded", "Rate Limit Exceeded"));
  }
  const json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body.value("identifier", json()).is_string() ||
      !body.value("password", json()).is_string())
    return reply_json(res, 400, xrpc_error("InvalidRequest", "Input must have the property \"identifier\""));
  const std::string id = body["identifier"].get<std::string>();
  if ((id != account_.value("handle", "") && id != account_.value("did", "")) ||
      body["password"].get<std::string>() != account_.value("password", ""))
    return reply_json(res, 401, xrpc_error("AuthenticationRequired", "Invalid identifier or password"));
  reply_json(res, 200, issue_session_locked(account_["did"].get<std::string>()));
}

void BlueskyFake::refresh_session(const httplib::Request& req, httplib::Response& res) {
  std::string did;
  if (!authorized(req, true, &did)) {
    if (did == "expired") return reply_json(res, 400, xrpc_error("ExpiredToken", "Token has expired"));
    return reply_json(res, 400, xrpc_error("InvalidToken", "Token has been revoked"));
  }
  std::lock_guard lock(data_mutex_);
  tokens_[req.get_header_value("Authorization").substr(7)].revoked = true;  // a refresh token works once
  reply_json(res, 200, issue_session_locked(did));
}

void BlueskyFake::resolve_handle(const httplib::Request& req, httplib::Response& res) {
  const std::string handle = param(req, "handle");
  std::lock_guard lock(data_mutex_);
  for (const auto& [did, p] : profiles_)
    if (p.value("handle", "") == handle) return reply_json(res, 200, {{"did", did}});
  reply_json(res, 400, xrpc_error("InvalidRequest", "Unable to resolve handle"));
}

// Pages of `limit` items by indexedAt at or before the cursor (so an item
// at the cursor's instant comes again), then filtered by reasons: a page
// may be short or empty and still carry a cursor.
void BlueskyFake::list_notifications(const httplib::Request& req, httplib::Response& res) {
  const int limit = limit_of(req, 50, 100);
  if (limit < 0) return reply_json(res, 400, xrpc_error("InvalidRequest", "limit can not be greater than 100"));
  const std::string cursor = param(req, "cursor");
  if (!cursor.empty() && (cursor.size() < 20 || cursor[4] != '-' || cursor[10] != 'T'))
    return reply_json(res, 502, xrpc_error("InternalServerError", "Internal Server Error"));
  const auto reasons = params(req, "reasons");
  std::lock_guard lock(data_mutex_);
  std::vector<const json*> raw;
  size_t after = 0;
  for (const auto& n : notifications_) {
    if (!cursor.empty() && n.value("indexedAt", "") > cursor) continue;
    if (static_cast<int>(raw.size()) < limit) raw.push_back(&n);
    else ++after;
  }
  json items = json::array();
  for (const json* n : raw)
    if (reasons.empty() || std::find(reasons.begin(), reasons.end(), n->value("reason", "")) != reasons.end())
      items.push_back(*n);
  json out = {{"notifications", items}, {"priority", false}};
  if (after > 0 && !raw.empty()) out["cursor"] = raw.back()->value("indexedAt", "");
  if (!cursor.empty() && after > 0 && raw.size() == 1 && raw.back()->value("indexedAt", "") == cursor)
    out["cursor"] = "";  // never loop on one instant (fixtures have at most two per instant)
  if (out.contains("cursor") && out["cursor"] == "") out.erase("cursor");
  reply_json(res, 200, out);
}

void BlueskyFake::get_profiles(const httplib::Request& req, httplib::Response& res) {
  const auto actors = params(req, "actors");
  if (actors.empty() || actors.size() > 25)
    return reply_json(res, 400, xrpc_error("InvalidRequest", "actors must have 1 to 25 items"));
  std::lock_guard lock(data_mutex_);
  json out = json::array();
  for (const auto& a : actors)
    for (const auto& [did, p] : profiles_)
      if (did == a || p.value("handle", "") == a) out.push_back(p);
  reply_json(res, 200, {{"profiles", out}});
}

void BlueskyFake::get_posts(const httplib::Request& req, httplib::Response& res) {
  const auto uris = params(req, "uris");
  if (uris.empty() || uris.size() > 25) return reply_json(res, 400, xrpc_error("InvalidRequest", "uris must have 1 to 25 items"));
  std::lock_guard lock(data_mutex_);
  json out = json::array();
  for (const auto& u : uris)
    if (auto it = posts_.find(u); it != posts_.end()) out.push_back(it->second);
  reply_json(res, 200, {{"posts", out}});
}

json BlueskyFake::thread_of_locked(const std::string& uri, int depth) const {
  json t = {{"$type", "app.bsky.feed.defs#threadViewPost"}, {"post", posts_.at(uri)}, {"replies", json::array()}};
  if (depth <= 0) return t;
  for (const auto& [u, p] : posts_)
    if (p.contains("record") && p["record"].contains("reply") && p["record"]["reply"]["parent"].value("uri", "") == uri)
      t["replies"].push_back(thread_of_locked(u, depth - 1));
  return t;
}

void BlueskyFake::get_post_thread(const httplib::Request& req, httplib::Response& res) {
  std::lock_guard lock(data_mutex_);
  const std::string uri = param(req, "uri");
  if (!posts_.count(uri)) return reply_json(res, 400, xrpc_error("NotFound", "Post not found: " + uri));
  reply_json(res, 200, {{"thread", thread_of_locked(uri, 6)}});
}

void BlueskyFake::create_record(const httplib::Request& req, httplib::Response& res, const std::string& did) {
  const json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body.value("record", json()).is_object())
    return reply_json(res, 400, xrpc_error("InvalidRequest", "Input must have the property \"record\""));
  std::lock_guard lock(data_mutex_);
  const std::string repo = body.value("repo", "");
  if (repo != did && repo != account_.value("handle", ""))
    return reply_json(res, 401, xrpc_error("AuthRequiredError", "Unauthorized"));
  if (body.value("collection", "") != kPost)
    return reply_json(res, 400, xrpc_error("InvalidRequest", "this fake only creates app.bsky.feed.post records"));
  const json& record = body["record"];
  const std::string text = record.value("text", "");
  if (const int64_t g = graphemes(text); g > 300)
    return reply_json(res, 400, xrpc_error("InvalidRequest", "Invalid app.bsky.feed.post record: grapheme too big (maximum 300, got " +
                                                                std::to_string(g) + ") at $.record.text"));
  if (text.size() > 3000)
    return reply_json(res, 400, xrpc_error("InvalidRequest", "Invalid app.bsky.feed.post record: string too long (maximum 3000, got " +
                                                                std::to_string(text.size()) + ") at $.record.text"));
  std::string rkey = body.value("rkey", "");
  if (rkey.empty()) rkey = "3" + std::to_string(1000000000000 + token_seq_++).substr(1, 12);
  if (!tid_syntax(rkey)) return reply_json(res, 400, xrpc_error("InvalidRequest", "Invalid TID: " + rkey));
  const std::string uri = "at://" + did + "/" + kPost + "/" + rkey;
  if (posts_.count(uri)) return reply_json(res, 500, xrpc_error("InternalServerError", "Internal Server Error"));
  const std::string cid = fake_cid(uri + text);
  json view = {{"uri", uri}, {"cid", cid}, {"author", author_of(account_)}, {"record", record}, {"replyCount", 0},
               {"repostCount", 0}, {"likeCount", 0}, {"indexedAt", iso8601_ms(Clock::now())}};
  posts_[uri] = view;
  record_post({{"uri", uri}, {"rkey", rkey}, {"text", text}, {"reply", record.value("reply", json())},
               {"facets", record.value("facets", json())}});
  reply_json(res, 200, {{"uri", uri}, {"cid", cid}, {"commit", {{"cid", fake_cid(uri)}, {"rev", rkey}}}, {"validationStatus", "valid"}});
}

void BlueskyFake::get_record(const httplib::Request& req, httplib::Response& res) {
  std::lock_guard lock(data_mutex_);
  std::string repo = param(req, "repo");
  if (repo == account_.value("handle", "")) repo = account_.value("did", "");
  const std::string uri = "at://" + repo + "/" + param(req, "collection") + "/" + param(req, "rkey");
  auto it = posts_.find(uri);
  if (it == posts_.end()) return reply_json(res, 400, xrpc_error("RecordNotFound", "Could not locate record: " + uri));
  reply_json(res, 200, {{"uri", uri}, {"cid", it->second["cid"]}, {"value", it->second["record"]}});
}

void BlueskyFake::chat(const httplib::Request& req, httplib::Response& res, const std::string& did) {
  if (req.get_header_value("atproto-proxy") != kProxy)
    return reply_json(res, 501, xrpc_error("MethodNotImplemented", "Method Not Implemented"));
  const std::string nsid = req.path.substr(std::string("/xrpc/").size());
  std::lock_guard lock(data_mutex_);
  auto view = [](const json& c) {
    json v = c;
    v.erase("messages");
    if (!c["messages"].empty()) v["lastMessage"] = c["messages"].back();
    return v;
  };
  auto find_convo = [&](const std::string& id) -> json* {
    for (auto& c : convos_)
      if (c["id"] == id) return &c;
    return nullptr;
  };
  if (nsid == "chat.bsky.convo.listConvos") {
    const int limit = limit_of(req, 50, 100);
    if (limit < 0) return reply_json(res, 400, xrpc_error("InvalidRequest", "bad limit"));
    std::vector<const json*> sorted;
    for (const auto& c : convos_) sorted.push_back(&c);
    auto last = [](const json* c) { return c->at("messages").empty() ? std::string() : c->at("messages").back().value("sentAt", ""); };
    std::stable_sort(sorted.begin(), sorted.end(), [&](const json* a, const json* b) { return last(a) > last(b); });
    const size_t start = param(req, "cursor").empty() ? 0 : std::strtoul(param(req, "cursor").c_str(), nullptr, 10);
    json out = {{"convos", json::array()}};
    for (size_t i = start; i < sorted.size() && i < start + static_cast<size_t>(limit); ++i) out["convos"].push_back(view(*sorted[i]));
    if (start + static_cast<size_t>(limit) < sorted.size()) out["cursor"] = std::to_string(start + static_cast<size_t>(limit));
    return reply_json(res, 200, out);
  }
  if (nsid == "chat.bsky.convo.getMessages") {
    json* c = find_convo(param(req, "convoId"));
    if (!c) return reply_json(res, 400, xrpc_error("InvalidRequest", "Convo not found"));
    const int limit = limit_of(req, 50, 100);
    if (limit < 0) return reply_json(res, 400, xrpc_error("InvalidRequest", "bad limit"));
    const json& msgs = (*c)["messages"];
    const size_t start = param(req, "cursor").empty() ? 0 : std::strtoul(param(req, "cursor").c_str(), nullptr, 10);
    json out = {{"messages", json::array()}};
    for (size_t i = start; i < msgs.size() && i < start + static_cast<size_t>(limit); ++i) out["messages"].push_back(msgs[msgs.size() - 1 - i]);
    if (start + static_cast<size_t>(limit) < msgs.size()) out["cursor"] = std::to_string(start + static_cast<size_t>(limit));
    return reply_json(res, 200, out);
  }
  if (nsid == "chat.bsky.convo.getConvoForMembers") {
    const auto members = params(req, "members");
    if (members.empty()) return reply_json(res, 400, xrpc_error("InvalidRequest", "members is required"));
    for (const auto& c : convos_)
      for (const auto& m : c["members"])
        if (m.value("did", "") == members[0]) return reply_json(res, 200, {{"convo", view(c)}});
    auto p = profiles_.find(members[0]);
    if (p == profiles_.end()) return reply_json(res, 400, xrpc_error("InvalidRequest", "recipient not found"));
    json c = {{"id", "convo-new-" + std::to_string(convos_.size())}, {"rev", "1"}, {"members", {author_of(account_), author_of(p->second)}},
              {"muted", false}, {"unreadCount", 0}, {"messages", json::array()}};
    convos_.push_back(c);
    return reply_json(res, 200, {{"convo", view(c)}});
  }
  if (nsid == "chat.bsky.convo.sendMessage" && req.method == "POST") {
    const json body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object() || !body.value("message", json()).is_object())
      return reply_json(res, 400, xrpc_error("InvalidRequest", "Input must have the property \"message\""));
    json* c = find_convo(body.value("convoId", ""));
    if (!c) return reply_json(res, 400, xrpc_error("InvalidRequest", "Convo not found"));
    const std::string text = body["message"].value("text", "");
    if (graphemes(text) > 1000) return reply_json(res, 400, xrpc_error("InvalidRequest", "message too long"));
    json m = {{"$type", "chat.bsky.convo.defs#messageView"}, {"id", "sent" + std::to_string(++token_seq_)},
              {"rev", std::to_string(token_seq_)}, {"text", text}, {"sender", {{"did", did}}}, {"sentAt", iso8601_ms(Clock::now())}};
    (*c)["messages"].push_back(m);
    record_post({{"convoId", (*c)["id"]}, {"id", m["id"]}, {"text", text}});
    return reply_json(res, 200, m);
  }
  reply_json(res, 501, xrpc_error("MethodNotImplemented", "Method Not Implemented"));
}

bool BlueskyFake::handle_control(const httplib::Request& req, httplib::Response& res) {
  const json body = json::parse(req.body.empty() ? "null" : req.body, nullptr, false);
  if (req.method == "POST" && req.path == "/__fake/notifications") {
    if (!body.is_array()) {
      reply_json(res, 400, {{"error", "body must be an array of notifications"}});
      return true;
    }
    std::lock_guard lock(data_mutex_);
    for (const auto& n : body) {
      if (!n.is_object() || !n.value("uri", json()).is_string() || !n.value("indexedAt", json()).is_string()) {
        reply_json(res, 400, {{"error", "a notification needs uri and indexedAt"}});
        return true;
      }
      notifications_.push_back(n);
      if (n.contains("record") && n["record"].value("$type", "") == kPost)
        posts_[n["uri"].get<std::string>()] = {{"uri", n["uri"]}, {"cid", n.value("cid", "")}, {"author", n.value("author", json())},
                                               {"record", n["record"]}, {"indexedAt", n["indexedAt"]}};
      if (n.contains("author") && n["author"].contains("did") && !profiles_.count(n["author"]["did"].get<std::string>()))
        profiles_[n["author"]["did"].get<std::string>()] = n["author"];
    }
    std::stable_sort(notifications_.begin(), notifications_.end(),
                     [](const json& a, const json& b) { return a.value("indexedAt", "") > b.value("indexedAt", ""); });
    reply_json(res, 200, {{"notifications", notifications_.size()}});
    return true;
  }
  if (req.method == "POST" && req.path == "/__fake/expire") {  // {"kind":"access"|"refresh"|"all"}
    const std::string kind = body.is_object() ? body.value("kind", "access") : "access";
    std::lock_guard lock(data_mutex_);
    for (auto& [jwt, t] : tokens_)
      if (kind == "all" || (kind == "refresh") == t.refresh) t.exp = now_s() - 1;
    reply_json(res, 200, {{"expired", kind}});
    return true;
  }
  if (req.method == "GET" && req.path == "/__fake/calls") {
    std::lock_guard lock(data_mutex_);
    json out = json::object();
    for (const auto& [k, v] : calls_) out[k] = v;
    reply_json(res, 200, out);
    return true;
  }
  if (req.method == "POST" && req.path == "/__fake/session_window") {  // {"used":N,"reset_in_s":S}
    std::lock_guard lock(data_mutex_);
    if (body.is_object()) {
      session_used_ = body.value("used", session_used_);
      session_reset_ = now_s() + body.value("reset_in_s", static_cast<int>(session_reset_ - now_s()));
    }
    reply_json(res, 200, {{"used", session_used_}, {"reset", session_reset_}});
    return true;
  }
  return false;
}

}  // namespace socq::fake
