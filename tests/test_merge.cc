#include <doctest/doctest.h>

#include <map>

#include "lib/case_json.h"
#include "lib/merge.h"
#include "lib/timefmt.h"
#include "tests/test_util.h"

using namespace socq;
using socq::test::case_json;

namespace {
const std::string kNow = "2026-11-21T10:00:00Z";

Case make(const std::string& thread, const std::string& messages, const std::string& extra = "") {
  CaseParser p;
  auto r = p.parse(case_json(thread, extra, messages));
  if (!r) FAIL(r.error().message);
  return std::move(r).value();
}

std::string msg(const std::string& id, const std::string& dir, const std::string& at) {
  return R"({"id":")" + id + R"(","dir":")" + dir + R"(","at":")" + at + R"(","author":"a","text":"m)" + id + R"("})";
}

// A store in a map, to drive plan_merge.
struct MapStore : MergeView {
  std::map<std::string, Case> cases;
  Result<std::optional<Case>> get(const std::string& id) override {
    auto it = cases.find(id);
    return it == cases.end() ? std::optional<Case>{} : std::optional<Case>{it->second};
  }
  Result<std::optional<std::string>> case_of_message(const std::string& channel, const std::string& id) override {
    for (const auto& [cid, c] : cases)
      for (const auto& m : c.messages)
        if (c.channel == channel && m.id == id) return std::optional<std::string>{cid};
    return std::optional<std::string>{};
  }
  MergePlan merge(Case c) {
    auto plan = plan_merge(std::move(c), *this, kNow, "test");
    REQUIRE(plan.ok());
    for (const auto& w : plan->writes) cases[w.id] = w;
    return std::move(plan).value();
  }
};
}  // namespace

TEST_CASE("messages are united by id, in time order, with rev + 1 and an event") {
  MapStore s;
  CHECK(s.merge(make("1", "[" + msg("1", "in", "2026-11-20T07:00:00Z") + "," + msg("3", "in", "2026-11-20T09:00:00Z") + "]")).outcome ==
        MergeOutcome::created);
  auto plan = s.merge(make("1", "[" + msg("2", "out", "2026-11-20T08:00:00Z") + "," + msg("3", "in", "2026-11-20T09:00:00Z") + "]"));
  CHECK(plan.outcome == MergeOutcome::updated);
  const Case& c = s.cases.begin()->second;
  REQUIRE(c.messages.size() == 3);
  CHECK(c.messages[0].id == "1");
  CHECK(c.messages[1].id == "2");
  CHECK(c.messages[2].id == "3");
  CHECK(c.rev == 2);
  CHECK(c.updated_at == kNow);
  CHECK(c.source.empty());
  CHECK(c.events.back().what == "merged 1 new message");
}

TEST_CASE("merging the same case again changes nothing") {
  MapStore s;
  const Case c = make("1", "[" + msg("1", "in", "2026-11-20T07:00:00Z") + "]");
  s.merge(c);
  const std::string before = case_to_json(s.cases.begin()->second);
  auto plan = s.merge(c);
  CHECK(plan.outcome == MergeOutcome::unchanged);
  CHECK(plan.writes.empty());
  CHECK(case_to_json(s.cases.begin()->second) == before);
}

TEST_CASE("an imported rev never overwrites a stored one") {
  MapStore s;
  s.merge(make("1", "[" + msg("1", "in", "2026-11-20T07:00:00Z") + "]", R"(,"rev":7)"));
  auto again = make("1", "[" + msg("2", "in", "2026-11-20T08:00:00Z") + "]", R"(,"rev":40)");
  s.merge(again);
  CHECK(s.cases.begin()->second.rev == 8);
}

TEST_CASE("a new inbound message reopens a resolved case; an outbound one does not") {
  MapStore s;
  s.merge(make("1", "[" + msg("1", "in", "2026-11-20T07:00:00Z") + "]",
               R"(,"status":"resolved","resolution":{"reason":"answered","at":"2026-11-20T08:00:00Z","by":"sam"})"));
  s.merge(make("1", "[" + msg("2", "out", "2026-11-20T09:00:00Z") + "]"));
  CHECK(s.cases.begin()->second.status == CaseStatus::resolved);
  s.merge(make("1", "[" + msg("3", "in", "2026-11-20T10:00:00Z") + "]"));
  const Case& c = s.cases.begin()->second;
  CHECK(c.status == CaseStatus::open);
  CHECK_FALSE(c.resolution);
  CHECK(c.events.back().what == "status resolved -> open: new message from the customer");
}

