#include "lib/channels/facebook.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "lib/channels/json_fields.h"
#include "lib/clock.h"
#include "lib/http_log.h"
#include "lib/threads.h"
#include "lib/timefmt.h"

namespace socq {
namespace {

using json = nlohmann::json;

constexpr const char* kChannel = "facebook";
constexpr size_t kMaxPages = 100000;
constexpr int64_t kWindowMs = 24LL * 3600 * 1000;  // Messenger's standard messaging window
constexpr int64_t kPrivateReplyWindowMs = 7LL * 24 * 3600 * 1000;  // a private reply to a comment
constexpr int64_t kCommentHorizonMs = 30LL * 24 * 3600 * 1000;  // how far back a run with a cursor looks for posts with new comments
// fields=participants,updated_time,messages{message,from,created_time,id,attachments,sticker},
// encoded: a photo, a file or a sticker comes with no message text.
constexpr const char* kConversationFields =
    "participants,updated_time,messages%7Bmessage,from,created_time,id,attachments,sticker%7D";
constexpr const char* kCommentFields = "id,message,from,created_time,parent,attachment";

using channel_json::member;
using channel_json::str;

std::string form_escape(const std::string& s) {
  std::string out;
  for (unsigned char ch : s) {
    if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') out += static_cast<char>(ch);
    else out += fmt::format("%{:02X}", ch);
  }
  return out;
}

std::string origin_of(const std::string& url) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  const auto slash = url.find('/', scheme + 3);
  return slash == std::string::npos ? url : url.substr(0, slash);
}

std::string path_and_query(const std::string& url) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  const auto slash = url.find('/', scheme + 3);
  return slash == std::string::npos ? "/" : url.substr(slash);
}

// An attachment as text for the case: "[image/jpeg: name URL]". Messenger's
// have mime_type, name and image_data.url, video_data.url or file_url; a
// comment's has type, url and media.image.src.
std::string attachment_text(const json& a) {
  std::string kind = str(a, "mime_type");
  if (kind.empty()) kind = str(a, "type");
  if (kind.empty()) kind = "attachment";
  std::string url = str(member(a, "image_data"), "url");
  if (url.empty()) url = str(member(a, "video_data"), "url");
  if (url.empty()) url = str(a, "file_url");
  if (url.empty()) url = str(member(member(a, "media"), "image"), "src");
  if (url.empty()) url = str(a, "url");
  const std::string name = str(a, "name");
  return "[" + kind + (name.empty() ? "" : ": " + name) + (url.empty() ? "" : " " + url) + "]";
}

// A message's or comment's text with what it carries besides words, so
// that a photo of a meter is not an empty message in the case.
std::string text_with_attachments(const json& m) {
  std::string text = str(m, "message");
  const auto add = [&](const std::string& piece) { text += (text.empty() ? "" : "\n") + piece; };
  if (const json& list = member(member(m, "attachments"), "data"); list.is_array())
    for (const auto& a : list)
      if (a.is_object()) add(attachment_text(a));
  if (const json& a = member(m, "attachment"); a.is_object()) add(attachment_text(a));
  if (const std::string sticker = str(m, "sticker"); !sticker.empty()) add("[sticker " + sticker + "]");
  return text;
}

// A list answer's data[] and paging.next.
struct ListPage {
  const json* data = nullptr;
  std::string next;
};

Result<ListPage> list_of(const json& body) {
  if (!body.is_object() || !body.contains("data") || !body["data"].is_array())
    return Error{Exit::data, "the answer is not {\"data\":[...]}"};
  ListPage p{&body["data"], {}};
  if (auto pg = body.find("paging"); pg != body.end() && pg->is_object()) p.next = str(*pg, "next");
  return p;
}

struct Person {
  std::string id, name;
};

Person person_of(const json& from) { return {str(from, "id"), str(from, "name")}; }



