// The reply flow's parts: templates, approval rules, the planned post,
// what the case records, what a collision shows, bulk files.
#include <doctest/doctest.h>

#include "lib/case_json.h"
#include "lib/reply/approval.h"
#include "lib/reply/input.h"
#include "lib/reply/reply.h"
#include "lib/reply/templates.h"
#include "tests/test_util.h"

using namespace socq;
using namespace socq::test;

namespace {

Case make(const std::string& extra = "", const std::string& messages = "") {
  CaseParser p;
  auto r = p.parse(case_json("100", extra, messages));
  if (!r) FAIL(r.error().message);
  return std::move(r).value();
}

MapConfig config_with(const TempDir& dir, const std::string& toml) {
  write_file(dir.file("c.toml"), toml);
  MapConfig cfg;
  cfg.files.push_back(dir.file("c.toml"));
  return cfg;
}

const std::string kTwoIn =
    R"([{"id":"1","dir":"in","at":"2026-11-20T07:00:00Z","author":"@ann","text":"First","public":true,"reply_to":null},)"
    R"({"id":"3","dir":"in","at":"2026-11-20T09:00:00Z","author":"@ann","text":"Later","public":true,"reply_to":"2"},)"
    R"({"id":"2","dir":"out","at":"2026-11-20T08:00:00Z","author":"@transit@example.social","text":"Ours","public":true,"reply_to":"1"}])";

}  // namespace

TEST_CASE("reply templates: variables from the case, braces, errors with file:line") {
  TempDir dir;
  auto cfg = config_with(dir, "[reply.templates]\nhi = \"Hi {customer.name}, {agent} here ({reference}) {{ok}}\"\n");
  auto all = reply::load_templates(cfg);
  REQUIRE(all.ok());
  auto t = reply::find_template(*all, "hi");
  REQUIRE(t.ok());
  Case c = make(R"(,"customer":{"id":"9","handle":"@ann@example.org","name":"Ann Lee"})");
  auto text = reply::render_template(*t, reply::template_values(c, "sam"));
  REQUIRE(text.ok());
  CHECK(*text == "Hi Ann Lee, sam here (100) {ok}");
  c.number = 42;
  auto numbered = reply::render_template(*t, reply::template_values(c, "sam"));
  CHECK(numbered.value() == "Hi Ann Lee, sam here (#42) {ok}");
  // No display name: the handle's user part.
  Case bare = make();
  CHECK(reply::template_values(bare, "sam").at("customer.name") == "ann");
  auto missing = reply::find_template(*all, "bye");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == Exit::usage);
  CHECK(missing.error().message.find("(there are: hi)") != std::string::npos);

  auto bad = reply::load_templates(config_with(dir, "[reply.templates]\n\nx = \"Hi {customer.nmae}\"\n"));
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == Exit::config);
  CHECK(bad.error().message.find("c.toml:3") != std::string::npos);
  CHECK(bad.error().message.find("unknown variable {customer.nmae}") != std::string::npos);
  auto open = reply::load_templates(config_with(dir, "[reply.templates]\nx = \"Hi {agent\"\n"));
  REQUIRE_FALSE(open.ok());
  CHECK(open.error().message.find("no closing }") != std::string::npos);
  auto number = reply::load_templates(config_with(dir, "[reply.templates]\nx = 3\n"));
  REQUIRE_FALSE(number.ok());
  CHECK(number.error().message.find("must be a string") != std::string::npos);
}

