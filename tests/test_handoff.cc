// socq handoff's library: targets, follow-up deadlines (business time),
// stalled and completed, the handoff record, the transcript and mail, the
// webhook template and answer, the config tables, and the webhook flow
// through the outbox on the memory store with an HTTP double that fails
// first (the later run sends the same key once).
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "lib/case_json.h"
#include "lib/handoff/config.h"
#include "lib/handoff/followup.h"
#include "lib/handoff/handoff.h"
#include "lib/handoff/transcript.h"
#include "lib/handoff/webhook.h"
#include "lib/outbox.h"
#include "lib/timefmt.h"
#include "tests/test_util.h"

using namespace socq;
using namespace socq::handoff;
using namespace socq::test;

namespace {

Case parse_case(const std::string& text) {
  CaseParser p;
  auto c = p.parse(text);
  REQUIRE(c.ok());
  return std::move(c).value();
}

Case handed_off_case(const std::string& due, const std::string& messages = "") {
  Case c = parse_case(case_json("100", "", messages));
  c.status = CaseStatus::handed_off;
  c.handoff = Handoff{"team:billing", "2026-11-20T09:00:00Z", "kim", {}, {}, {}, due, {}, {}};
  return c;
}

int64_t ms(const char* t) { return *parse_rfc3339_utc(t); }

Message out_message(const std::string& id, const std::string& at) {
  Message m;
  m.id = id;
  m.dir = Dir::out;
  m.at = at;
  m.author = "transit@example.social";
  m.text = "on it";
  return m;
}

}  // namespace

TEST_CASE("handoff: --to targets") {
  CHECK(parse_target("dm")->text() == "dm");
  CHECK(parse_target("team:billing")->kind == "team");
  CHECK(parse_target("email:ops@x.example")->name == "ops@x.example");
  CHECK(parse_target("webhook:zendesk")->text() == "webhook:zendesk");
  CHECK(parse_target("owner:ola")->name == "ola");
  CHECK(parse_target("team:").error().code == Exit::usage);
  CHECK(parse_target("fax:123").error().code == Exit::usage);
  CHECK(parse_target("dm:someone").error().code == Exit::usage);
  CHECK(parse_target("owner:a\nb").error().code == Exit::usage);
}

TEST_CASE("handoff: follow-up per target, its kind, default; business time where the team keeps hours") {
  HandoffConfig hc;
  CHECK(follow_up_seconds(hc, "team:x") == kDefaultFollowUpS);
  hc.follow_up_s = {{"default", 3600}, {"team", 7200}, {"team:billing", 4 * 3600}};
  CHECK(follow_up_seconds(hc, "team:billing") == 4 * 3600);
  CHECK(follow_up_seconds(hc, "team:ops") == 7200);
  CHECK(follow_up_seconds(hc, "email:a@b.example") == 3600);

  CHECK(follow_up_due("2026-11-20T15:00:00Z", 4 * 3600, nullptr) == "2026-11-20T19:00:00Z");
  std::vector<std::vector<OpenRange>> week(7);
  for (int d = 1; d <= 5; ++d) week[d] = {{9 * 60, 17 * 60}};
  auto cal = Calendar::weekly("Europe/London", week, {});
  REQUIRE(cal.ok());
  // Friday 15:00 London (UTC in November): 2 h on Friday, 2 h on Monday.
  CHECK(follow_up_due("2026-11-20T15:00:00Z", 4 * 3600, &*cal) == "2026-11-23T11:00:00Z");
}

TEST_CASE("handoff: stalled is past the follow-up, not completed, no reply since") {
  Case c = handed_off_case("2026-11-20T13:00:00Z");
  CHECK_FALSE(is_stalled(c, ms("2026-11-20T12:59:00Z")));
  CHECK(is_stalled(c, ms("2026-11-20T13:01:00Z")));
  CHECK_FALSE(handoff_completed(c));

  Case own = c;  // the handoff's own post (a DM, the pointer) is no reply
  own.messages.push_back(out_message("p1", "2026-11-20T09:00:01Z"));
  own.messages.back().extra.emplace_back(kHandoffPostMark, "true");
  CHECK(is_stalled(own, ms("2026-11-20T14:00:00Z")));

  Case before = c;  // a reply before the handoff does not count
  before.messages.push_back(out_message("o0", "2026-11-20T08:00:00Z"));
  CHECK(is_stalled(before, ms("2026-11-20T14:00:00Z")));

  Case replied = c;
  replied.messages.push_back(out_message("o1", "2026-11-20T10:00:00Z"));
  CHECK(handoff_completed(replied));
  CHECK_FALSE(is_stalled(replied, ms("2026-11-20T14:00:00Z")));

  Case auto_reply = c;  // an auto-reply completes nothing
  auto_reply.messages.push_back(out_message("o2", "2026-11-20T10:00:00Z"));
  auto_reply.messages.back().is_auto = true;
  CHECK(is_stalled(auto_reply, ms("2026-11-20T14:00:00Z")));

  Case done = c;
  done.handoff->completed_at = "2026-11-20T12:00:00Z";
  CHECK_FALSE(is_stalled(done, ms("2026-11-20T14:00:00Z")));

  Case resolved = c;
  resolved.status = CaseStatus::resolved;
  CHECK_FALSE(is_stalled(resolved, ms("2026-11-20T14:00:00Z")));

  Case none = parse_case(case_json());
  CHECK_FALSE(is_stalled(none, ms("2030-01-01T00:00:00Z")));
}

