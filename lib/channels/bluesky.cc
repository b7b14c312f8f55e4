#include "lib/channels/bluesky.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <random>
#include <set>
#include <tuple>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "lib/channels/facets.h"
#include "lib/channels/json_fields.h"
#include "lib/http_log.h"
#include "lib/threads.h"
#include "lib/timefmt.h"

namespace socq {
namespace {

using json = nlohmann::json;

constexpr const char* kChannel = "bluesky";
constexpr const char* kPostCollection = "app.bsky.feed.post";
constexpr const char* kChatProxy = "did:web:api.bsky.chat#bsky_chat";
constexpr size_t kMaxPages = 100000;     // a server whose cursors never end
constexpr int64_t kNotificationOverlapMs = 60 * 60 * 1000;  // read back before the cursor (late-listed, back-dated posts)
constexpr size_t kBatch = 25;            // getProfiles and getPosts take 25 at most
constexpr int64_t kRefreshMarginS = 60;  // renew an access token this close to expiry
constexpr int64_t kMaxChatGraphemes = 1000;
constexpr int64_t kChatRetryWindowMs = 10 * 60 * 1000;  // how far back a DM retry looks for itself

std::string str(const json& j, const char* key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

using channel_json::member;

std::string url_escape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out += static_cast<char>(c);
    else out += fmt::format("%{:02X}", c);
  }
  return out;
}

// Appends `name=value` (escaped) to a query string, with '&' between pairs.
void append_param(std::string& query, const char* name, const std::string& value) {
  if (!query.empty()) query += '&';
  query += name;
  query += '=';
  query += url_escape(value);
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The DID in an at-URI: at://did:plc:abc/app.bsky.feed.post/xyz -> did:plc:abc.
std::string did_of_uri(const std::string& uri) {
  if (uri.rfind("at://", 0) != 0) return {};
  const auto slash = uri.find('/', 5);
  return uri.substr(5, slash == std::string::npos ? std::string::npos : slash - 5);
}

std::string rkey_of_uri(const std::string& uri) {
  const auto slash = uri.rfind('/');
  return slash == std::string::npos ? std::string() : uri.substr(slash + 1);
}

// The post's text with each link facet's bytes replaced by its full URI:
// the app may show (and store in `text`) a link shortened or cut, while the
// facet holds the whole URL (app.bsky.richtext.facet#link). Facets whose
// byte range does not fit the text (or cuts a character), or that overlap
// one before, are left alone.
std::string text_with_links(const std::string& text, const json& facets) {
  if (!facets.is_array()) return text;
  std::vector<std::tuple<size_t, size_t, std::string>> links;  // byteStart, byteEnd, uri
  for (const auto& f : facets) {
    const json& index = member(f, "index");
    const json& start = member(index, "byteStart");
    const json& end = member(index, "byteEnd");
    if (!start.is_number_unsigned() || !end.is_number_unsigned()) continue;
    const auto b = start.get<uint64_t>(), e = end.get<uint64_t>();
    // Inside the text and on character boundaries: a cut inside a UTF-8
    // sequence would leave the case with bytes socq could not read back.
    const auto continuation = [&](uint64_t at) { return at < text.size() && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80; };
    if (b > e || e > text.size() || continuation(b) || continuation(e)) continue;
    const json& features = member(f, "features");
    if (!features.is_array()) continue;
    for (const auto& feature : features)
      if (str(feature, "$type") == "app.bsky.richtext.facet#link" && !str(feature, "uri").empty()) {
        links.emplace_back(static_cast<size_t>(b), static_cast<size_t>(e), str(feature, "uri"));
        break;
      }
  }
  std::sort(links.begin(), links.end());
  std::string out;
  size_t at = 0;
  for (const auto& [b, e, uri] : links) {
    if (b < at) continue;  // overlaps the one before
    out.append(text, at, b - at).append(uri);
    at = e;
  }
  return out.append(text, at, std::string::npos);
}

BlueskyPost post_of(const json& item, const json& record) {
  BlueskyPost p;
  p.uri = str(item, "uri");
  p.cid = str(item, "cid");
  p.reason = str(item, "reason");
  const json& author = member(item, "author");
  p.author_did = str(author, "did");
  p.author_handle = str(author, "handle");
  p.author_name = str(author, "displayName");
  p.text = text_with_links(str(record, "text"), member(record, "facets"));
  p.created_at = str(record, "createdAt");
  p.indexed_at = str(item, "indexedAt");
  const json& reply = member(record, "reply");
  p.root_uri = str(member(reply, "root"), "uri");
  p.root_cid = str(member(reply, "root"), "cid");
  p.parent_uri = str(member(reply, "parent"), "uri");
  p.parent_cid = str(member(reply, "parent"), "cid");
  return p;
}

// A post item's problem, or "".
std::string post_problem(const BlueskyPost& p) {
  if (p.uri.rfind("at://", 0) != 0) return "uri is not an at:// URI";
  if (p.author_did.empty()) return "author.did is missing";
  if (!atproto_time_ms(p.indexed_at)) return "indexedAt is not a datetime";
  return "";
}

// Messages of one fetch, before they become cases.
struct Gathered {
  std::map<std::string, BlueskyPost> posts;  // uri -> post (ours and theirs)
  std::vector<std::string> order;            // uris as first seen
  std::map<std::string, std::string> answered_by;  // our post's uri -> the customer (did) who answered it
};

class Bluesky final : public Channel {
 public:
  Bluesky(HttpClient& http, BlueskyOptions o) : http_(http), o_(std::move(o)) {
    while (!o_.base_url.empty() && o_.base_url.back() == '/') o_.base_url.pop_back();
    if (!o_.handle.empty() && o_.handle.front() == '@') o_.handle.erase(0, 1);
  }

  std::string name() const override { return kChannel; }
  std::vector<std::string> streams() const override { return {"notifications", "chat"}; }

  bool cursor_after(const std::string& a, const std::string& b) const override {
    const auto ta = atproto_time_ms(a), tb = atproto_time_ms(b);
    if (ta && tb) return *ta > *tb;
    return a > b;
  }

  Result<Identity> whoami() override {
    if (auto st = ensure_session(); !st) return st.error();
    us_.id = session_.did;
    us_.handle = o_.handle.empty() ? session_.handle : o_.handle;
    if (o_.handle.empty() && o_.note) o_.note("handle not configured: using " + session_.handle + " from the session");
    return us_;
  }

  Result<Limits> limits() override {
    Limits l;
    l.max_chars = kBlueskyMaxGraphemes;
    l.unit = "graphemes";
    l.max_bytes = kBlueskyMaxBytes;
    return l;
  }

  Status fetch(const FetchRequest& req, const std::function<Status(FetchPage&&)>& on_page) override {
    if (us_.id.empty())
      if (auto me = whoami(); !me) return me.error();
    int64_t stop_before = req.since_ms, cursor_ms = 0;
    if (req.cursor) {
      auto t = atproto_time_ms(*req.cursor);
      if (!t) return Error{Exit::data, "bluesky: the stored " + req.stream + " cursor \"" + *req.cursor + "\" is not a time"};
      stop_before = cursor_ms = *t;
    }
    if (req.stream == "chat") return fetch_chat(req.stream, stop_before, on_page);
    // A notification's indexedAt is its post's sort time, the earlier of when
    // the AppView indexed it and the post's own createdAt, and the AppView
    // may list notifications late: a post made before our last run can
    // appear below the cursor afterwards. Each run reads back a while before
    // the cursor; the merge keeps each post once.
    if (req.cursor) stop_before -= kNotificationOverlapMs;
    return fetch_notifications(req.stream, stop_before, cursor_ms, on_page);
  }

  Result<Posted> post(const PostRequest& req) override {
    if (us_.id.empty())
      if (auto me = whoami(); !me) return me.error();
    return req.is_public ? post_reply(req) : send_dm(req);
  }

 private:
  // ---- HTTP and errors ----

  std::string said(const std::string& text) const {
    return mask_secrets(text, {o_.password, session_.access_jwt, session_.refresh_jwt});
  }

  HttpRequest request(const std::string& method, const std::string& nsid, const std::string& query,
                      const std::string& bearer) const {
    HttpRequest r;
    r.method = method;
    r.url = o_.base_url + "/xrpc/" + nsid + (query.empty() ? "" : "?" + query);
    r.timeout_ms = o_.timeout_ms;
    r.headers = {{"Accept", "application/json"}};
    if (!bearer.empty()) r.headers.emplace_back("Authorization", "Bearer " + bearer);
    if (nsid.rfind("chat.bsky.", 0) == 0) r.headers.emplace_back("atproto-proxy", kChatProxy);
    return r;
  }

  struct XrpcError {
    int status = 0;
    std::string error, message;
  };

  static XrpcError error_of(const HttpResponse& resp) {
    XrpcError e{resp.status, {}, {}};
    const json j = json::parse(resp.body, nullptr, false);
    if (!j.is_discarded() && j.is_object()) e.error = str(j, "error"), e.message = str(j, "message");
    if (e.error.empty() && e.message.empty()) e.message = resp.body.substr(0, 120);
    return e;
  }

  Error as_error(const HttpRequest& r, const XrpcError& e) const {
    const std::string where = r.method + " " + redact_url(r.url);
    const std::string why = e.error.empty() ? e.message : e.error + (e.message.empty() ? "" : ": " + e.message);
    if (e.status == 401 || e.error == "AuthMissing" || e.error == "InvalidToken" || e.error == "ExpiredToken" ||
        e.error == "AuthenticationRequired")
      return Error{Exit::no_perm, said(fmt::format("{}: HTTP {}: the PDS refused our session ({}); check the account's "
                                                   "identifier and password_env or password_file", where, e.status, why))};
    if (e.status == 429) return Error{Exit::temp_fail, said(fmt::format("{}: HTTP 429: {}", where, why))};
    if (e.status == 501 || e.error == "MethodNotImplemented")
      return Error{Exit::unavailable, said(fmt::format("{}: HTTP {}: the server does not offer this ({})", where, e.status, why))};
    if (e.status == 400) return Error{Exit::data, said(fmt::format("{}: HTTP 400: {}", where, why))};
    return Error{Exit::unavailable, said(fmt::format("{}: HTTP {}: {}", where, e.status, why))};
  }

  // Sends with the access token; an expired one is refreshed and the
  // request sent once more (an ExpiredToken answer changed nothing). A
  // token the PDS cannot verify at all (InvalidToken: a cached session from
  // another PDS key, say) is forgotten and we log in again, once a run.
  Result<HttpResponse> send_authed(HttpRequest r) {
    if (auto st = ensure_session(); !st) return st.error();
    r.headers.emplace_back("Authorization", "Bearer " + session_.access_jwt);
    auto resp = http_.send(r);
    if (!resp) return Error{resp.error().code, said(resp.error().message)};
    const XrpcError e = resp->status == 400 || resp->status == 401 ? error_of(*resp) : XrpcError{};
    const bool unverified = e.error == "InvalidToken" && e.message.find("Bad token method") == std::string::npos;
    if (unverified && !created_session_) {
      if (o_.note) o_.note("the PDS could not verify our session (" + e.message + "): logging in again");
      forget_bluesky_session(o_.session_file);
      session_ = {};
      if (auto st = create_session(); !st) return st.error();
      r.headers.back().second = "Bearer " + session_.access_jwt;
      resp = http_.send(r);
      if (!resp) return Error{resp.error().code, said(resp.error().message)};
      return resp;
    }
    if (resp->status != 400 || e.error != "ExpiredToken") return resp;
    if (o_.note) o_.note("access token expired: refreshing the session");
    if (auto st = refresh_session(); !st) return st.error();
    r.headers.back().second = "Bearer " + session_.access_jwt;
    resp = http_.send(r);
    if (!resp) return Error{resp.error().code, said(resp.error().message)};
    return resp;
  }

  Result<json> call(const HttpRequest& r) {
    auto resp = send_authed(r);
    if (!resp) return resp.error();
    if (resp->status < 200 || resp->status > 299) return as_error(r, error_of(*resp));
    const json j = json::parse(resp->body, nullptr, false);
    if (j.is_discarded() || !j.is_object())
      return Error{Exit::data, said(fmt::format("{} {}: the answer is not a JSON object (it began: {})", r.method,
                                                redact_url(r.url), resp->body.substr(0, 60)))};
    return j;
  }

  Result<json> get(const std::string& nsid, const std::string& query) { return call(request("GET", nsid, query, "")); }

  Result<json> post_json(const std::string& nsid, const json& body) {
    HttpRequest r = request("POST", nsid, "", "");
    r.headers.emplace_back("Content-Type", "application/json");
    r.body = body.dump();
    return call(r);
  }

  // ---- session ----

  Status ensure_session() {
    if (!session_.empty()) return ok_status();
    if (!o_.session_file.empty()) session_ = load_bluesky_session(o_.session_file);
    if (session_.empty()) return create_session();
    const auto exp = jwt_expiry_s(session_.access_jwt);
    if (exp && *exp - now_ms() / 1000 < kRefreshMarginS) return refresh_session();
    return ok_status();
  }

  Status adopt_session(const json& j, const std::string& where) {
    BlueskySession s{str(j, "did"), str(j, "handle"), str(j, "accessJwt"), str(j, "refreshJwt")};
    if (s.did.empty() || s.access_jwt.empty() || s.refresh_jwt.empty())
      return Error{Exit::data, where + ": the answer has no did, accessJwt and refreshJwt (not an AT Protocol PDS?)"};
    session_ = std::move(s);
    if (o_.session_file.empty()) return ok_status();
    return save_bluesky_session(o_.session_file, session_);
  }

  Status create_session() {
    const std::string where = "POST " + o_.base_url + "/xrpc/com.atproto.server.createSession";
    if (created_session_)
      return Error{Exit::no_perm, where + ": the PDS refused the session made in this run; not logging in again "
                                          "(the server allows 30 logins per 5 minutes)"};
    created_session_ = true;
    if (o_.note) o_.note("logging in (createSession) as " + o_.identifier);
    HttpRequest r = request("POST", "com.atproto.server.createSession", "", "");
    r.headers.emplace_back("Content-Type", "application/json");
    r.body = json{{"identifier", o_.identifier}, {"password", o_.password}}.dump();
    auto resp = http_.send(r);
    if (!resp) return Error{resp.error().code, said(resp.error().message)};
    if (resp->status == 401 || (resp->status == 400 && error_of(*resp).error == "AuthenticationRequired"))
      return Error{Exit::no_perm, said(fmt::format("{}: HTTP {}: the PDS refused identifier {} or its app password ({}); "
                                                   "check password_env or password_file", where, resp->status,
                                                   o_.identifier, error_of(*resp).message))};
    if (resp->status < 200 || resp->status > 299) return as_error(r, error_of(*resp));
    const json j = json::parse(resp->body, nullptr, false);
    return adopt_session(j, where);
  }

  // A refused refresh token is forgotten and we log in again (once a run).
  Status refresh_session() {
    const std::string where = "POST " + o_.base_url + "/xrpc/com.atproto.server.refreshSession";
    HttpRequest r = request("POST", "com.atproto.server.refreshSession", "", session_.refresh_jwt);
    auto resp = http_.send(r);
    if (!resp) return Error{resp.error().code, said(resp.error().message)};
    if (resp->status >= 200 && resp->status <= 299) {
      const json j = json::parse(resp->body, nullptr, false);
      return adopt_session(j, where);
    }
    if (resp->status != 400 && resp->status != 401) return as_error(r, error_of(*resp));
    if (o_.note) o_.note("the refresh token was refused (" + error_of(*resp).error + "): logging in again");
    forget_bluesky_session(o_.session_file);
    session_ = {};
    return create_session();
  }

  // ---- notifications ----

  // stop_before: the oldest time read; cursor_ms: the stored cursor, which
  // only moves forward.
  Status fetch_notifications(const std::string& stream, int64_t stop_before, int64_t cursor_ms,
                             const std::function<Status(FetchPage&&)>& on_page) {
    Gathered g;
    FetchPage out{stream, {}, {}, 0, 0};
    int64_t newest = cursor_ms;
    std::string cursor;
    std::set<std::string> cursors_seen;
    for (;;) {
      // priority=false: every account's mentions, not only those of accounts
      // we follow (which the account's stored preference may ask for).
      std::string query = "reasons=mention&reasons=reply&limit=50&priority=false";
      if (!cursor.empty()) query += "&cursor=" + url_escape(cursor);
      HttpRequest r = request("GET", "app.bsky.notification.listNotifications", query, "");
      auto body = call(r);
      if (!body) return body.error();
      auto page = parse_bluesky_notifications(body->dump());
      if (!page) return Error{Exit::data, said("GET " + redact_url(r.url) + ": " + page.error().message)};
      ++out.pages;
      bool reached_old = false;
      for (auto& p : page->posts) {
        const int64_t at = *atproto_time_ms(p.indexed_at);
        if (at < stop_before) {
          reached_old = true;
          continue;
        }
        if (p.reason != "mention" && p.reason != "reply") continue;
        if (at > newest) newest = at, out.cursor = p.indexed_at;
        ++out.items;
        add_post(g, std::move(p));
      }
      if (reached_old || page->cursor.empty()) break;
      if (!cursors_seen.insert(page->cursor).second || out.pages >= kMaxPages)
        return Error{Exit::data, said("GET " + redact_url(r.url) + ": the server's cursor leads back to a page already read")};
      cursor = page->cursor;
    }
    if (auto st = gather_parents(g); !st) return st;
    auto cases = cases_of(g);
    if (!cases) return cases.error();
    out.cases = std::move(*cases);
    return on_page(std::move(out));
  }

  static void add_post(Gathered& g, BlueskyPost p) {
    if (g.posts.count(p.uri)) return;  // the same notification across a page boundary
    g.order.push_back(p.uri);
    const std::string uri = p.uri;
    g.posts.emplace(uri, std::move(p));
  }

  // Our posts that customers answered, so a thread shows what we said: the
  // parents not read yet, from getPosts; only ours are kept (outbound).
  Status gather_parents(Gathered& g) {
    std::vector<std::string> wanted;
    std::map<std::string, std::string> asker;  // parent uri -> the customer who answered it
    for (const auto& uri : g.order) {
      const BlueskyPost& p = g.posts.at(uri);
      if (p.parent_uri.empty() || g.posts.count(p.parent_uri) || did_of_uri(p.parent_uri) != us_.id) continue;
      if (asker.emplace(p.parent_uri, p.author_did).second) wanted.push_back(p.parent_uri);
    }
    for (size_t i = 0; i < wanted.size(); i += kBatch) {
      std::string query;
      for (size_t k = i; k < std::min(wanted.size(), i + kBatch); ++k)
        append_param(query, "uris", wanted[k]);
      HttpRequest r = request("GET", "app.bsky.feed.getPosts", query, "");
      auto body = call(r);
      if (!body) return body.error();
      auto posts = parse_bluesky_posts(body->dump());
      if (!posts) return Error{Exit::data, said("GET " + redact_url(r.url) + ": " + posts.error().message)};
      for (auto& p : *posts) {
        if (p.author_did != us_.id || !asker.count(p.uri)) continue;
        g.answered_by[p.uri] = asker[p.uri];
        add_post(g, std::move(p));
      }
    }
    return ok_status();
  }

  struct Profile {
    std::string handle, name;
    std::optional<int64_t> followers;
  };

  // followersCount and names for the customers, 25 at a time.
  Result<std::map<std::string, Profile>> profiles_of(const std::set<std::string>& dids) {
    std::map<std::string, Profile> out;
    const std::vector<std::string> all(dids.begin(), dids.end());
    for (size_t i = 0; i < all.size(); i += kBatch) {
      std::string query;
      for (size_t k = i; k < std::min(all.size(), i + kBatch); ++k)
        append_param(query, "actors", all[k]);
      auto body = get("app.bsky.actor.getProfiles", query);
      if (!body) return body.error();
      const json& profiles = member(*body, "profiles");
      if (!profiles.is_array()) continue;
      for (const auto& p : profiles) {
        Profile prof{str(p, "handle"), str(p, "displayName"), std::nullopt};
        if (auto f = p.find("followersCount"); p.is_object() && f != p.end() && f->is_number_integer())
          prof.followers = f->get<int64_t>();
        if (!str(p, "did").empty()) out[str(p, "did")] = prof;
      }
    }
    return out;
  }

  static std::string message_time(const BlueskyPost& p) {
    auto at = atproto_time_ms(p.created_at);
    const auto indexed = atproto_time_ms(p.indexed_at);
    if (!at || !time_in_range(*at) || (indexed && *at > *indexed)) at = indexed;  // a client's clock may be off
    return format_rfc3339_utc(at ? *at : 0);
  }

  // Posts to cases: one per (root, customer), the root's own customer
  // keeping the plain id (threads.h does the same for imports).
  Result<std::vector<Case>> cases_of(const Gathered& g) {
    std::set<std::string> customers;
    for (const auto& [uri, p] : g.posts)
      if (p.author_did != us_.id) customers.insert(p.author_did);
    auto profiles = profiles_of(customers);
    if (!profiles) return profiles.error();
    std::map<std::string, Case> cases;
    // Oldest first, so posts of the same second keep the server's order.
    std::vector<std::string> order = g.order;
    std::stable_sort(order.begin(), order.end(), [&](const std::string& a, const std::string& b) {
      return atproto_time_ms(g.posts.at(a).indexed_at).value_or(0) < atproto_time_ms(g.posts.at(b).indexed_at).value_or(0);
    });
    for (const auto& uri : order) {
      const BlueskyPost& p = g.posts.at(uri);
      const bool ours = p.author_did == us_.id;
      const std::string customer = ours ? g.answered_by.count(uri) ? g.answered_by.at(uri) : "" : p.author_did;
      if (customer.empty()) continue;  // our post that nobody answered here
      const std::string root = p.root_uri.empty() ? p.uri : p.root_uri;
      const bool root_theirs = did_of_uri(root) == customer;
      const std::string id = std::string(kChannel) + ":" + us_.handle + ":" + root + (root_theirs ? "" : "+" + customer);
      Case& c = cases[id];
      if (c.id.empty()) start_case(c, id, customer, *profiles);
      Message m;
      m.id = p.uri;
      m.dir = ours ? Dir::out : Dir::in;
      m.at = message_time(p);
      m.author = "@" + (p.author_handle.empty() ? p.author_did : p.author_handle);
      m.text = p.text;
      if (!p.parent_uri.empty()) m.reply_to = p.parent_uri;
      c.messages.push_back(std::move(m));
      if (!ours && !p.author_handle.empty()) c.customer.handle = "@" + p.author_handle;
      if (!ours && !p.author_name.empty() && !c.customer.name) c.customer.name = p.author_name;
    }
    std::vector<Case> out;
    for (auto& [id, c] : cases) {
      finish_case(c);
      out.push_back(std::move(c));
    }
    return out;
  }

  void start_case(Case& c, const std::string& id, const std::string& customer_did,
                  const std::map<std::string, Profile>& profiles) const {
    c.id = id;
    c.rev = 1;
    c.channel = kChannel;
    c.account = us_.handle;
    c.customer.id = customer_did;
    c.customer.handle = "@" + customer_did;
    if (auto it = profiles.find(customer_did); it != profiles.end()) {
      if (!it->second.handle.empty()) c.customer.handle = "@" + it->second.handle;
      if (!it->second.name.empty()) c.customer.name = it->second.name;
      c.customer.followers = it->second.followers;
    }
  }

  static void finish_case(Case& c) {
    // By instant, not by text: "…:01Z" (a whole second) sorts after "…:01.045Z" as text.
    std::stable_sort(c.messages.begin(), c.messages.end(), [](const Message& a, const Message& b) {
      return parse_rfc3339_utc(a.at).value_or(0) < parse_rfc3339_utc(b.at).value_or(0);
    });
    derive_status(c);
    c.updated_at = c.messages.back().at;
    c.touched();
  }

  // ---- chat ----

  // An error on the first chat call that says the chat service is not
  // there for us, rather than that our session is bad.
  static bool chat_unavailable(const Error& e) {
    return e.code == Exit::unavailable || e.code == Exit::data ||
           (e.code == Exit::no_perm && e.message.find("Bad token method") != std::string::npos);
  }

  Result<json> chat_page(const std::string& nsid, std::string query, const std::string& cursor) {
    if (!cursor.empty()) query += "&cursor=" + url_escape(cursor);
    return get(nsid, query);
  }

  Status fetch_chat(const std::string& stream, int64_t stop_before, const std::function<Status(FetchPage&&)>& on_page) {
    FetchPage out{stream, {}, {}, 0, 0};
    int64_t newest = 0;
    std::string cursor;
    std::set<std::string> cursors_seen;
    std::vector<json> convos;
    for (;;) {
      auto body = chat_page("chat.bsky.convo.listConvos", "limit=100", cursor);
      if (!body && out.pages == 0 && chat_unavailable(body.error())) {
        // No chat service behind this PDS (the reference servers have none:
        // 501 without the proxy header, 500 with it; 400 InvalidRequest when
        // the PDS cannot resolve the chat service), or an app password made
        // without DM access (400 InvalidToken "Bad token method"): mentions
        // are still fetched; DMs wait for a later run.
        if (o_.note) o_.note("chat unavailable, direct messages not fetched this run: " + body.error().message);
        return ok_status();
      }
      if (!body) return body.error();
      ++out.pages;
      const json& list = member(*body, "convos");
      if (!list.is_array()) return Error{Exit::data, "GET chat.bsky.convo.listConvos: the answer has no convos array"};
      for (const auto& c : list) {
        const auto last = atproto_time_ms(str(member(c, "lastMessage"), "sentAt"));
        if (!str(c, "id").empty() && last && *last >= stop_before) convos.push_back(c);
      }
      cursor = str(*body, "cursor");
      if (cursor.empty()) break;
      if (!cursors_seen.insert(cursor).second || out.pages >= kMaxPages)
        return Error{Exit::data, "GET chat.bsky.convo.listConvos: the server's cursor leads back to a page already read"};
    }
    std::set<std::string> customers;
    for (const auto& convo : convos) {
      Case c;
      if (auto st = read_convo(convo, stop_before, c, out, newest); !st) return st;
      if (c.messages.empty()) continue;
      finish_case(c);
      customers.insert(c.customer.id);
      out.cases.push_back(std::move(c));
    }
    auto profiles = profiles_of(customers);
    if (!profiles) return profiles.error();
    for (auto& c : out.cases)
      if (auto it = profiles->find(c.customer.id); it != profiles->end()) c.customer.followers = it->second.followers;
    return on_page(std::move(out));
  }

  Status read_convo(const json& convo, int64_t stop_before, Case& c, FetchPage& out, int64_t& newest) {
    const std::string convo_id = str(convo, "id");
    std::map<std::string, Profile> members;
    std::string customer;
    if (const json& ms = member(convo, "members"); ms.is_array())
      for (const auto& m : ms) {
        members[str(m, "did")] = Profile{str(m, "handle"), str(m, "displayName"), std::nullopt};
        if (str(m, "did") != us_.id && customer.empty()) customer = str(m, "did");
      }
    if (customer.empty()) return ok_status();  // a conversation with ourselves
    start_case(c, std::string(kChannel) + ":" + us_.handle + ":dm-" + convo_id, customer, members);
    std::string cursor;
    std::set<std::string> cursors_seen;
    for (;;) {
      auto body = chat_page("chat.bsky.convo.getMessages", "convoId=" + url_escape(convo_id) + "&limit=100", cursor);
      if (!body) return body.error();
      ++out.pages;
      const json& msgs = member(*body, "messages");
      if (!msgs.is_array()) return Error{Exit::data, "GET chat.bsky.convo.getMessages: the answer has no messages array"};
      bool reached_old = false;
      for (const auto& m : msgs) {
        const auto at = atproto_time_ms(str(m, "sentAt"));
        if (!at || str(m, "id").empty() || !m.contains("text")) continue;  // a deleted message has no text
        if (*at < stop_before) {
          reached_old = true;
          continue;
        }
        if (*at > newest) newest = *at, out.cursor = str(m, "sentAt");
        ++out.items;
        add_chat_message(c, convo_id, m, members, *at);
      }
      cursor = str(*body, "cursor");
      if (reached_old || cursor.empty()) break;
      if (!cursors_seen.insert(cursor).second || out.pages >= kMaxPages)
        return Error{Exit::data, "GET chat.bsky.convo.getMessages: the server's cursor leads back to a page already read"};
    }
    return ok_status();
  }

  void add_chat_message(Case& c, const std::string& convo_id, const json& m, const std::map<std::string, Profile>& members,
                        int64_t at) const {
    const std::string id = "chat:" + convo_id + ":" + str(m, "id");
    if (std::any_of(c.messages.begin(), c.messages.end(), [&](const Message& x) { return x.id == id; })) return;
    const std::string sender = str(member(m, "sender"), "did");
    Message msg;
    msg.id = id;
    msg.dir = sender == us_.id ? Dir::out : Dir::in;
    msg.at = format_rfc3339_utc(at);
    auto who = members.find(sender);
    msg.author = "@" + (who != members.end() && !who->second.handle.empty() ? who->second.handle : sender);
    msg.text = str(m, "text");
    msg.is_public = false;
    c.messages.push_back(std::move(msg));
  }

  // ---- posting ----

  static Status check_length(const std::string& text, int64_t max_graphemes, int64_t max_bytes) {
    const int64_t g = grapheme_count(text);
    if (g > max_graphemes)
      return Error{Exit::data, fmt::format("bluesky: the text is {} graphemes; the limit is {}", g, max_graphemes)};
    if (max_bytes && static_cast<int64_t>(text.size()) > max_bytes)
      return Error{Exit::data, fmt::format("bluesky: the text is {} bytes of UTF-8; the limit is {}", text.size(), max_bytes)};
    return ok_status();
  }

  std::string post_url(const std::string& uri) const {
    return "https://bsky.app/profile/" + (us_.handle.empty() ? us_.id : us_.handle) + "/post/" + rkey_of_uri(uri);
  }

  // Whether our post with this rkey exists: its uri, or "" (RecordNotFound).
  Result<std::string> existing_post(const std::string& rkey) {
    HttpRequest r = request("GET", "com.atproto.repo.getRecord",
                            "repo=" + url_escape(us_.id) + "&collection=" + kPostCollection + "&rkey=" + url_escape(rkey), "");
    auto resp = send_authed(r);
    if (!resp) return resp.error();
    if (resp->status >= 200 && resp->status <= 299) {
      const json j = json::parse(resp->body, nullptr, false);
      const std::string uri = str(j, "uri");
      return uri.empty() ? "at://" + us_.id + "/" + kPostCollection + "/" + rkey : uri;
    }
    const XrpcError e = error_of(*resp);
    if (e.error == "RecordNotFound" || resp->status == 404 ||
        (resp->status == 400 && e.message.find("ould not locate record") != std::string::npos))
      return std::string();
    return as_error(r, e);
  }

  // The parent's strong ref and the thread's root.
  Result<json> reply_refs(const std::string& parent_uri) {
    auto body = get("app.bsky.feed.getPosts", "uris=" + url_escape(parent_uri));
    if (!body) return body.error();
    const json& posts = member(*body, "posts");
    if (!posts.is_array() || posts.empty())
      return Error{Exit::data, "bluesky: the post being answered (" + parent_uri + ") does not exist (any more)"};
    const json& parent = posts[0];
    const json parent_ref = {{"uri", str(parent, "uri")}, {"cid", str(parent, "cid")}};
    const json& root = member(member(member(parent, "record"), "reply"), "root");
    const json root_ref = str(root, "uri").empty() ? parent_ref : json{{"uri", str(root, "uri")}, {"cid", str(root, "cid")}};
    if (str(parent, "cid").empty()) return Error{Exit::data, "bluesky: getPosts gave " + parent_uri + " without a cid"};
    return json{{"root", root_ref}, {"parent", parent_ref}};
  }

  // Mentions whose handle resolves to a DID, and links.
  json facets_of(const std::string& text) {
    json facets = json::array();
    for (const auto& m : find_mentions(text)) {
      auto j = get("com.atproto.identity.resolveHandle", "handle=" + url_escape(m.value));
      if (!j || str(*j, "did").empty()) {
        if (o_.note) o_.note("@" + m.value + " is not a known handle: left as plain text");
        continue;
      }
      facets.push_back({{"index", {{"byteStart", m.begin}, {"byteEnd", m.end}}},
                        {"features", json::array({{{"$type", "app.bsky.richtext.facet#mention"}, {"did", str(*j, "did")}}})}});
    }
    for (const auto& l : find_links(text))
      facets.push_back({{"index", {{"byteStart", l.begin}, {"byteEnd", l.end}}},
                        {"features", json::array({{{"$type", "app.bsky.richtext.facet#link"}, {"uri", l.value}}})}});
    return facets;
  }

  Result<Posted> post_reply(const PostRequest& req) {
    if (auto st = check_length(req.text, kBlueskyMaxGraphemes, kBlueskyMaxBytes); !st) return st.error();
    const std::string rkey = bluesky_rkey(req.idempotency_key);
    json record = {{"$type", kPostCollection}, {"text", req.text}, {"createdAt", format_rfc3339_utc(now_ms())}};
    if (req.in_reply_to) {
      auto refs = reply_refs(*req.in_reply_to);
      if (!refs) return refs.error();
      record["reply"] = std::move(*refs);
    }
    auto before = existing_post(rkey);
    if (!before) return before.error();
    if (!before->empty()) {
      if (o_.note) o_.note("already posted as " + *before + " (an earlier attempt got through)");
      return Posted{*before, post_url(*before)};
    }
    if (json facets = facets_of(req.text); !facets.empty()) record["facets"] = std::move(facets);
    const json body = {{"repo", us_.id}, {"collection", kPostCollection}, {"rkey", rkey}, {"record", record}};
    auto created = post_json("com.atproto.repo.createRecord", body);
    if (created && !str(*created, "uri").empty()) return Posted{str(*created, "uri"), post_url(str(*created, "uri"))};
    // An error after sending may hide a post that was made: ask.
    auto after = existing_post(rkey);
    if (after && !after->empty()) return Posted{*after, post_url(*after)};
    if (!created) return created.error();
    return Error{Exit::data, "POST com.atproto.repo.createRecord: the answer has no uri"};
  }

  Result<std::string> convo_for(const PostRequest& req) {
    if (req.in_reply_to && req.in_reply_to->rfind("chat:", 0) == 0) {
      const std::string rest = req.in_reply_to->substr(5);
      return rest.substr(0, rest.find(':'));
    }
    std::string did = req.recipient.value_or("");
    if (did.empty() && req.in_reply_to) did = did_of_uri(*req.in_reply_to);
    if (did.empty())
      return Error{Exit::usage, "bluesky: a private message needs the customer (a recipient DID or the message answered)"};
    auto body = get("chat.bsky.convo.getConvoForMembers", "members=" + url_escape(did));
    if (!body) return body.error();
    const std::string id = str(member(*body, "convo"), "id");
    if (id.empty()) return Error{Exit::data, "GET chat.bsky.convo.getConvoForMembers: the answer has no convo.id"};
    return id;
  }

  // Our identical message among the conversation's latest: "" if none.
  Result<std::string> sent_already(const std::string& convo_id, const std::string& text) {
    auto body = get("chat.bsky.convo.getMessages", "convoId=" + url_escape(convo_id) + "&limit=20");
    if (!body) return body.error();
    if (const json& msgs = member(*body, "messages"); msgs.is_array())
      for (const auto& m : msgs) {
        const auto at = atproto_time_ms(str(m, "sentAt"));
        if (str(member(m, "sender"), "did") == us_.id && str(m, "text") == text && at && *at >= now_ms() - kChatRetryWindowMs)
          return "chat:" + convo_id + ":" + str(m, "id");
      }
    return std::string();
  }

  Result<Posted> send_dm(const PostRequest& req) {
    if (auto st = check_length(req.text, kMaxChatGraphemes, 0); !st) return st.error();
    auto convo = convo_for(req);
    if (!convo) return convo.error();
    auto before = sent_already(*convo, req.text);
    if (!before) return before.error();
    if (!before->empty()) return Posted{*before, std::nullopt};
    auto sent = post_json("chat.bsky.convo.sendMessage", {{"convoId", *convo}, {"message", {{"text", req.text}}}});
    if (sent && !str(*sent, "id").empty()) return Posted{"chat:" + *convo + ":" + str(*sent, "id"), std::nullopt};
    auto after = sent_already(*convo, req.text);
    if (after && !after->empty()) return Posted{*after, std::nullopt};
    if (!sent) return sent.error();
    return Error{Exit::data, "POST chat.bsky.convo.sendMessage: the answer has no id"};
  }

  HttpClient& http_;
  BlueskyOptions o_;
  BlueskySession session_;
  bool created_session_ = false;
  Identity us_;
};

uint64_t fnv1a64(const std::string& s) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

}  // namespace

std::string make_tid(uint64_t micros, uint64_t clock_id) {
  static const char* kAlphabet = "234567abcdefghijklmnopqrstuvwxyz";
  uint64_t v = ((micros << 10) | (clock_id & 0x3FF)) & 0x7FFFFFFFFFFFFFFFULL;
  std::string out(13, '2');
  for (int i = 12; i >= 0; --i, v >>= 5) out[static_cast<size_t>(i)] = kAlphabet[v & 31];
  return out;
}

bool is_tid(std::string_view s) {
  static const std::string_view kAlphabet = "234567abcdefghijklmnopqrstuvwxyz";
  if (s.size() != 13 || kAlphabet.substr(0, 16).find(s[0]) == std::string_view::npos) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return kAlphabet.find(c) != std::string_view::npos; });
}