TEST_CASE("reply approval: rules match on all their conditions; approvers united") {
  TempDir dir;
  auto cfg = config_with(dir,
                         "[[reply.approval]]\ncategory = \"media\"\napprovers = [\"carla\"]\n\n"
                         "[[reply.approval]]\npriority = [\"p1\", \"p2\"]\nteam = \"press\"\napprovers = [\"dev\", \"carla\"]\n");
  auto rules = reply::load_approval_rules(cfg);
  REQUIRE(rules.ok());
  REQUIRE(rules->size() == 2);
  CHECK_FALSE(reply::approval_needed(*rules, make()).has_value());
  auto media = reply::approval_needed(*rules, make(R"(,"category":"media")"));
  REQUIRE(media.has_value());
  CHECK(media->approvers == std::vector<std::string>{"carla"});
  CHECK(media->why.find("category media (") != std::string::npos);
  CHECK_FALSE(reply::approval_needed(*rules, make(R"(,"priority":"p1")")).has_value());  // team missing
  auto both = reply::approval_needed(*rules, make(R"(,"priority":"p1","team":"press","category":"media")"));
  REQUIRE(both.has_value());
  CHECK(both->approvers == std::vector<std::string>{"carla", "dev"});
  CHECK(reply::may_approve(*both, "dev"));
  CHECK_FALSE(reply::may_approve(*both, "mallory"));
  CHECK(reply::join_names(both->approvers) == "carla or dev");
  CHECK(reply::join_names({"a", "b", "c"}) == "a, b or c");

  auto no_approvers = reply::load_approval_rules(config_with(dir, "[[reply.approval]]\ncategory = \"media\"\n"));
  REQUIRE_FALSE(no_approvers.ok());
  CHECK(no_approvers.error().code == Exit::config);
  CHECK(no_approvers.error().message.find("c.toml:1") != std::string::npos);
  CHECK(no_approvers.error().message.find("approvers") != std::string::npos);
  auto unknown = reply::load_approval_rules(config_with(dir, "[[reply.approval]]\napprovers = [\"a\"]\nchanel = \"x\"\n"));
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().message.find("c.toml:3") != std::string::npos);
  auto prio = reply::load_approval_rules(config_with(dir, "[[reply.approval]]\napprovers = [\"a\"]\npriority = \"urgent\"\n"));
  REQUIRE_FALSE(prio.ok());
  CHECK(prio.error().message.find("not p1..p4") != std::string::npos);
  auto table = reply::load_approval_rules(config_with(dir, "[reply.approval]\napprovers = [\"a\"]\n"));
  REQUIRE_FALSE(table.ok());
  CHECK(table.error().message.find("[[reply.approval]]") != std::string::npos);
}

TEST_CASE("reply plan: threaded under the latest inbound message; a Mastodon reply mentions the customer") {
  Case c = make(R"(,"customer":{"id":"9","handle":"@ann@example.org"})", kTwoIn);
  auto pub = reply::plan_post(c, "Thanks", false);
  REQUIRE(pub.ok());
  CHECK(pub->is_public);
  CHECK(pub->in_reply_to == OptString{"3"});
  CHECK(pub->text == "@ann@example.org Thanks");
  // Mentioned anywhere as a whole handle: not again; a longer handle is another account.
  CHECK(reply::plan_post(c, "Thanks @ann@example.org.", false).value().text == "Thanks @ann@example.org.");
  CHECK(reply::plan_post(c, "cc @ann@example.org.uk", false).value().text == "@ann@example.org cc @ann@example.org.uk");
  c.channel = "x";
  CHECK(reply::plan_post(c, "Thanks", false).value().text == "Thanks");  // X threads notify without a mention
  c.channel = "mastodon";
  CHECK(pub->recipient == OptString{"9"});
  CHECK(pub->customer_last_at == OptString{"2026-11-20T09:00:00Z"});
  auto priv = reply::plan_post(c, "Your booking?", true);
  REQUIRE(priv.ok());
  CHECK_FALSE(priv->is_public);
  CHECK_FALSE(priv->in_reply_to.has_value());  // not threaded under a public post
  CHECK(priv->private_reply_to == OptString{"3"});  // but it answers it (Facebook's private reply to a comment)
  CHECK(priv->text == "@ann@example.org Your booking?");
  auto mentioned = reply::plan_post(c, "@ann@example.org already", true);
  CHECK(mentioned.value().text == "@ann@example.org already");
  // A private conversation stays private.
  Case dm = make(R"(,"customer":{"id":"9","handle":"@ann@example.org"})",
                 R"([{"id":"5","dir":"in","at":"2026-11-20T07:00:00Z","author":"@ann","text":"psst","public":false,"reply_to":null}])");
  auto answer = reply::plan_post(dm, "Hello", false);
  REQUIRE(answer.ok());
  CHECK_FALSE(answer->is_public);
  CHECK(answer->in_reply_to == OptString{"5"});
  CHECK_FALSE(answer->private_reply_to.has_value());
  Case ours = make("", R"([{"id":"5","dir":"out","at":"2026-11-20T07:00:00Z","author":"@t","text":"x","public":true,"reply_to":null}])");
  auto none = reply::plan_post(ours, "Hello", false);
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().code == Exit::data);
  // Another customer's later post in the same conversation: the reply goes
  // under the case customer's own latest message.
  Case two = make(R"(,"customer":{"id":"9","handle":"@ann"})",
                  R"([{"id":"5","dir":"in","at":"2026-11-20T07:00:00Z","author":"@ann","text":"late again","public":true,"reply_to":null},
                      {"id":"6","dir":"in","at":"2026-11-20T07:05:00Z","author":"@tom","text":"me too","public":true,"reply_to":"5"}])");
  two.channel = "x";
  CHECK(reply::plan_post(two, "Sorry Ann", false).value().in_reply_to == OptString{"5"});
}

