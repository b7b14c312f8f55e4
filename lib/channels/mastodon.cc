#include "lib/channels/mastodon.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "lib/channels/html_text.h"
#include "lib/channels/json_fields.h"
#include "lib/http_log.h"
#include "lib/threads.h"
#include "lib/timefmt.h"

namespace socq {
namespace {

using json = nlohmann::json;

constexpr const char* kChannel = "mastodon";
constexpr size_t kMaxPages = 100000;  // a server whose links never end

using channel_json::str;
using channel_json::member;

std::string origin_of(const std::string& url) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  const auto slash = url.find('/', scheme + 3);
  return slash == std::string::npos ? url : url.substr(0, slash);
}

std::string host_of(const std::string& url) {
  std::string o = origin_of(url);
  if (auto s = o.find("://"); s != std::string::npos) o = o.substr(s + 3);
  if (auto at = o.rfind('@'); at != std::string::npos) o = o.substr(at + 1);
  if (o.rfind('[', 0) != 0)
    if (auto colon = o.find(':'); colon != std::string::npos) o = o.substr(0, colon);
  return o;
}

std::string path_and_query(const std::string& url) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  const auto slash = url.find('/', scheme + 3);
  return slash == std::string::npos ? "/" : url.substr(slash);
}

struct Page {
  json items;  // an array
  std::string next, prev;  // Link targets, on our base
};

// One status, ready for threads.h, and what we know of its people.
struct Gathered {
  std::vector<ImportMessage> messages;
  std::map<std::string, json> people;  // acct@domain -> account (or mention) object
  std::map<std::string, std::string> reply_account;  // our status id -> acct it answers
  std::map<std::string, std::string> author_id, parent_author_id;  // status id -> account ids
  std::set<std::string> seen;
};

class Mastodon final : public Channel {
 public:
  Mastodon(HttpClient& http, MastodonOptions o) : http_(http), o_(std::move(o)) {
    while (!o_.base_url.empty() && o_.base_url.back() == '/') o_.base_url.pop_back();
    if (!o_.handle.empty() && o_.handle.front() == '@') o_.handle.erase(0, 1);
  }

  std::string name() const override { return kChannel; }
  std::vector<std::string> streams() const override { return {"notifications", "conversations"}; }
  bool cursor_after(const std::string& a, const std::string& b) const override { return numeric_id_less(b, a); }

  Result<Identity> whoami() override {
    auto me = get_json(o_.base_url + "/api/v1/accounts/verify_credentials");
    if (!me) return me.error();
    if (!me->is_object() || str(*me, "id").empty() || str(*me, "acct").empty())
      return shape_error(o_.base_url + "/api/v1/accounts/verify_credentials", "an Account object with id and acct");
    domain_ = host_of(str(*me, "url").empty() ? o_.base_url : str(*me, "url"));
    us_.id = str(*me, "id");
    const std::string acct = full_acct(str(*me, "acct"));
    us_.handle = o_.handle.empty() ? acct : o_.handle;
    if (o_.handle.empty() && o_.note) o_.note("handle not configured: using " + acct + " from verify_credentials");
    return us_;
  }

  Result<Limits> limits() override {
    auto inst = get_json(o_.base_url + "/api/v2/instance");
    if (!inst) return inst.error();
    Limits l;
    l.chars_per_url = 23;  // Mastodon's fixed URL length, for servers that do not say
    // Looked up with member() (find): nlohmann's const operator[] on a
    // missing key reads freed memory (fuzz_mastodon found it).
    const json& statuses = member(member(*inst, "configuration"), "statuses");
    const json& max_chars = member(statuses, "max_characters");
    if (!max_chars.is_number_integer())
      return shape_error(o_.base_url + "/api/v2/instance", "an Instance with configuration.statuses.max_characters");
    l.max_chars = max_chars.get<int64_t>();
    if (const json& per_url = member(statuses, "characters_reserved_per_url"); per_url.is_number_integer())
      l.chars_per_url = per_url.get<int64_t>();
    return l;
  }

