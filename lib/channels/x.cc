#include "lib/channels/x.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "lib/channels/json_fields.h"
#include "lib/http_log.h"
#include "lib/threads.h"
#include "lib/timefmt.h"

namespace socq {
namespace {

using json = nlohmann::json;

constexpr const char* kChannel = "x";
constexpr size_t kMaxPages = 100000;  // a server whose next_token never ends
// note_tweet: a post over 280 characters has only its start in `text`;
// entities: a link's own URL is there, the text holds X's t.co link.
constexpr const char* kTweetFields =
    "tweet.fields=created_at,author_id,conversation_id,in_reply_to_user_id,referenced_tweets,note_tweet,entities";
constexpr const char* kUserFields = "user.fields=username,name,public_metrics";
constexpr const char* kDmFields = "dm_event.fields=id,text,event_type,created_at,sender_id,dm_conversation_id,entities";

using channel_json::str;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

struct XUser {
  std::string id, username, name;
  std::optional<int64_t> followers;
};

// One tweet or DM event, as a message to be placed.
struct XItem {
  std::string id, text, author_id, conversation, reply_to, reply_user;
  int64_t at_ms = 0;
  bool retweet = false;  // referenced_tweets type "retweeted": someone passing a post on
};

// What a stream's pages gathered.
struct Gathered {
  std::map<std::string, XItem> items;  // by id: a tweet on two pages counts once
  std::map<std::string, XUser> users;
};

// The error an X answer describes, in its own words: the problem details'
// detail/title, or the first of errors[].message.
std::string why_of(const json& body, const std::string& raw) {
  if (body.is_object()) {
    if (auto d = str(body, "detail"); !d.empty()) return d;
    if (auto t = str(body, "title"); !t.empty()) return t;
    if (auto e = body.find("errors"); e != body.end() && e->is_array() && !e->empty())
      if (auto m = str((*e)[0], "message"); !m.empty()) return m;
  }
  return raw.substr(0, 120);
}

bool is_duplicate_answer(const json& body) {
  if (lower(str(body, "detail")).find("duplicate content") != std::string::npos) return true;
  if (auto e = body.find("errors"); body.is_object() && e != body.end() && e->is_array())
    for (const auto& err : *e)
      if (str(err, "code") == "187" || lower(str(err, "message")).find("duplicate") != std::string::npos) return true;
  return false;
}

// includes.users[] into `users`.
void read_users(const json& body, std::map<std::string, XUser>& users) {
  auto inc = body.find("includes");
  if (inc == body.end() || !inc->is_object()) return;
  auto us = inc->find("users");
  if (us == inc->end() || !us->is_array()) return;
  for (const auto& u : *us) {
    XUser x{str(u, "id"), str(u, "username"), str(u, "name"), std::nullopt};
    if (x.id.empty()) continue;
    if (auto pm = u.find("public_metrics"); pm != u.end() && pm->is_object())
      if (auto f = pm->find("followers_count"); f != pm->end() && f->is_number_integer()) x.followers = f->get<int64_t>();
    users[x.id] = std::move(x);
  }
}

// The text with each t.co link X put in it replaced by the URL the person
// wrote (entities.urls[].expanded_url), so a case holds the real link.
std::string with_expanded_urls(std::string text, const json& entities) {
  const json& urls = channel_json::member(entities, "urls");
  if (!urls.is_array()) return text;
  for (const auto& u : urls) {
    const std::string short_url = str(u, "url"), full = str(u, "expanded_url");
    if (short_url.empty() || full.empty()) continue;
    if (const auto at = text.find(short_url); at != std::string::npos) text.replace(at, short_url.size(), full);
  }
  return text;
}

// A tweet or DM event of the answer's data[]; the reason when it is not one.
Result<XItem> read_item(const json& t, bool dm) {
  XItem it;
  it.id = str(t, "id");
  it.text = with_expanded_urls(x_unescape(str(t, "text")), channel_json::member(t, "entities"));
  if (!dm)
    if (const json& note = channel_json::member(t, "note_tweet"); !str(note, "text").empty())  // the whole long post
      it.text = with_expanded_urls(x_unescape(str(note, "text")), channel_json::member(note, "entities"));
  it.author_id = str(t, dm ? "sender_id" : "author_id");
  it.conversation = str(t, dm ? "dm_conversation_id" : "conversation_id");
  if (it.conversation.empty()) it.conversation = it.id;
  it.reply_user = str(t, "in_reply_to_user_id");
  if (auto refs = t.find("referenced_tweets"); t.is_object() && refs != t.end() && refs->is_array())
    for (const auto& r : *refs) {
      if (str(r, "type") == "replied_to") it.reply_to = str(r, "id");
      if (str(r, "type") == "retweeted") it.retweet = true;
    }
  const auto at = parse_rfc3339_any(str(t, "created_at"));
  if (it.id.empty() || it.author_id.empty() || !at)
    return Error{Exit::data, fmt::format("a {} without id, {} or a valid created_at (id \"{}\")", dm ? "DM event" : "tweet",
                                         dm ? "sender_id" : "author_id", it.id)};
  it.at_ms = *at / 1000 * 1000;
  return it;
}

// A list answer's data[] (absent when result_count is 0).
Result<const json*> data_of(const json& body) {
  if (!body.is_object()) return Error{Exit::data, "the answer is not a JSON object"};
  auto d = body.find("data");
  if (d == body.end()) return static_cast<const json*>(nullptr);
  if (!d->is_array()) return Error{Exit::data, "the answer's data is not an array"};
  return &*d;
}

std::string handle_of(const Gathered& g, const std::string& user_id) {
  auto u = g.users.find(user_id);
  return u != g.users.end() && !u->second.username.empty() ? u->second.username : user_id;
}

void describe_customer(Case& c, const Gathered& g, const std::string& user_id) {
  c.customer.id = user_id;
  c.customer.handle = "@" + handle_of(g, user_id);
  if (auto u = g.users.find(user_id); u != g.users.end()) {
    if (!u->second.name.empty()) c.customer.name = u->second.name;
    c.customer.followers = u->second.followers;
  }
}


// The other member of a one-to-one DM conversation ("<id>-<id>").
std::string dm_partner(const std::string& conversation, const std::string& us) {
  const auto dash = conversation.find('-');
  if (dash == std::string::npos) return {};
  const std::string a = conversation.substr(0, dash), b = conversation.substr(dash + 1);
  return a == us ? b : a;
}

// Items grouped by conversation into cases: one per conversation.
std::vector<Case> cases_of(const Gathered& g, const Identity& us, bool dm) {
  std::map<std::string, std::vector<const XItem*>> by_conversation;
  for (const auto& [id, it] : g.items) by_conversation[it.conversation].push_back(&it);
  std::vector<Case> out;
  for (auto& [conv, items] : by_conversation) {
    std::sort(items.begin(), items.end(), [](const XItem* a, const XItem* b) { return numeric_id_less(a->id, b->id); });
    Case c;
    c.id = std::string(kChannel) + ":" + us.handle + ":" + (dm ? "dm-" : "") + conv;
    c.rev = 1;
    c.channel = kChannel;
    c.account = us.handle;
    std::string customer;
    for (const XItem* it : items) {
      Message m;
      m.id = it->id;
      m.dir = it->author_id == us.id ? Dir::out : Dir::in;
      m.at = format_rfc3339_utc(it->at_ms);
      m.author = "@" + (m.dir == Dir::out ? us.handle : handle_of(g, it->author_id));
      m.text = it->text;
      m.is_public = !dm;
      if (!it->reply_to.empty()) m.reply_to = it->reply_to;
      if (customer.empty() && m.dir == Dir::in) customer = it->author_id;
      c.messages.push_back(std::move(m));
    }
    if (customer.empty())  // only our messages: whom we answered
      customer = dm ? dm_partner(conv, us.id) : items.front()->reply_user;
    if (customer.empty()) customer = "unknown";
    describe_customer(c, g, customer);
    derive_status(c);
    c.updated_at = last_message_at(c);
    out.push_back(std::move(c));
  }
  return out;
}

// One answer of a stream into `g`; which of its items are older than
// `since_ms`, or not newer than `stop_id`, are left out (and reported).
struct PageRead {
  std::string next_token, newest_id;
  size_t items = 0;
  bool reached_end = false;  // an item older than since or at the stop id
};

Result<PageRead> read_page(const json& body, bool dm, bool ours_only, const Identity& us, int64_t since_ms,
                           const std::string& stop_id, Gathered& g) {
  auto data = data_of(body);
  if (!data) return data.error();
  read_users(body, g.users);
  PageRead r;
  if (auto meta = body.find("meta"); meta != body.end() && meta->is_object()) {
    r.next_token = str(*meta, "next_token");
    r.newest_id = str(*meta, "newest_id");
  }
  if (!*data) return r;
  for (const auto& t : **data) {
    if (dm && str(t, "event_type") != "MessageCreate" && !str(t, "event_type").empty()) continue;
    auto it = read_item(t, dm);
    if (!it) return it.error();
    if (dm && (r.newest_id.empty() || numeric_id_less(r.newest_id, it->id))) r.newest_id = it->id;
    if (it->at_ms < since_ms || (!stop_id.empty() && !numeric_id_less(stop_id, it->id))) {
      r.reached_end = true;
      continue;
    }
    // A retweet of a post that mentions us is in the mentions timeline (X
    // can exclude retweets only from a user's own timeline), but it is not
    // the retweeter speaking to us: no case, no message. A quote tweet is.
    if (it->retweet) continue;
    // Our own tweets count when they answer someone else: a reply in a thread.
    if (ours_only && (it->author_id != us.id || it->reply_to.empty() || it->reply_user == us.id)) continue;
    ++r.items;
    g.items.emplace(it->id, std::move(*it));
  }
  return r;
}

class X final : public Channel {
 public:
  X(HttpClient& http, XOptions o) : http_(http), o_(std::move(o)) {
    while (!o_.base_url.empty() && o_.base_url.back() == '/') o_.base_url.pop_back();
    if (!o_.handle.empty() && o_.handle.front() == '@') o_.handle.erase(0, 1);
  }