// One Messenger conversation's messages (those at or after `from_ms`) as a case.
Result<std::optional<Case>> conversation_case(const json& conv, const std::vector<json>& messages, const Identity& us,
                                              int64_t from_ms) {
  const std::string id = str(conv, "id");
  if (id.empty()) return Error{Exit::data, "a conversation without an id"};
  Case c;
  c.id = std::string(kChannel) + ":" + us.handle + ":dm-" + id;
  c.rev = 1;
  c.channel = kChannel;
  c.account = us.handle;
  Person customer;
  if (const json& ps = member(member(conv, "participants"), "data"); ps.is_array())
    for (const auto& p : ps)
      if (str(p, "id") != us.id && customer.id.empty()) customer = person_of(p);
  std::vector<Message> out;
  std::set<std::string> ids;  // pages that shift under a new message repeat one: kept once
  for (const auto& m : messages) {
    const Person from = person_of(member(m, "from"));
    const auto at = parse_graph_time(str(m, "created_time"));
    if (str(m, "id").empty() || from.id.empty() || !at)
      return Error{Exit::data, fmt::format("conversation {}: a message without id, from or a valid created_time", id)};
    if (*at < from_ms || !ids.insert(str(m, "id")).second) continue;
    Message msg;
    msg.id = str(m, "id");
    msg.dir = from.id == us.id ? Dir::out : Dir::in;
    msg.at = format_rfc3339_utc(*at / 1000 * 1000);
    msg.author = msg.dir == Dir::out ? us.handle : (from.name.empty() ? from.id : from.name);
    msg.text = text_with_attachments(m);
    msg.is_public = false;
    if (customer.id.empty() && msg.dir == Dir::in) customer = from;
    out.push_back(std::move(msg));
  }
  if (out.empty()) return std::optional<Case>();
  std::stable_sort(out.begin(), out.end(), [](const Message& a, const Message& b) {  // by instant, not by text
    return parse_rfc3339_utc(a.at).value_or(0) < parse_rfc3339_utc(b.at).value_or(0);
  });
  c.messages = std::move(out);
  c.customer.id = customer.id.empty() ? "unknown" : customer.id;
  if (!customer.name.empty()) c.customer.name = customer.name;
  derive_status(c);
  c.updated_at = last_message_at(c);
  return std::optional<Case>(std::move(c));
}

// Comments (with their parent) as threads: one case per top-level comment.
Result<std::vector<Case>> comment_cases(const std::vector<json>& comments, const Identity& us) {
  std::vector<ImportMessage> msgs;
  std::map<std::string, std::string> names;
  for (const auto& cm : comments) {
    const Person from = person_of(member(cm, "from"));
    const auto at = parse_graph_time(str(cm, "created_time"));
    if (str(cm, "id").empty() || !at) return Error{Exit::data, "a comment without id or a valid created_time"};
    ImportMessage m;
    m.id = str(cm, "id");
    if (const std::string parent = str(member(cm, "parent"), "id"); !parent.empty()) m.reply_to = parent;
    // Comments by people who did not grant the app access come without from.
    m.author = from.id.empty() ? "unknown" : from.id;
    m.inbound = from.id != us.id;
    m.at = format_rfc3339_utc(*at / 1000 * 1000);
    m.text = text_with_attachments(cm);
    m.brand = us.handle;
    if (!from.name.empty()) m.name = from.name, names[from.id] = from.name;
    msgs.push_back(std::move(m));
  }
  ThreadStats stats;
  auto cases = build_cases(std::move(msgs), kChannel, stats);
  for (auto& c : cases) {
    c.customer.handle.reset();  // Facebook has no handles: id and name
    for (auto& m : c.messages) {
      const std::string id = m.author.substr(1);
      if (m.dir == Dir::out) m.author = us.handle;
      else if (auto n = names.find(id); n != names.end()) m.author = n->second;
      else m.author = id;
    }
  }
  return cases;
}

class Facebook final : public Channel {
 public:
  Facebook(HttpClient& http, FacebookOptions o) : http_(http), o_(std::move(o)) {
    while (!o_.base_url.empty() && o_.base_url.back() == '/') o_.base_url.pop_back();
    if (!o_.now_ms) o_.now_ms = [] { return SystemClock().now_ms(); };
  }

  std::string name() const override { return kChannel; }
  std::vector<std::string> streams() const override { return {"conversations", "comments"}; }
  bool cursor_after(const std::string& a, const std::string& b) const override {
    return parse_graph_time(a).value_or(0) > parse_graph_time(b).value_or(0);
  }