  Status fetch(const FetchRequest& req, const std::function<Status(FetchPage&&)>& on_page) override {
    if (us_.id.empty())
      if (auto me = whoami(); !me) return me.error();
    const bool dms = req.stream == "conversations";
    const std::string first = o_.base_url + (dms ? "/api/v1/conversations?limit=40" : "/api/v1/notifications?types%5B%5D=mention&limit=80");
    if (req.cursor) return walk_forward(first + "&min_id=" + *req.cursor, req.stream, dms, on_page);
    return walk_back(first, req, dms, on_page);
  }

  Result<Posted> post(const PostRequest& req) override {
    std::string body = "status=" + form_escape(req.text) + "&visibility=" + visibility_of(req);
    if (req.in_reply_to) body += "&in_reply_to_id=" + form_escape(*req.in_reply_to);
    HttpRequest r = request("POST", o_.base_url + "/api/v1/statuses");
    r.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    if (!req.idempotency_key.empty()) r.headers.emplace_back("Idempotency-Key", req.idempotency_key);
    r.body = std::move(body);
    auto status = send_json(r);
    if (!status) return status.error();
    if (!status->is_object() || str(*status, "id").empty()) return shape_error(r.url, "a Status object");
    Posted p{str(*status, "id"), {}};
    if (auto u = str(*status, "url"); !u.empty()) p.url = u;
    return p;
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

  std::string said(const std::string& text) const { return mask_secrets(text, {o_.token}); }

  // A reply's audience: direct when private; else the answered post's,
  // so a followers-only (private) or unlisted post is never answered in
  // public, as Mastodon's own clients do.
  static std::string visibility_of(const PostRequest& req) {
    if (!req.is_public) return "direct";
    if (req.visibility && (*req.visibility == "unlisted" || *req.visibility == "private")) return *req.visibility;
    return "public";
  }

  Error shape_error(const std::string& url, const std::string& want) const {
    return Error{Exit::data, said(fmt::format("GET {}: the server's answer is not {} (not a Mastodon API?)", redact_url(url), want))};
  }

  Result<json> send_json(const HttpRequest& r, Headers* headers_out = nullptr) {
    auto resp = http_.send(r);
    if (!resp) return Error{resp.error().code, said(resp.error().message)};
    const std::string where = r.method + " " + redact_url(r.url);
    const json parsed = json::parse(resp->body, nullptr, false);
    std::string why = !parsed.is_discarded() && parsed.is_object() ? str(parsed, "error") : "";
    if (why.empty()) why = resp->body.substr(0, 120);
    if (resp->status == 401 || resp->status == 403)
      return Error{Exit::no_perm, said(fmt::format("{}: HTTP {}: the server refused the token ({}); check the account's token_env or token_file",
                                                   where, resp->status, why))};
    if (resp->status == 422) return Error{Exit::data, said(fmt::format("{}: HTTP 422: {}", where, why))};
    if (resp->status < 200 || resp->status > 299)
      return Error{Exit::unavailable, said(fmt::format("{}: HTTP {}: {}", where, resp->status, why))};
    if (parsed.is_discarded())
      return Error{Exit::data, said(fmt::format("{}: the server's answer is not valid JSON (it began: {})", where,
                                                 resp->body.substr(0, 60)))};
    if (headers_out) *headers_out = resp->headers;
    return parsed;
  }

  Result<json> get_json(const std::string& url) { return send_json(request("GET", url)); }

  Result<Page> get_page(const std::string& url, const char* what) {
    Headers headers;
    auto body = send_json(request("GET", url), &headers);
    if (!body) return body.error();
    if (!body->is_array()) return shape_error(url, std::string("a JSON array of ") + what);
    Page p{std::move(*body), {}, {}};
    std::string link;
    for (const auto& [k, v] : headers)
      if (k == "link") link += (link.empty() ? "" : ", ") + v;
    if (auto n = link_target(link, "next"); !n.empty()) p.next = origin_of(o_.base_url) + path_and_query(n);
    if (auto n = link_target(link, "prev"); !n.empty()) p.prev = origin_of(o_.base_url) + path_and_query(n);
    return p;
  }

  // The status an item carries: a notification's status, a conversation's last_status.
  static const json* status_of(const json& item, bool dms) {
    if (!item.is_object()) return nullptr;
    const char* key = dms ? "last_status" : "status";
    auto it = item.find(key);
    if (it == item.end() || !it->is_object()) return nullptr;
    if (!dms && str(item, "type") != "mention") return nullptr;
    return &*it;
  }

  // The newest id a page's items carry, for a cursor when the server sends
  // no Link (conversations page by their last status, as Mastodon does).
  static std::string newest_id(const json& items, bool dms) {
    std::string best;
    for (const auto& it : items) {
      const json* st = dms ? status_of(it, true) : nullptr;
      const std::string id = dms ? (st ? str(*st, "id") : "") : str(it, "id");
      if (!id.empty() && (best.empty() || numeric_id_less(best, id))) best = id;
    }
    return best;
  }

  // The page at `url`, unless the Link headers have led back to a page
  // already read (a loop) or past kMaxPages.
  Result<Page> next_page(const std::string& url, std::set<std::string>& visited, bool dms) {
    if (!visited.insert(url).second || visited.size() > kMaxPages)
      return Error{Exit::data, said("GET " + redact_url(url) + ": the server's Link header leads back to a page already read")};
    return get_page(url, dms ? "conversations" : "notifications");
  }

  // First run: back through rel="next" to `since`, all in one page.
  Status walk_back(std::string url, const FetchRequest& req, bool dms, const std::function<Status(FetchPage&&)>& on_page) {
    Gathered g;
    FetchPage out{req.stream, {}, {}, 0, 0};
    std::set<std::string> visited;
    while (!url.empty()) {
      auto page = next_page(url, visited, dms);
      if (!page) return page.error();
      ++out.pages;
      if (page->items.empty()) break;
      if (out.cursor.empty()) out.cursor = page->prev.empty() ? newest_id(page->items, dms) : query_param(page->prev, "min_id");
      bool older_than_since = false;
      for (const auto& item : page->items) {
        const json* st = status_of(item, dms);
        if (!st) continue;
        const auto at = parse_rfc3339_any(str(*st, "created_at"));
        if (at && *at < req.since_ms) {
          older_than_since = true;
          continue;
        }
        if (auto s = gather(*st, item, dms, g); !s) return s;
        ++out.items;
      }
      if (older_than_since) break;
      url = page->next;
    }
    if (auto s = gather_ancestors(g); !s) return s;
    out.cases = cases_of(std::move(g));
    return on_page(std::move(out));
  }

  // Later runs: forward through rel="prev" (newer pages), page by page.
  Status walk_forward(std::string url, const std::string& stream, bool dms, const std::function<Status(FetchPage&&)>& on_page) {
    std::set<std::string> visited;
    while (!url.empty()) {
      auto page = next_page(url, visited, dms);
      if (!page) return page.error();
      FetchPage out{stream, {}, {}, 0, 1};
      if (page->items.empty()) return on_page(std::move(out));  // counts the page; cursor unchanged
      out.cursor = page->prev.empty() ? newest_id(page->items, dms) : query_param(page->prev, "min_id");
      if (out.cursor.empty()) out.cursor = newest_id(page->items, dms);
      Gathered g;
      for (const auto& item : page->items)
        if (const json* st = status_of(item, dms)) {
          if (auto s = gather(*st, item, dms, g); !s) return s;
          ++out.items;
        }
      if (auto s = gather_ancestors(g); !s) return s;
      out.cases = cases_of(std::move(g));
      if (auto s = on_page(std::move(out)); !s) return s;
      url = page->prev;
      if (url.empty()) url = with_min_id(newest_id(page->items, dms), dms);  // no Link: ask from the newest id
    }
    return ok_status();
  }

  std::string with_min_id(const std::string& min_id, bool dms) const {
    return o_.base_url + (dms ? "/api/v1/conversations?limit=40" : "/api/v1/notifications?types%5B%5D=mention&limit=80") +
           "&min_id=" + min_id;
  }

  std::string full_acct(const std::string& acct) const {
    if (acct.find('@') != std::string::npos) return acct;
    return acct + "@" + (domain_.empty() ? host_of(o_.base_url) : domain_);
  }

  Status gather(const json& st, const json& item, bool dms, Gathered& g) {
    const std::string id = str(st, "id");
    if (id.empty() || !st.contains("account") || !st["account"].is_object())
      return Error{Exit::data, said(fmt::format("{}: a {} without a status id or account (item {})", redact_url(o_.base_url),
                                                dms ? "conversation" : "notification", str(item, "id")))};
    if (!g.seen.insert(id).second) return ok_status();
    const json& acc = st["account"];
    const std::string author = full_acct(str(acc, "acct"));
    g.people[author] = acc;
    if (auto ms = st.find("mentions"); ms != st.end() && ms->is_array())
      for (const auto& m : *ms)
        if (m.is_object()) g.people.emplace(full_acct(str(m, "acct")), m);
    if (dms && item.contains("accounts") && item["accounts"].is_array())
      for (const auto& a : item["accounts"])
        if (a.is_object()) g.people[full_acct(str(a, "acct"))] = a;
    ImportMessage m;
    m.id = id;
    if (auto r = str(st, "in_reply_to_id"); !r.empty()) m.reply_to = r;
    m.author = author;
    m.inbound = str(acc, "id") != us_.id;
    const auto at = parse_rfc3339_any(str(st, "created_at"));
    if (!at)
      return Error{Exit::data, said(fmt::format("{}: status {} has no valid created_at", redact_url(o_.base_url), id))};
    m.at = format_rfc3339_utc(*at / 1000 * 1000);
    const std::string spoiler = str(st, "spoiler_text"), body = html_to_text(str(st, "content"));
    m.text = spoiler.empty() ? body : "CW: " + spoiler + "\n\n" + body;
    m.brand = us_.handle;
    if (auto name = str(acc, "display_name"); !name.empty()) m.name = name;
    // Followers-only ("private") and unlisted posts stay in the public
    // thread's case (grouping splits by is_public); their visibility goes
    // with the message so the reply is no wider.
    const std::string visibility = str(st, "visibility");
    m.is_public = visibility != "direct";
    if (visibility == "unlisted" || visibility == "private") m.visibility = visibility;
    g.author_id[id] = str(acc, "id");
    g.parent_author_id[id] = str(st, "in_reply_to_account_id");
    if (!m.inbound)
      if (auto to = str(st, "in_reply_to_account_id"); !to.empty())
        for (const auto& [acct, p] : g.people)
          if (str(p, "id") == to) g.reply_account[id] = acct;
    g.messages.push_back(std::move(m));
    return ok_status();
  }

  // A reply to us, or to its own author, whose parent we have not read:
  // its ancestors by us or that author, of the same kind (public or
  // direct), from GET /api/v1/statuses/:id/context. Our own replies never
  // come as notifications, so this is how a customer's answer to our reply
  // finds the thread. A reply to anyone else's unknown status starts a case.
  Status gather_ancestors(Gathered& g) {
    std::vector<std::string> wanted;
    for (const auto& m : g.messages)
      if (m.reply_to && !g.seen.count(*m.reply_to) &&
          (g.parent_author_id[m.id] == us_.id || g.parent_author_id[m.id] == g.author_id[m.id]))
        wanted.push_back(m.id);
    std::sort(wanted.begin(), wanted.end(), [](const auto& a, const auto& b) { return numeric_id_less(b, a); });
    for (const auto& id : wanted) {
      const ImportMessage* m = find_message(g, id);
      if (!m || g.seen.count(*m->reply_to)) continue;  // an earlier context brought it
      const bool direct = !m->is_public;
      const std::string author = g.author_id[id];
      const std::string url = o_.base_url + "/api/v1/statuses/" + id + "/context";
      auto ctx = get_json(url);
      if (!ctx) return ctx.error();
      if (!ctx->is_object() || !(*ctx)["ancestors"].is_array()) return shape_error(url, "a Context object");
      for (const auto& a : (*ctx)["ancestors"]) {
        if (!a.is_object() || !a.contains("account") || !a["account"].is_object()) continue;
        const std::string by = str(a["account"], "id");
        if ((str(a, "visibility") == "direct") == direct && (by == us_.id || by == author))
          if (auto st = gather(a, json::object(), direct, g); !st) return st;
      }
    }
    return ok_status();
  }

  static const ImportMessage* find_message(const Gathered& g, const std::string& id) {
    for (const auto& m : g.messages)
      if (m.id == id) return &m;
    return nullptr;
  }

  // Messages to cases (threads.h), then what the API knows of the customer.
  std::vector<Case> cases_of(Gathered g) {
    std::sort(g.messages.begin(), g.messages.end(), [](const ImportMessage& a, const ImportMessage& b) { return numeric_id_less(a.id, b.id); });
    std::vector<ImportMessage> open, direct;
    for (auto& m : g.messages) (m.is_public ? open : direct).push_back(std::move(m));
    std::vector<Case> out;
    ThreadStats stats;
    for (bool dm : {false, true}) {
      for (auto& c : build_cases(std::move(dm ? direct : open), kChannel, stats)) {
        if (dm) c.id = std::string(kChannel) + ":" + c.account + ":dm-" + std::string(thread_key(c));
        describe_customer(c, g);
        out.push_back(std::move(c));
      }
    }
    return out;
  }

  void describe_customer(Case& c, const Gathered& g) const {
    std::string acct = c.customer.id;
    const bool ours_only = std::none_of(c.messages.begin(), c.messages.end(), [](const Message& m) { return m.dir == Dir::in; });
    if (ours_only)  // threads.h guessed from the text; the API says whom we answered
      if (auto it = g.reply_account.find(c.messages.front().id); it != g.reply_account.end()) acct = it->second;
    const auto p = g.people.find(acct);
    c.customer.handle = "@" + acct;
    c.customer.id = p != g.people.end() && !str(p->second, "id").empty() ? str(p->second, "id") : acct;
    if (p != g.people.end()) {
      if (auto name = str(p->second, "display_name"); !name.empty()) c.customer.name = name;
      if (auto f = p->second.find("followers_count"); f != p->second.end() && f->is_number_integer())
        c.customer.followers = f->get<int64_t>();
    }
    c.touched();
  }

  static std::string form_escape(const std::string& s) {
    std::string out;
    for (unsigned char ch : s) {
      if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') out += static_cast<char>(ch);
      else out += fmt::format("%{:02X}", ch);
    }
    return out;
  }

  HttpClient& http_;
  MastodonOptions o_;
  Identity us_;
  std::string domain_;
};

}  // namespace