TEST_CASE("reply plan and record: a followers-only or unlisted post is answered no wider") {
  for (const char* vis : {"private", "unlisted"}) {
    CAPTURE(vis);
    Case c = make(R"(,"customer":{"id":"9","handle":"@ann@example.org"})",
                  std::string(R"([{"id":"1","dir":"in","at":"2026-11-20T07:00:00Z","author":"@ann","text":"Hi","public":true,"visibility":")") +
                      vis + R"(","reply_to":null}])");
    auto req = reply::plan_post(c, "On it", false);
    REQUIRE(req.ok());
    CHECK(req->is_public);
    CHECK(req->visibility == OptString{vis});
    REQUIRE(reply::record_reply(c, *req, Posted{"2", {}}, "sam", {}, "2026-11-20T08:00:00Z").ok());
    CHECK(c.messages.back().visibility == OptString{vis});  // the next reply in the thread reads it too
    auto priv = reply::plan_post(c, "Your booking?", true);
    REQUIRE(priv.ok());
    CHECK_FALSE(priv->visibility);  // a direct message has no public audience
  }
  CHECK_FALSE(reply::plan_post(make(), "On it", false).value().visibility);  // public stays public
}

TEST_CASE("reply record: the outbound message, status, first response, owner and event, once") {
  Case c = make(R"(,"status":"new")");
  auto req = reply::plan_post(c, "On it", false);
  REQUIRE(req.ok());
  const Posted posted{"777", "https://transit.social/@t/777"};
  auto changed = reply::record_reply(c, *req, posted, "sam", OptString{"carla"}, "2026-11-21T10:00:00Z");
  REQUIRE(changed.ok());
  CHECK(*changed);
  REQUIRE(c.messages.size() == 2);
  const Message& m = c.messages.back();
  CHECK(m.dir == Dir::out);
  CHECK(m.posted_id == OptString{"777"});
  CHECK(m.author == "@transit@example.social");
  CHECK(m.reply_to == OptString{"100"});
  const std::string json = case_to_json(c);
  CHECK(json.find(R"("written_by":"sam")") != std::string::npos);
  CHECK(json.find(R"("approved_by":"carla")") != std::string::npos);
  CHECK(c.status == CaseStatus::pending_customer);
  CHECK(c.sla.first_response_at == OptString{"2026-11-21T10:00:00Z"});
  CHECK(c.owner == OptString{"sam"});
  CHECK(c.events.back().what == "reply by sam, approved by carla; assigned to sam: posted 777 https://transit.social/@t/777");
  // Idempotent: recording again changes nothing.
  const size_t events = c.events.size();
  auto again = reply::record_reply(c, *req, posted, "sam", OptString{"carla"}, "2026-11-21T10:00:05Z");
  REQUIRE(again.ok());
  CHECK_FALSE(*again);
  CHECK(c.messages.size() == 2);
  CHECK(c.events.size() == events);
  // A second reply keeps the first response time and the owner.
  auto second = reply::record_reply(c, *req, Posted{"778", {}}, "kim", {}, "2026-11-21T11:00:00Z");
  REQUIRE(second.ok());
  CHECK(c.sla.first_response_at == OptString{"2026-11-21T10:00:00Z"});
  CHECK(c.owner == OptString{"sam"});
  CHECK(c.events.back().what == "reply by kim: posted 778");
  // Our post already fetched (no posted_id yet): filled in, not duplicated.
  Case fetched = make("", R"([{"id":"100","dir":"in","at":"2026-11-20T07:41:09Z","author":"@ann","text":"x","public":true,"reply_to":null},)"
                          R"({"id":"900","dir":"out","at":"2026-11-20T07:50:00Z","author":"@transit@example.social","text":"On it","public":true,"reply_to":"100"}])");
  auto filled = reply::record_reply(fetched, *req, Posted{"900", {}}, "sam", {}, "2026-11-20T07:50:01Z");
  REQUIRE(filled.ok());
  CHECK(filled.value());
  CHECK(fetched.messages.size() == 2);
  CHECK(fetched.messages.back().posted_id == OptString{"900"});
}