  Result<Identity> whoami() override {
    const std::string url = o_.base_url + "/" + (o_.page_id.empty() ? "me" : o_.page_id) + "?fields=id,name,username";
    auto page = get_json(url);
    if (!page) return page.error();
    if (str(*page, "id").empty()) return shape_error(url, "a Page object with an id");
    us_.id = str(*page, "id");
    if (!o_.page_id.empty() && us_.id != o_.page_id)
      return Error{Exit::config, fmt::format("page_id {} is configured but the token's Page is {}", o_.page_id, us_.id)};
    us_.handle = !o_.handle.empty() ? o_.handle : !str(*page, "username").empty() ? str(*page, "username") : us_.id;
    if (o_.handle.empty() && o_.note) o_.note("handle not configured: using " + us_.handle + " from the Page");
    return us_;
  }

  // Messenger's text limit; comments allow more, the smaller one counts.
  Result<Limits> limits() override { return Limits{2000, 0, "characters"}; }

  Status fetch(const FetchRequest& req, const std::function<Status(FetchPage&&)>& on_page) override {
    if (us_.id.empty())
      if (auto me = whoami(); !me) return me.error();
    const int64_t cutoff = req.cursor ? parse_graph_time(*req.cursor).value_or(req.since_ms) : req.since_ms;
    return req.stream == "comments" ? fetch_comments(req, cutoff, on_page) : fetch_conversations(req, cutoff, on_page);
  }

  Result<Posted> post(const PostRequest& req) override {
    if (us_.id.empty())
      if (auto me = whoami(); !me) return me.error();
    return req.is_public ? post_comment(req) : post_message(req);
  }

 private:
  std::string with_token(const std::string& url) const {
    if (url.find("access_token=") != std::string::npos) return url;
    return url + (url.find('?') == std::string::npos ? "?" : "&") + "access_token=" + form_escape(o_.token);
  }

  HttpRequest request(const std::string& method, const std::string& url) const {
    HttpRequest r;
    r.method = method;
    r.url = method == "GET" ? with_token(url) : url;
    r.timeout_ms = o_.timeout_ms;
    r.headers = {{"Accept", "application/json"}};
    return r;
  }

  std::string said(const std::string& text) const { return mask_secrets(text, {o_.token, form_escape(o_.token)}); }

  Error shape_error(const std::string& url, const std::string& want) const {
    return Error{Exit::data, said(fmt::format("GET {}: the server's answer is not {} (not the Graph API?)", redact_url(url), want))};
  }

  // The answer as JSON; Graph errors ({"error":{message,code,...}}) in their own words.
  Result<json> send_json(const HttpRequest& r) {
    auto resp = http_.send(r);
    if (!resp) return Error{resp.error().code, said(resp.error().message)};
    const std::string where = r.method + " " + redact_url(r.url);
    const json parsed = json::parse(resp->body, nullptr, false);
    if (resp->status < 200 || resp->status > 299) {
      const json err = !parsed.is_discarded() && parsed.is_object() && parsed.contains("error") ? parsed["error"] : json();
      const std::string code = str(err, "code"), why = str(err, "message").empty() ? resp->body.substr(0, 120) : str(err, "message");
      if (code == "190")
        return Error{Exit::no_perm, said(fmt::format("{}: the Page access token has expired or is invalid (code 190: {}); get a new "
                                                     "Page token and update the account's token_env or token_file", where, why))};
      if (resp->status == 401 || resp->status == 403 || code == "10" || code == "200")
        return Error{Exit::no_perm, said(fmt::format("{}: HTTP {}: not allowed (code {}: {})", where, resp->status, code, why))};
      if (resp->status == 429 || code == "4" || code == "17" || code == "32" || code == "613" || code == "80001")
        return Error{Exit::temp_fail, said(fmt::format("{}: throttled (code {}: {}); try again later", where, code, why))};
      if (resp->status >= 500) return Error{Exit::unavailable, said(fmt::format("{}: HTTP {}: {}", where, resp->status, why))};
      return Error{Exit::data, said(fmt::format("{}: HTTP {} (code {}): {}", where, resp->status, code, why))};
    }
    if (parsed.is_discarded())
      return Error{Exit::data, said(fmt::format("{}: the server's answer is not valid JSON (it began: {})", where, resp->body.substr(0, 60)))};
    return parsed;
  }