  std::string name() const override { return kChannel; }
  std::vector<std::string> streams() const override { return {"mentions", "tweets", "dm_events"}; }
  bool cursor_after(const std::string& a, const std::string& b) const override { return numeric_id_less(b, a); }

  Result<Identity> whoami() override {
    const std::string url = o_.base_url + "/2/users/me?user.fields=username,name,public_metrics";
    auto me = send_json(request("GET", url));
    if (!me) return me.error();
    const json* data = me->is_object() && me->contains("data") ? &(*me)["data"] : nullptr;
    if (!data || str(*data, "id").empty() || str(*data, "username").empty())
      return shape_error(url, "{\"data\":{\"id\",\"username\"}}");
    us_.id = str(*data, "id");
    us_.handle = o_.handle.empty() ? str(*data, "username") : o_.handle;
    if (o_.handle.empty() && o_.note) o_.note("handle not configured: using " + us_.handle + " from /2/users/me");
    return us_;
  }

  // X counts 280 weighted characters, every URL as 23 (the t.co length).
  Result<Limits> limits() override { return Limits{280, 23, "weighted"}; }

  Status fetch(const FetchRequest& req, const std::function<Status(FetchPage&&)>& on_page) override {
    if (us_.id.empty())
      if (auto me = whoami(); !me) return me.error();
    const bool dm = req.stream == "dm_events";
    std::string first;
    if (dm) {
      first = o_.base_url + "/2/dm_events?max_results=100&event_types=MessageCreate&" + kDmFields + "&expansions=sender_id&" + kUserFields;
    } else {
      const bool mine = req.stream == "tweets";
      first = o_.base_url + "/2/users/" + us_.id + (mine ? "/tweets" : "/mentions") + "?max_results=100&" + kTweetFields +
              "&expansions=" + (mine ? "author_id,in_reply_to_user_id" : "author_id") + "&" + kUserFields;
      first += req.cursor ? "&since_id=" + *req.cursor : "&start_time=" + format_rfc3339_utc(req.since_ms / 1000 * 1000);
    }
    return walk(first, req, dm, on_page);
  }