TEST_CASE("handoff: the record on the case (who, when, where, why, ref, owner, follow-up, event), once per key") {
  Case c = parse_case(case_json());
  c.owner = "kim";
  Record r{parse_target("team:billing").value(), "kim", "2026-11-20T09:00:00Z", "refund", "2026-11-20T13:00:00Z", "socq-k1", std::nullopt};
  auto applied = apply_handoff(c, r);
  REQUIRE(applied.ok());
  CHECK(*applied);
  CHECK(c.status == CaseStatus::handed_off);
  CHECK(c.team == "billing");
  CHECK_FALSE(c.owner);
  CHECK(c.handoff->to == "team:billing");
  CHECK(c.handoff->by == "kim");
  CHECK(c.handoff->why == "refund");
  CHECK(c.handoff->owner == "team:billing");
  CHECK(c.handoff->follow_up_due == "2026-11-20T13:00:00Z");
  CHECK(c.events.back().what == "handed off to team:billing: refund; follow up by 2026-11-20T13:00:00Z");
  const size_t events = c.events.size();
  auto again = apply_handoff(c, r);
  REQUIRE(again.ok());
  CHECK_FALSE(*again);
  CHECK(c.events.size() == events);

  Record to_owner{parse_target("owner:ola").value(), "kim", "2026-11-20T10:00:00Z", "", "2026-11-21T10:00:00Z", "", std::nullopt};
  REQUIRE(apply_handoff(c, to_owner).ok());
  CHECK(c.owner == "ola");
  CHECK(c.handoff->owner == "ola");
  CHECK_FALSE(c.handoff->why);

  Case closed = parse_case(case_json());
  closed.status = CaseStatus::closed;
  CHECK(apply_handoff(closed, r).error().code == Exit::data);
}

TEST_CASE("handoff: transcript and mail: both parts, escaped customer text, no header injection, same bytes on retry") {
  Case c = parse_case(case_json("100", "", R"([{"id":"1","dir":"in","at":"2026-11-20T07:41:09Z","author":"@ann","text":"<b>late</b> & \"cold\"\u001b[2J","public":true},
    {"id":"2","dir":"out","at":"2026-11-20T07:50:00Z","author":"transit@example.social","text":"Sorry, checking","public":true}])"));
  c.customer.handle = "@ann\r\nBcc: everyone@example.com";
  const std::string text = transcript_text(c, "https://socq.example/cases/{id}", "refund");
  CHECK(text.find("Case: " + c.id) != std::string::npos);
  CHECK(text.find("Link: https://socq.example/cases/mastodon:transit@example.social:100") != std::string::npos);
  CHECK(text.find("<b>late</b> & \"cold\"[2J") != std::string::npos);
  CHECK(text.find('\x1b') == std::string::npos);
  CHECK(text.find("Sorry, checking") != std::string::npos);
  const std::string html = transcript_html(c, "", "");
  CHECK(html.find("&lt;b&gt;late&lt;/b&gt; &amp; &quot;cold&quot;") != std::string::npos);
  CHECK(html.find("<b>late") == std::string::npos);

  MailHeaders h{"Support <s@x.example>", "ops@x.example", rfc5322_date("2026-11-20T09:00:00Z"),
                message_id_for("socq-abc", "s@x.example"), transcript_subject(c)};
  CHECK(h.date == "Fri, 20 Nov 2026 09:00:00 +0000");
  CHECK(h.message_id == "<socq-abc@x.example>");
  const std::string mail = build_mail(h, text, html);
  CHECK(mail == build_mail(h, text, html));
  CHECK(mail.find("\r\nBcc:") == std::string::npos);
  CHECK(mail.find("Message-ID: <socq-abc@x.example>\r\n") != std::string::npos);
  CHECK(mail.find("Content-Type: multipart/alternative; boundary=") != std::string::npos);
  CHECK(mail.find("Content-Type: text/plain; charset=utf-8") != std::string::npos);
  CHECK(mail.find("Content-Type: text/html; charset=utf-8") != std::string::npos);
  for (size_t at = 0, next; (next = mail.find("\r\n", at)) != std::string::npos; at = next + 2) CHECK(next - at <= 998);
}