  Result<json> get_json(const std::string& url) { return send_json(request("GET", url)); }

  // Follows paging.next (on our origin), guarding against loops.
  std::string next_url(const std::string& next, std::set<std::string>& seen, Status& loop) const {
    if (next.empty()) return {};
    const std::string url = origin_of(o_.base_url) + path_and_query(next);
    if (!seen.insert(url).second || seen.size() > kMaxPages)
      loop = Error{Exit::data, said("GET " + redact_url(url) + ": paging.next leads back to a page already read")};
    return url;
  }

  Status fetch_conversations(const FetchRequest& req, int64_t cutoff, const std::function<Status(FetchPage&&)>& on_page) {
    FetchPage out{req.stream, {}, {}, 0, 0};
    int64_t newest = 0;
    std::set<std::string> seen;
    std::string url = o_.base_url + "/" + us_.id + "/conversations?platform=messenger&fields=" + kConversationFields + "&limit=25";
    bool done = false;
    while (!url.empty() && !done) {
      auto body = get_json(url);
      if (!body) return body.error();
      ++out.pages;
      auto page = list_of(*body);
      if (!page) return Error{Exit::data, said("GET " + redact_url(url) + ": " + page.error().message)};
      for (const auto& conv : *page->data) {
        const auto updated = parse_graph_time(str(conv, "updated_time"));
        if (!updated) return Error{Exit::data, said("GET " + redact_url(url) + ": a conversation without a valid updated_time")};
        // Graph times are whole seconds: a conversation updated in the
        // cursor's own second may hold a message that came after our last
        // run, so it is read again (messages are kept once by id).
        if (*updated < cutoff) {
          done = true;  // newest updated first: the rest are older
          break;
        }
        newest = std::max(newest, *updated);
        auto messages = conversation_messages(conv, cutoff, out.pages);
        if (!messages) return messages.error();
        auto c = conversation_case(conv, *messages, us_, cutoff);
        if (!c) return Error{Exit::data, said("GET " + redact_url(url) + ": " + c.error().message)};
        out.items += messages->size();
        if (*c) out.cases.push_back(std::move(**c));
      }
      Status loop = ok_status();
      url = next_url(page->next, seen, loop);
      if (!loop) return loop;
    }
    if (newest > 0) out.cursor = format_rfc3339_utc(newest / 1000 * 1000);
    return on_page(std::move(out));
  }

  // A conversation's messages back to `cutoff`: the nested first page, then
  // its paging.next while the oldest is still newer than the cutoff.
  Result<std::vector<json>> conversation_messages(const json& conv, int64_t cutoff, size_t& pages) {
    std::vector<json> out;
    const json* nested = conv.is_object() && conv.contains("messages") ? &conv["messages"] : nullptr;
    if (!nested) return out;
    json current = *nested;
    std::set<std::string> seen;
    for (;;) {
      auto page = list_of(current);
      if (!page) return Error{Exit::data, said("conversation " + str(conv, "id") + ": messages " + page.error().message)};
      bool older = false;
      for (const auto& m : *page->data) {
        out.push_back(m);
        if (parse_graph_time(str(m, "created_time")).value_or(0) < cutoff) older = true;
      }
      Status loop = ok_status();
      const std::string url = older ? "" : next_url(page->next, seen, loop);
      if (!loop) return loop.error();
      if (url.empty()) return out;
      auto more = get_json(url);
      if (!more) return more.error();
      ++pages;
      current = std::move(*more);
    }
  }