TEST_CASE("reply collisions: what changed, one line each, terminal-safe") {
  Case seen = make();
  Case now = seen;
  now.rev = 3;
  Message m;
  m.id = "101";
  m.at = "2026-11-20T08:00:00Z";
  m.author = "@ann";
  m.text = "Hello?\x1b[2J";
  now.messages.push_back(m);
  now.owner = "kim";
  auto lines = reply::describe_changes(seen, now);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].find("new message from @ann") != std::string::npos);
  CHECK(lines[0].find("\x1b") == std::string::npos);
  CHECK(lines[1] == "owner (none) -> kim");
  now = seen;
  now.rev = 2;
  now.events.push_back(Event{"2026-11-20T08:00:00Z", "triage", "rule x set priority p1", {}});
  lines = reply::describe_changes(seen, now);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0] == "2026-11-20T08:00:00Z triage: rule x set priority p1");
}

TEST_CASE("reply bulk files: JSON Lines and CSV, errors with file:line and field") {
  TempDir dir;
  write_file(dir.file("a.jsonl"), "{\"case\": \"m:a:1\", \"text\": \"Hi\"}\n\n{\"case\": 42, \"template\": \"t\"}\n");
  auto rows = reply::read_bulk(dir.file("a.jsonl"));
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 2);
  CHECK((*rows)[0].where == dir.file("a.jsonl") + ":1");
  CHECK((*rows)[1].case_ref == "42");
  CHECK((*rows)[1].template_name == "t");
  write_file(dir.file("b.jsonl"), "{\"case\": \"x\", \"text\": \"Hi\"}\n{\"text\": \"no case\"}\n");
  auto bad = reply::read_bulk(dir.file("b.jsonl"));
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == Exit::data);
  CHECK(bad.error().message == dir.file("b.jsonl") + ":2: case: missing (the case id or number to reply to)");
  write_file(dir.file("c.jsonl"), "{\"case\": \"x\", \"text\": \"Hi\", \"template\": \"t\"}\n");
  CHECK_FALSE(reply::read_bulk(dir.file("c.jsonl")).ok());
  write_file(dir.file("d.csv"), "id,text\nm:a:1,\"Hello, again\"\n\nm:a:2,\"two\nlines\"\n");
  auto csv = reply::read_bulk(dir.file("d.csv"));
  REQUIRE(csv.ok());
  REQUIRE(csv->size() == 2);
  CHECK((*csv)[0].text == "Hello, again");
  CHECK((*csv)[1].text == "two\nlines");
  CHECK((*csv)[1].where == dir.file("d.csv") + ":4");
  write_file(dir.file("e.csv"), "case,text\n,hello\n");
  auto empty_case = reply::read_bulk(dir.file("e.csv"));
  REQUIRE_FALSE(empty_case.ok());
  CHECK(empty_case.error().message == dir.file("e.csv") + ":2: case: empty");
  auto none = reply::read_bulk(dir.file("none.csv"));
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().code == Exit::no_input);
}

TEST_CASE("reply editor: comment lines dropped; a failing editor or empty text posts nothing") {
  TempDir dir;
  write_file(dir.file("ed.sh"), "#!/bin/sh\nprintf 'Hello there\\n# note\\n' >> \"$1\"\n");
  write_file(dir.file("bad.sh"), "#!/bin/sh\nexit 4\n");
  write_file(dir.file("empty.sh"), "#!/bin/sh\n: \n");
  for (const char* f : {"ed.sh", "bad.sh", "empty.sh"}) std::filesystem::permissions(dir.file(f), std::filesystem::perms::owner_all);
  static std::string editor;
  auto env = [](const char* name) -> std::optional<std::string> {
    if (std::string(name) == "EDITOR") return editor;
    return std::nullopt;
  };
  editor = dir.file("ed.sh");
  auto text = reply::text_from_editor("Reply to case x\nann wrote: hi", env);
  REQUIRE(text.ok());
  CHECK(*text == "Hello there");
  editor = dir.file("bad.sh");
  auto failed = reply::text_from_editor("", env);
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().message.find("failed: nothing posted") != std::string::npos);
  editor = dir.file("empty.sh");
  auto empty = reply::text_from_editor("intro only", env);
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error().message.find("empty") != std::string::npos);
}