TEST_CASE("handoff: webhook template values are JSON-escaped; the ticket id by JSON pointer; answers to exit codes") {
  auto body = expand_template(R"({"t": {"s": "{subject}", "b": "{transcript}"}, "n": 1})",
                              {{"subject", "a \"quoted\" \\ word"}, {"transcript", "line\nnext\ttab"}}, "w");
  REQUIRE(body.ok());
  auto j = nlohmann::json::parse(*body);
  CHECK(j["t"]["s"] == "a \"quoted\" \\ word");
  CHECK(j["t"]["b"] == "line\nnext\ttab");
  CHECK(expand_template(R"({"x": "{nope}"})", {}, "w").error().message.find("unknown placeholder {nope}") != std::string::npos);

  CHECK(pointer_text(R"({"ticket": {"id": 35436}})", "/ticket/id") == "35436");
  CHECK(pointer_text(R"({"key": "SUP-12"})", "/key") == "SUP-12");
  CHECK_FALSE(pointer_text(R"({"ticket": {}})", "/ticket/id"));
  CHECK_FALSE(pointer_text("not json", "/id"));

  WebhookConfig w;
  w.name = "zendesk";
  w.ref_pointer = "/ticket/id";
  CHECK(read_webhook_answer(w, HttpResponse{201, {}, R"({"ticket": {"id": 7}})"})->ref == "7");
  CHECK(read_webhook_answer(w, HttpResponse{201, {}, R"({"ticket": {}})"}).error().code == Exit::data);
  CHECK(read_webhook_answer(w, HttpResponse{500, {}, "{}"}).error().code == Exit::unavailable);
  CHECK(read_webhook_answer(w, HttpResponse{429, {}, "{}"}).error().code == Exit::unavailable);
  CHECK(read_webhook_answer(w, HttpResponse{401, {}, "{}"}).error().code == Exit::no_perm);
  CHECK(read_webhook_answer(w, HttpResponse{422, {}, "{}"}).error().code == Exit::data);

  w.headers = {{"Authorization", "Basic {secret}"}};
  w.idempotency_header = "Idempotency-Key";
  const HttpRequest req = webhook_request(w, "{}", "s3cret", "socq-k");
  bool auth = false, key = false;
  for (const auto& [k, v] : req.headers) {
    auth |= k == "Authorization" && v == "Basic s3cret";
    key |= k == "Idempotency-Key" && v == "socq-k";
  }
  CHECK(auth);
  CHECK(key);
}

TEST_CASE("handoff: config tables are checked with file:line") {
  TempDir dir;
  auto load = [&](const std::string& toml) {
    write_file(dir.file("c.toml"), toml);
    MapConfig cfg;
    cfg.files = {dir.file("c.toml")};
    return load_handoff_config(cfg);
  };
  auto ok = load(R"([handoff]
case_url = "https://socq.example/cases/{id}"
[handoff.follow_up]
default = "8h"
"team:billing" = "4h"
[smtp]
url = "smtp://127.0.0.1:2525"
tls = "none"
from = "s@x.example"
[webhooks.zd]
url = "https://x.zendesk.com/api/v2/tickets.json"
body = '{"ticket": {"subject": "{subject}"}}'
ref_pointer = "/ticket/id"
)");
  REQUIRE(ok.ok());
  CHECK(ok->follow_up_s.at("team:billing") == 4 * 3600);
  CHECK(ok->smtp->tls == "none");
  CHECK(ok->webhooks.at("zd").ref_pointer == "/ticket/id");

  auto err = [&](const std::string& toml) {
    auto r = load(toml);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Exit::config);
    return r.error().message;
  };
  CHECK(err("[smtp]\nurl = \"smtp://h:25\"\ntls = \"off\"\nfrom = \"a@b.example\"\n").find("c.toml:1") != std::string::npos);
  CHECK(err("[smtp]\nurl = \"smtp://h:25\"\nfrom = \"a@b.example\"\npassword = \"x\"\n").find("c.toml:4: secrets do not belong") != std::string::npos);
  CHECK(err("[smtp]\nurl = \"http://h\"\nfrom = \"a@b.example\"\n").find("smtp.url must be") != std::string::npos);
  CHECK(err("[handoff.follow_up]\ndefault = \"soon\"\n").find("c.toml:2") != std::string::npos);
  CHECK(err("[handoff]\ncolour = \"red\"\n").find("unknown key handoff.colour") != std::string::npos);
  CHECK(err("[webhooks.zd]\nurl = \"https://x\"\nbody = '{\"a\": {subject}'\n").find("not JSON") != std::string::npos);
  CHECK(err("[webhooks.zd]\nurl = \"http://example.com\"\nbody = '{}'\n").find("must be https://") != std::string::npos);
  CHECK(err("[webhooks.zd]\nurl = \"https://x\"\nbody = '{}'\nref_pointer = \"ticket.id\"\n").find("JSON pointer") != std::string::npos);
  CHECK(err("[webhooks.zd]\nurl = \"https://x\"\nbody = '{}'\nheaders = { A = \"{secret}\" }\n").find("no secret_env") != std::string::npos);
}