  Status fetch_comments(const FetchRequest& req, int64_t cutoff, const std::function<Status(FetchPage&&)>& on_page) {
    FetchPage out{req.stream, {}, {}, 0, 0};
    int64_t newest = 0;
    std::vector<json> comments;
    std::set<std::string> seen;
    // message,from: a customer's own post on the Page (a visitor post) is
    // the first message of its case, and its comments answer it.
    std::string url = o_.base_url + "/" + us_.id + "/feed?fields=id,created_time,updated_time,message,from&limit=25";
    // A customer may comment on an older post: the feed (newest created
    // first) is walked back kCommentHorizon before the cursor or --since,
    // and only posts updated since then have their comments read.
    const int64_t feed_back_to = std::min(req.since_ms, cutoff) - kCommentHorizonMs;
    bool done = false;
    while (!url.empty() && !done) {
      auto body = get_json(url);
      if (!body) return body.error();
      ++out.pages;
      auto page = list_of(*body);
      if (!page) return Error{Exit::data, said("GET " + redact_url(url) + ": " + page.error().message)};
      for (const auto& post : *page->data) {
        const auto created = parse_graph_time(str(post, "created_time"));
        const auto updated = parse_graph_time(str(post, "updated_time")).value_or(created.value_or(0));
        if (str(post, "id").empty() || !created) return Error{Exit::data, said("GET " + redact_url(url) + ": a post without id or created_time")};
        if (*created < feed_back_to) {
          done = true;  // the feed is newest first by creation: the rest are older
          break;
        }
        const std::string by = str(member(post, "from"), "id");
        const bool visitor = !by.empty() && by != us_.id;
        if (visitor && *created >= cutoff) {
          comments.push_back({{"id", str(post, "id")}, {"message", str(post, "message")}, {"from", post["from"]},
                              {"created_time", str(post, "created_time")}});
          newest = std::max(newest, *created);
        }
        if (updated < cutoff) continue;  // no comment since the cursor
        if (auto st = post_comments(str(post, "id"), cutoff, comments, newest, out.pages, visitor); !st) return st;
      }
      Status loop = ok_status();
      url = next_url(page->next, seen, loop);
      if (!loop) return loop;
    }
    out.items = comments.size();
    auto cases = comment_cases(comments, us_);
    if (!cases) return Error{Exit::data, said(cases.error().message)};
    out.cases = std::move(*cases);
    if (newest > 0) out.cursor = format_rfc3339_utc(newest / 1000 * 1000);
    return on_page(std::move(out));
  }

  // One post's comments at or after `cutoff`, every page. Under a visitor
  // post, a top-level comment answers the post.
  Status post_comments(const std::string& post_id, int64_t cutoff, std::vector<json>& comments, int64_t& newest,
                       size_t& pages, bool visitor_post) {
    std::set<std::string> seen;
    std::string url = o_.base_url + "/" + post_id + "/comments?filter=stream&order=reverse_chronological&fields=" + kCommentFields + "&limit=100";
    while (!url.empty()) {
      auto body = get_json(url);
      if (!body) return body.error();
      ++pages;
      auto page = list_of(*body);
      if (!page) return Error{Exit::data, said("GET " + redact_url(url) + ": " + page.error().message)};
      // Every page: Graph ranks comments where it can, whatever `order`
      // asks for, so an older comment on one page says nothing of the next.
      for (const auto& cm : *page->data) {
        const auto at = parse_graph_time(str(cm, "created_time"));
        if (!at) return Error{Exit::data, said("GET " + redact_url(url) + ": a comment without a valid created_time")};
        if (*at < cutoff) continue;
        newest = std::max(newest, *at);
        comments.push_back(cm);
        if (visitor_post && str(member(cm, "parent"), "id").empty())
          comments.back()["parent"] = {{"id", post_id}};
      }
      Status loop = ok_status();
      url = next_url(page->next, seen, loop);
      if (!loop) return loop;
    }
    return ok_status();
  }

  HttpRequest form_post(const std::string& url, const std::string& fields) const {
    HttpRequest r = request("POST", url);
    r.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    r.body = fields + "&access_token=" + form_escape(o_.token);
    return r;
  }