std::string bluesky_rkey(const std::string& key) {
  if (is_tid(key)) return key;
  if (key.empty()) {  // no key: a fresh TID (a retry cannot be recognised)
    std::random_device rd;
    return make_tid(static_cast<uint64_t>(now_ms()) * 1000, rd());
  }
  // A time between 2023 and 2026 from the hash, so the TID looks like any other.
  constexpr uint64_t k2023 = 1672531200ULL * 1000000ULL, kThreeYears = 3ULL * 365 * 86400 * 1000000ULL;
  const uint64_t h = fnv1a64(key);
  return make_tid(k2023 + (h >> 10) % kThreeYears, h & 0x3FF);
}

std::optional<int64_t> atproto_time_ms(std::string_view s) { return parse_rfc3339_any(s); }

Result<BlueskyNotificationPage> parse_bluesky_notifications(std::string_view body) {
  const json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Error{Exit::data, "the answer is not a JSON object"};
  const json& items = member(j, "notifications");
  if (!items.is_array()) return Error{Exit::data, "the answer has no notifications array (not an AT Protocol server?)"};
  BlueskyNotificationPage page;
  page.cursor = str(j, "cursor");
  for (size_t i = 0; i < items.size(); ++i) {
    const json& item = items[i];
    const json& record = member(item, "record");
    if (str(record, "$type") != kPostCollection) continue;  // a like, a follow...
    BlueskyPost p = post_of(item, record);
    if (auto problem = post_problem(p); !problem.empty())
      return Error{Exit::data, fmt::format("notification {}: {}", i, problem)};
    page.posts.push_back(std::move(p));
  }
  return page;
}

Result<std::vector<BlueskyPost>> parse_bluesky_posts(std::string_view body) {
  const json j = json::parse(body, nullptr, false);
  const json& items = member(j, "posts");
  if (j.is_discarded() || !items.is_array()) return Error{Exit::data, "the answer has no posts array"};
  std::vector<BlueskyPost> out;
  for (const auto& item : items) {
    BlueskyPost p = post_of(item, member(item, "record"));
    if (p.uri.rfind("at://", 0) == 0 && !p.author_did.empty()) out.push_back(std::move(p));
  }
  return out;
}

std::unique_ptr<Channel> make_bluesky_channel(HttpClient& http, BlueskyOptions options) {
  return std::make_unique<Bluesky>(http, std::move(options));
}

}  // namespace socq