std::string link_target(const std::string& header, const std::string& rel) {
  size_t pos = 0;
  while ((pos = header.find('<', pos)) != std::string::npos) {
    const auto close = header.find('>', pos);
    if (close == std::string::npos) return {};
    const std::string target = header.substr(pos + 1, close - pos - 1);
    const auto next = header.find('<', close);
    const std::string params = header.substr(close + 1, next == std::string::npos ? std::string::npos : next - close - 1);
    if (params.find("rel=\"" + rel + "\"") != std::string::npos || params.find("rel=" + rel + ";") != std::string::npos ||
        params.find("rel=" + rel + ",") != std::string::npos)
      return target;
    pos = close;
  }
  return {};
}

std::string query_param(const std::string& url, const std::string& name) {
  const auto q = url.find('?');
  if (q == std::string::npos) return {};
  size_t start = q + 1;
  while (start < url.size()) {
    auto amp = url.find('&', start);
    if (amp == std::string::npos) amp = url.size();
    const std::string pair = url.substr(start, amp - start);
    if (pair.rfind(name + "=", 0) == 0) return pair.substr(name.size() + 1);
    start = amp + 1;
  }
  return {};
}

std::unique_ptr<Channel> make_mastodon_channel(HttpClient& http, MastodonOptions options) {
  return std::make_unique<Mastodon>(http, std::move(options));
}

}  // namespace socq