  Result<Posted> post_comment(const PostRequest& req) {
    if (!req.in_reply_to || req.in_reply_to->empty())
      return Error{Exit::usage, "Facebook: a public reply answers a comment (no comment id given)"};
    // No idempotency key on Graph: a retry after a lost answer first looks
    // for our reply with this text under the comment.
    auto earlier = our_reply_under(*req.in_reply_to, req.text);
    if (!earlier) return earlier.error();
    if (!earlier->empty()) {
      if (o_.note) o_.note("our comment " + *earlier + " with this text is already under " + *req.in_reply_to + ": taking it as posted");
      return Posted{*earlier, {}};
    }
    auto answer = send_json(form_post(o_.base_url + "/" + *req.in_reply_to + "/comments", "message=" + form_escape(req.text)));
    if (!answer) return answer.error();
    if (str(*answer, "id").empty()) return Error{Exit::data, "POST /" + *req.in_reply_to + "/comments: the answer has no id"};
    return Posted{str(*answer, "id"), {}};
  }

  // The id of the Page's newest reply to `comment` whose text is `text`, or "".
  // Graph nests replies one level: a reply to a reply comment lands under
  // its top-level (parent) comment, so that is looked under too, counting
  // only our comments from the answered one's time on (an earlier one with
  // the same words answered someone else in the thread).
  Result<std::string> our_reply_under(const std::string& comment, const std::string& text) {
    auto direct = ours_with_text(comment, text, std::nullopt);
    if (!direct || !direct->empty()) return direct;
    const std::string url = o_.base_url + "/" + comment + "?fields=parent,created_time";
    auto answered = get_json(url);
    if (!answered) return answered.error();
    if (!answered->is_object()) return shape_error(url, "a Comment object");
    const std::string parent = str(member(*answered, "parent"), "id");
    if (parent.empty()) return std::string();  // a top-level comment: its replies were all looked at
    return ours_with_text(parent, text, parse_graph_time(str(*answered, "created_time")));
  }

  // Our newest comment under `comment` with this text (created at or after
  // `since` when given), or "".
  Result<std::string> ours_with_text(const std::string& comment, const std::string& text, std::optional<int64_t> since) {
    const std::string url = o_.base_url + "/" + comment + "/comments?filter=stream&order=reverse_chronological&fields=" + kCommentFields + "&limit=50";
    auto body = get_json(url);
    if (!body) return body.error();
    auto page = list_of(*body);
    if (!page) return shape_error(url, "a list of comments");
    for (const auto& cm : *page->data)
      if (str(member(cm, "from"), "id") == us_.id && str(cm, "message") == text &&
          (!since || parse_graph_time(str(cm, "created_time")).value_or(0) >= *since))
        return str(cm, "id");
    return std::string();
  }

  // The id of our newest Messenger message to `psid` with this text sent
  // after their last message, or "".
  Result<std::string> our_message_since_theirs(const std::string& psid, const std::string& text) {
    const std::string url = o_.base_url + "/" + us_.id + "/conversations?platform=messenger&user_id=" + form_escape(psid) +
                            "&fields=" + kConversationFields;
    auto body = get_json(url);
    if (!body) return body.error();
    auto page = list_of(*body);
    if (!page) return shape_error(url, "a list of conversations");
    if (page->data->empty()) return std::string();
    auto messages = list_of(member((*page->data)[0], "messages"));
    if (!messages) return std::string();
    for (const auto& m : *messages->data) {  // newest first
      if (str(member(m, "from"), "id") != us_.id) return std::string();
      if (str(m, "message") == text) return str(m, "id");
    }
    return std::string();
  }

  // Messenger's Private Replies: one message to the person who wrote a
  // comment, within 7 days of it, sent to the comment rather than to a
  // PSID (a commenter's id is no PSID). Facebook takes one per comment, so a
  // resend after a lost answer is refused by Facebook, never sent twice.
  Result<Posted> private_reply(const PostRequest& req) {
    if (req.customer_last_at) {
      const auto at = parse_graph_time(*req.customer_last_at);
      if (at && o_.now_ms() - *at > kPrivateReplyWindowMs)
        return Error{Exit::data, fmt::format("Facebook: the comment was written at {}, more than 7 days ago; Messenger allows "
                                             "a private reply to a comment only within 7 days of it: answer publicly "
                                             "{}",
                                             *req.customer_last_at, kNothingSent)};
    }
    const std::string fields = "recipient=" + form_escape(json{{"comment_id", *req.private_reply_to}}.dump()) +
                               "&messaging_type=RESPONSE&message=" + form_escape(json{{"text", req.text}}.dump());
    auto answer = send_json(form_post(o_.base_url + "/" + us_.id + "/messages", fields));
    if (!answer && answer.error().message.find("(code 10900)") != std::string::npos) {
      // "Activity already replied to": a rerun after a lost answer, whose
      // first send went out. Graph names no message, so the comment does.
      if (o_.note) o_.note("comment " + *req.private_reply_to + " already has its private reply: taking it as sent");
      return Posted{"private-reply:" + *req.private_reply_to, {}};
    }
    if (!answer) return answer.error();
    if (str(*answer, "message_id").empty()) return Error{Exit::data, "POST /" + us_.id + "/messages: the answer has no message_id"};
    return Posted{str(*answer, "message_id"), {}};
  }