TEST_CASE("a closed case stays closed: new messages open a linked case, and later merges find it") {
  MapStore s;
  const std::string closed = R"(,"status":"closed","resolution":{"reason":"answered","at":"2026-11-20T08:00:00Z","by":"sam"})";
  s.merge(make("1", "[" + msg("1", "in", "2026-11-20T07:00:00Z") + "]", closed));
  const std::string id = "mastodon:transit@example.social:1";
  const Case later = make("1", "[" + msg("1", "in", "2026-11-20T07:00:00Z") + "," + msg("5", "in", "2026-11-21T07:00:00Z") + "]");
  auto plan = s.merge(later);
  CHECK(plan.outcome == MergeOutcome::created);
  REQUIRE(s.cases.count(id + "#2") == 1);
  const Case& follow = s.cases[id + "#2"];
  CHECK(follow.status == CaseStatus::new_);
  REQUIRE(follow.messages.size() == 1);
  CHECK(follow.messages[0].id == "5");
  CHECK(follow.links[0].rel == "previous");
  CHECK(follow.links[0].ref == id);
  CHECK(s.cases[id].status == CaseStatus::closed);
  CHECK(s.cases[id].links.back().ref == id + "#2");
  // The same input again changes nothing; a newer message joins #2.
  CHECK(s.merge(later).outcome == MergeOutcome::unchanged);
  s.merge(make("1", "[" + msg("6", "in", "2026-11-21T08:00:00Z") + "]"));
  CHECK(s.cases[id + "#2"].messages.size() == 2);
  CHECK(s.cases.size() == 2);
}

TEST_CASE("a thread imported in pieces stays one case") {
  MapStore s;
  // The later part first: its root is a reply whose parent is not known yet.
  s.merge(make("5", R"([{"id":"5","dir":"in","at":"2026-11-20T09:00:00Z","text":"still broken","reply_to":"4"}])"));
  // Then the whole thread under its true root: it joins the case holding message 5.
  auto plan = s.merge(make("1", "[" + msg("1", "in", "2026-11-20T07:00:00Z") + "," + msg("4", "out", "2026-11-20T08:00:00Z") +
                                    R"(,{"id":"5","dir":"in","at":"2026-11-20T09:00:00Z","text":"still broken","reply_to":"4"}])"));
  CHECK(plan.outcome == MergeOutcome::updated);
  REQUIRE(s.cases.size() == 1);
  CHECK(s.cases.begin()->second.messages.size() == 3);
  // A new reply whose parent is stored joins that case (same customer).
  s.merge(make("6", R"([{"id":"6","dir":"in","at":"2026-11-20T10:00:00Z","text":"hello?","reply_to":"5"}])"));
  CHECK(s.cases.size() == 1);
  CHECK(s.cases.begin()->second.messages.size() == 4);
}

TEST_CASE("re-merging a case of 50k messages: unchanged, and a new one lands in time order") {
  Case big;
  big.id = "x:acct:1";
  big.rev = 1;
  big.channel = "x";
  big.account = "acct";
  big.customer.id = "ann";
  big.status = CaseStatus::open;
  for (int i = 0; i < 50000; ++i) {
    Message m;
    m.id = std::to_string(i);
    m.at = format_rfc3339_utc(int64_t{1700000000000} + int64_t{i} * 2000);
    m.text = "m";
    big.messages.push_back(std::move(m));
  }
  Case stored = big;
  CHECK_FALSE(merge_into(stored, big, kNow, "test"));  // nothing new
  CHECK(stored.rev == 1);
  Case more = big;
  more.messages.back().id = "late-but-early";
  more.messages.back().at = format_rfc3339_utc(int64_t{1700000000000} + 1000);  // between messages 0 and 1
  CHECK(merge_into(stored, more, kNow, "test"));
  REQUIRE(stored.messages.size() == 50001);
  CHECK(stored.messages[1].id == "late-but-early");
  CHECK(stored.messages.back().id == "49999");
  CHECK(stored.rev == 2);
}

TEST_CASE("rev stays within JSON's safe integers: the reader refuses more, a change at the cap keeps it") {
  CaseParser p;
  auto huge = p.parse(socq::test::case_json("1", ""));
  REQUIRE(huge.ok());
  std::string text = socq::test::case_json("1");
  const auto at = text.find("\"rev\":1");
  REQUIRE(at != std::string::npos);
  auto too_big = p.parse(text.replace(at, 7, "\"rev\":9223372036854775807"));
  REQUIRE_FALSE(too_big.ok());
  CHECK(too_big.error().message == "rev: must be at most 9007199254740991");
  Case c = std::move(huge).value();
  c.rev = kMaxRev;
  Case incoming = c;
  incoming.messages[0].id = "new";
  CHECK(merge_into(c, incoming, kNow, "test"));
  CHECK(c.rev == kMaxRev);
  CHECK(p.parse(case_to_json(c)).ok());
}

TEST_CASE("a re-fetch gives a stored message its audience when it had none, and nothing else changes") {
  CaseParser p;
  auto parsed = p.parse(socq::test::case_json("1"));
  REQUIRE(parsed.ok());
  Case stored = std::move(parsed).value();
  REQUIRE(!stored.messages.empty());
  REQUIRE(!stored.messages[0].visibility);
  const int64_t rev = stored.rev;
  Case incoming = stored;
  incoming.messages[0].visibility = "private";
  incoming.messages[0].text = "edited on the platform";  // text is not taken: the stored message stands
  CHECK(merge_into(stored, incoming, kNow, "test"));
  CHECK(stored.messages[0].visibility == std::optional<std::string>("private"));
  CHECK(stored.messages[0].text != "edited on the platform");
  CHECK(stored.rev == next_rev(rev));
  CHECK_FALSE(merge_into(stored, incoming, kNow, "test"));  // nothing more to fill
  incoming.messages[0].visibility = "unlisted";
  CHECK_FALSE(merge_into(stored, incoming, kNow, "test"));  // a kept audience is not replaced
  CHECK(stored.messages[0].visibility == std::optional<std::string>("private"));
}