namespace {

// Answers from a script: a 500 first, then the ticket; remembers what it got.
class ScriptedHttp final : public HttpClient {
 public:
  std::vector<HttpResponse> answers;
  std::vector<HttpRequest> seen;
  Result<HttpResponse> send(const HttpRequest& req) override {
    seen.push_back(req);
    HttpResponse r = answers.empty() ? HttpResponse{201, {}, R"({"ticket": {"id": 99}})"} : answers.front();
    if (!answers.empty()) answers.erase(answers.begin());
    return r;
  }
};

std::string header_of(const HttpRequest& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return {};
}

}  // namespace

TEST_CASE("handoff: a webhook that fails stays in the outbox; a later run sends the same key once and records the ticket") {
  auto store = make_memory_store();
  {
    auto batch = store->begin_merge("2026-11-20T08:00:00Z", "test");
    REQUIRE(batch.ok());
    REQUIRE((*batch)->add(parse_case(case_json())).ok());
    REQUIRE((*batch)->commit().ok());
  }
  HandoffConfig hc;
  WebhookConfig w;
  w.name = "zd";
  w.url = "https://x.zendesk.com/api/v2/tickets.json";
  w.body = R"({"ticket": {"external_id": "{case.id}", "comment": {"body": "{transcript}"}}})";
  w.ref_pointer = "/ticket/id";
  w.idempotency_header = "Idempotency-Key";
  hc.webhooks["zd"] = w;
  TriageEnv teams;
  ScriptedHttp http;
  http.answers.push_back(HttpResponse{500, {}, R"({"error": "InternalError"})"});
  struct Borrowed final : HttpClient {
    HttpClient& inner;
    explicit Borrowed(HttpClient& h) : inner(h) {}
    Result<HttpResponse> send(const HttpRequest& r) override { return inner.send(r); }
  };
  Deps d{*store, hc, teams, [](const Case&) -> Result<ChannelHandle> { return Error{Exit::config, "no channel"}; },
         [&] { return std::unique_ptr<HttpClient>(new Borrowed(http)); }, process_env, {}};
  const std::string id = "mastodon:transit@example.social:100";
  Request r{id, parse_target("webhook:zd").value(), "refund", "kim", "2026-11-20T09:00:00Z", "", std::nullopt};
  auto first = hand_off(d, r);
  REQUIRE_FALSE(first.ok());
  CHECK(first.error().code == Exit::temp_fail);
  auto c = store->get(id);
  CHECK_FALSE((**c).handoff);

  // A second handoff of the case while one is in flight: a conflict.
  Request other = r;
  auto blocked = hand_off(d, other);
  // (the resume inside the command would have finished it; the library call alone sees it in flight)
  CHECK(blocked.error().code == Exit::conflict);

  auto resumed = resume(d, "2026-11-20T09:05:00Z");
  REQUIRE(resumed.ok());
  CHECK(resumed->finished == 1);
  REQUIRE(http.seen.size() == 2);
  CHECK(header_of(http.seen[0], "Idempotency-Key") == header_of(http.seen[1], "Idempotency-Key"));
  CHECK(http.seen[0].body == http.seen[1].body);
  c = store->get(id);
  REQUIRE((**c).handoff);
  CHECK((**c).handoff->ref == "99");
  CHECK((**c).handoff->at == "2026-11-20T09:00:00Z");
  CHECK((**c).status == CaseStatus::handed_off);

  auto again = resume(d, "2026-11-20T09:10:00Z");
  REQUIRE(again.ok());
  CHECK(again->finished == 0);
  CHECK(http.seen.size() == 2);

  auto done = complete(*store, id, "ola", "2026-11-20T10:00:00Z");
  REQUIRE(done.ok());
  c = store->get(id);
  CHECK((**c).handoff->completed_at == "2026-11-20T10:00:00Z");
  CHECK((**c).events.back().what == "handoff to webhook:zd completed");
  CHECK(complete(*store, "mastodon:transit@example.social:404", "ola", "2026-11-20T10:00:00Z").error().code == Exit::data);
}