  Result<Posted> post_message(const PostRequest& req) {
    if (req.private_reply_to && !req.private_reply_to->empty()) return private_reply(req);
    if (!req.recipient || req.recipient->empty())
      return Error{Exit::usage, "Facebook Messenger: no recipient (the customer's PSID) given"};
    if (req.customer_last_at) {
      const auto last = parse_graph_time(*req.customer_last_at);
      if (last && o_.now_ms() - *last > kWindowMs)
        return Error{Exit::data, fmt::format("Facebook Messenger: the customer's last message was at {}, more than 24 hours ago; "
                                             "Messenger only allows a reply within 24 hours of it: answer publicly, or wait for the "
                                             "customer to write again {}",
                                             *req.customer_last_at, kNothingSent)};
    }
    // No idempotency key: a rerun after a lost answer first reads the
    // conversation, and our same text since the customer's last message is the send.
    auto earlier = our_message_since_theirs(*req.recipient, req.text);
    if (!earlier) return earlier.error();
    if (!earlier->empty()) {
      if (o_.note) o_.note("our message " + *earlier + " with this text is already in the conversation: taking it as sent");
      return Posted{*earlier, {}};
    }
    const std::string fields = "recipient=" + form_escape(json{{"id", *req.recipient}}.dump()) + "&messaging_type=RESPONSE&message=" +
                               form_escape(json{{"text", req.text}}.dump());
    auto answer = send_json(form_post(o_.base_url + "/" + us_.id + "/messages", fields));
    if (!answer) return answer.error();
    if (str(*answer, "message_id").empty()) return Error{Exit::data, "POST /" + us_.id + "/messages: the answer has no message_id"};
    return Posted{str(*answer, "message_id"), {}};
  }

  HttpClient& http_;
  FacebookOptions o_;
  Identity us_;
};

}  // namespace

std::optional<int64_t> parse_graph_time(const std::string& s) {
  // "2026-11-23T08:00:00+0000" (Graph): the offset made RFC 3339's "+00:00";
  // "...+00:00" and "Z" as they are. One parser, with its range checks.
  const size_t n = s.size();
  if (n >= 24 && (s[n - 5] == '+' || s[n - 5] == '-') && s.find(':', n - 5) == std::string::npos)
    return parse_rfc3339_any(s.substr(0, n - 2) + ":" + s.substr(n - 2));
  return parse_rfc3339_any(s);
}

Result<std::vector<Case>> facebook_cases_from_body(const std::string& body, const std::string& stream, const Identity& us) {
  const json parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded()) return Error{Exit::data, "not valid JSON"};
  auto page = list_of(parsed);
  if (!page) return page.error();
  if (stream == "comments") return comment_cases(std::vector<json>(page->data->begin(), page->data->end()), us);
  std::vector<Case> out;
  for (const auto& conv : *page->data) {
    std::vector<json> messages;
    if (conv.is_object() && conv.contains("messages")) {
      auto inner = list_of(conv["messages"]);
      if (!inner) return inner.error();
      messages.assign(inner->data->begin(), inner->data->end());
    }
    auto c = conversation_case(conv, messages, us, 0);
    if (!c) return c.error();
    if (*c) out.push_back(std::move(**c));
  }
  return out;
}

std::unique_ptr<Channel> make_facebook_channel(HttpClient& http, FacebookOptions options) {
  return std::make_unique<Facebook>(http, std::move(options));
}

}  // namespace socq