  Result<Posted> post(const PostRequest& req) override {
    if (us_.id.empty())
      if (auto me = whoami(); !me) return me.error();
    return req.is_public ? post_tweet(req) : post_dm(req);
  }

 private:
  HttpRequest request(const std::string& method, const std::string& url) const {
    HttpRequest r;
    r.method = method;
    r.url = url;
    r.timeout_ms = o_.timeout_ms;
    r.headers = {{"Authorization", "Bearer " + o_.token}, {"Accept", "application/json"}};
    return r;
  }

  HttpRequest post_request(const std::string& url, const json& body) const {
    HttpRequest r = request("POST", url);
    r.headers.emplace_back("Content-Type", "application/json");
    r.body = body.dump();
    return r;
  }

  std::string said(const std::string& text) const { return mask_secrets(text, {o_.token}); }

  Error shape_error(const std::string& url, const std::string& want) const {
    return Error{Exit::data, said(fmt::format("GET {}: the server's answer is not {} (not the X API v2?)", redact_url(url), want))};
  }

  // The answer as JSON; errors with X's own words. A 403 whose body says
  // duplicate content comes back as Exit::conflict for post_tweet.
  Result<json> send_json(const HttpRequest& r) {
    auto resp = http_.send(r);
    if (!resp) return Error{resp.error().code, said(resp.error().message)};
    const std::string where = r.method + " " + redact_url(r.url);
    const json parsed = json::parse(resp->body, nullptr, false);
    const std::string why = why_of(parsed.is_discarded() ? json() : parsed, resp->body);
    if (resp->status == 401)
      return Error{Exit::no_perm, said(fmt::format("{}: HTTP 401: the server refused the token ({}); check the account's token_env or token_file",
                                                   where, why))};
    if (resp->status == 403 && !parsed.is_discarded() && is_duplicate_answer(parsed))
      return Error{Exit::conflict, said(fmt::format("{}: HTTP 403: {}", where, why))};
    if (resp->status == 403)
      return Error{Exit::no_perm, said(fmt::format("{}: HTTP 403: not allowed for this token ({})", where, why))};
    if (resp->status == 429)  // the policy gave up waiting
      return Error{Exit::temp_fail, said(fmt::format("{}: HTTP 429: {}", where, why))};
    if (resp->status >= 400 && resp->status < 500) return Error{Exit::data, said(fmt::format("{}: HTTP {}: {}", where, resp->status, why))};
    if (resp->status < 200 || resp->status > 299)
      return Error{Exit::unavailable, said(fmt::format("{}: HTTP {}: {}", where, resp->status, why))};
    if (parsed.is_discarded())
      return Error{Exit::data, said(fmt::format("{}: the server's answer is not valid JSON (it began: {})", where, resp->body.substr(0, 60)))};
    return parsed;
  }

  // Every page of a stream, then one FetchPage: the cursor is the newest
  // id of the first page, valid only once all older pages are in.
  Status walk(const std::string& first, const FetchRequest& req, bool dm, const std::function<Status(FetchPage&&)>& on_page) {
    Gathered g;
    FetchPage out{req.stream, {}, {}, 0, 0};
    const std::string stop_id = dm && req.cursor ? *req.cursor : "";
    const int64_t since = req.cursor ? 0 : req.since_ms;
    std::set<std::string> tokens;
    std::string url = first;
    while (!url.empty()) {
      auto body = send_json(request("GET", url));
      if (!body) return body.error();
      ++out.pages;
      auto page = read_page(*body, dm, req.stream == "tweets", us_, since, stop_id, g);
      if (!page) return Error{Exit::data, said("GET " + redact_url(url) + ": " + page.error().message)};
      out.items += page->items;
      if (out.pages == 1) out.cursor = page->newest_id;
      if (page->reached_end || page->next_token.empty()) break;
      if (!tokens.insert(page->next_token).second || tokens.size() > kMaxPages)
        return Error{Exit::data, said("GET " + redact_url(url) + ": meta.next_token leads back to a page already read")};
      url = first + "&pagination_token=" + page->next_token;
    }
    if (dm && req.cursor && !out.cursor.empty() && !numeric_id_less(*req.cursor, out.cursor)) out.cursor.clear();
    out.cases = cases_of(g, us_, dm);
    return on_page(std::move(out));
  }

  Result<Posted> post_tweet(const PostRequest& req) {
    json body = {{"text", req.text}};
    if (req.in_reply_to) body["reply"] = {{"in_reply_to_tweet_id", *req.in_reply_to}};
    const HttpRequest r = post_request(o_.base_url + "/2/tweets", body);
    // No idempotency key on X: a lost answer is sent again, and X's
    // duplicate-content refusal then tells us the first one went through.
    for (int attempt = 1;; ++attempt) {
      auto answer = send_json(r);
      if (answer) return posted_of(*answer, r.url, "id");
      if (answer.error().code == Exit::conflict) return find_recent(req, answer.error());
      if (answer.error().code != Exit::unavailable || attempt >= 3) return answer.error();
      if (o_.note) o_.note("POST /2/tweets: no answer (" + answer.error().message + "): sending again; a duplicate is detected");
    }
  }

  Result<Posted> posted_of(const json& answer, const std::string& url, const char* key) const {
    const json* data = answer.is_object() && answer.contains("data") ? &answer["data"] : nullptr;
    if (!data || str(*data, key).empty())
      return Error{Exit::data, said(fmt::format("POST {}: the answer has no data.{} (not the X API v2?)", redact_url(url), key))};
    return Posted{str(*data, key), {}};
  }

  // After a duplicate-content 403: our recent tweet with the same text
  // (answering the same tweet) is the one we posted.
  Result<Posted> find_recent(const PostRequest& req, const Error& refused) {
    const std::string url = o_.base_url + "/2/users/" + us_.id + "/tweets?max_results=20&" + kTweetFields;
    auto recent = send_json(request("GET", url));
    if (!recent) return recent.error();
    auto data = data_of(*recent);
    if (!data) return shape_error(url, "a list of tweets");
    if (*data)
      for (const auto& t : **data) {
        auto it = read_item(t, false);
        if (!it || x_unescape(str(t, "text")) != req.text) continue;
        if (req.in_reply_to && it->reply_to != *req.in_reply_to) continue;
        if (o_.note) o_.note("X refused a duplicate: tweet " + it->id + " with this text is already ours; taking it as posted");
        return Posted{it->id, {}};
      }
    return Error{Exit::data, refused.message + " (and none of our recent tweets has this text: change the text)"};
  }

  Result<Posted> post_dm(const PostRequest& req) {
    if (!req.recipient || req.recipient->empty())
      return Error{Exit::usage, "X direct message: no recipient (the customer's X user id) given"};
    const std::string base = o_.base_url + "/2/dm_conversations/with/" + *req.recipient;
    const HttpRequest r = post_request(base + "/messages", json{{"text", req.text}});
    for (int attempt = 1;; ++attempt) {
      auto answer = send_json(r);
      if (answer) return posted_of(*answer, r.url, "dm_event_id");
      if (answer.error().code != Exit::unavailable || attempt >= 2) return answer.error();
      // The answer was lost: sent only if our latest event there is not this text.
      auto sent = latest_dm_of_ours(base, req.text);
      if (!sent) return sent.error();
      if (!sent->empty()) return Posted{*sent, {}};
    }
  }

  // Our newest event in the conversation, if its text is `text`; "" if not.
  Result<std::string> latest_dm_of_ours(const std::string& base, const std::string& text) {
    const std::string url = base + "/dm_events?max_results=10&event_types=MessageCreate&" + kDmFields;
    auto events = send_json(request("GET", url));
    if (!events) return events.error();
    auto data = data_of(*events);
    if (!data) return shape_error(url, "a list of DM events");
    if (*data)
      for (const auto& e : **data)
        if (str(e, "sender_id") == us_.id) return x_unescape(str(e, "text")) == text ? str(e, "id") : std::string();
    return std::string();
  }

  HttpClient& http_;
  XOptions o_;
  Identity us_;
};

}  // namespace

std::string x_unescape(const std::string& text) {
  if (text.find('&') == std::string::npos) return text;
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '&') {
      if (text.compare(i, 5, "&amp;") == 0) { out += '&'; i += 4; continue; }
      if (text.compare(i, 4, "&lt;") == 0) { out += '<'; i += 3; continue; }
      if (text.compare(i, 4, "&gt;") == 0) { out += '>'; i += 3; continue; }
    }
    out += text[i];
  }
  return out;
}

Result<std::vector<Case>> x_cases_from_body(const std::string& body, const std::string& stream, const Identity& us) {
  const json parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded()) return Error{Exit::data, "not valid JSON"};
  Gathered g;
  const bool dm = stream == "dm_events";
  auto page = read_page(parsed, dm, stream == "tweets", us, 0, "", g);
  if (!page) return page.error();
  return cases_of(g, us, dm);
}

std::unique_ptr<Channel> make_x_channel(HttpClient& http, XOptions options) {
  return std::make_unique<X>(http, std::move(options));
}

}  // namespace socq
