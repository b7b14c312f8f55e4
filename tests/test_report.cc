#include <doctest/doctest.h>

#include <algorithm>

#include "lib/report/definitions.h"
#include "lib/report/local_time.h"
#include "lib/report/metrics.h"
#include "lib/report/period.h"
#include "lib/report/quantiles.h"
#include "lib/report/render.h"
#include "lib/report/response_clocks.h"
#include "lib/report/terms.h"
#include "lib/timefmt.h"

using namespace socq;
using namespace socq::report;

namespace {

Message msg(Dir d, const std::string& at, bool is_auto = false, const std::string& text = "") {
  Message m;
  m.id = at;
  m.dir = d;
  m.at = at;
  m.text = text;
  m.is_auto = is_auto;
  return m;
}

int64_t t(const std::string& s) { return *parse_rfc3339_utc(s); }

Report make_report(ReportConfig cfg = {}) {
  if (!cfg.now_ms) cfg.now_ms = t("2026-11-23T09:00:00Z");
  return Report(cfg, LocalTime::in_zone("UTC").value(), nullptr);
}

}  // namespace

TEST_CASE("report quantiles: median as statistics.median, percentiles as numpy") {
  Samples s;
  for (int64_t v : {40, 10, 120}) s.add(v);
  Summary a = s.summarize();
  CHECK(a.n == 3);
  CHECK(a.p50_ms == 40);
  CHECK(a.p90_ms == doctest::Approx(104));  // rank 1.8: 40 + 0.8 * 80
  CHECK(a.p95_ms == doctest::Approx(112));
  CHECK(a.mean_ms == doctest::Approx(170.0 / 3));
  CHECK(a.max_ms == 120);
  s.add(20);  // even n: the mean of the two middle values
  CHECK(s.summarize().p50_ms == 30);
  CHECK(!percentile_sorted({}, 0.5));
  CHECK(*percentile_sorted({7}, 0.95) == 7);
}

TEST_CASE("report quantiles: the selected ranks give what a full sort gives, for any n and ties") {
  uint64_t seed = 7;
  const auto next = [&] { return seed = seed * 6364136223846793005ull + 1442695040888963407ull, seed >> 33; };
  for (size_t n : {1, 2, 3, 4, 5, 10, 11, 19, 20, 21, 100, 1001, 5000}) {
    for (uint64_t spread : {3ull, 1000000ull}) {
      Samples s;
      std::vector<int64_t> v;
      for (size_t i = 0; i < n; ++i) v.push_back(static_cast<int64_t>(next() % spread)), s.add(v.back());
      std::sort(v.begin(), v.end());
      const Summary a = s.summarize();
      CAPTURE(n);
      CHECK(a.n == n);
      CHECK(a.p50_ms == *percentile_sorted(v, 0.50));
      CHECK(a.p90_ms == *percentile_sorted(v, 0.90));
      CHECK(a.p95_ms == *percentile_sorted(v, 0.95));
      CHECK(a.max_ms == v.back());
      CHECK(s.summarize().p90_ms == a.p90_ms);  // again: the same
    }
  }
}

TEST_CASE("report clocks: FRT skips auto replies; NRT starts at the first message after a reply") {
  Case c;
  c.messages = {msg(Dir::in, "2026-11-16T10:05:00Z"), msg(Dir::in, "2026-11-16T09:00:00Z"),
                msg(Dir::out, "2026-11-16T09:01:00Z", true), msg(Dir::out, "2026-11-16T09:40:00Z"),
                msg(Dir::in, "2026-11-16T10:00:00Z"), msg(Dir::out, "2026-11-16T10:30:00Z"),
                msg(Dir::in, "2026-11-16T11:00:00Z")};
  std::vector<MessageTime> order;
  std::vector<ResponseClock> clocks;
  response_clocks(c, order, clocks);  // out of order on purpose: taken in time order
  REQUIRE(clocks.size() == 3);
  CHECK(clocks[0].first);
  CHECK(*clocks[0].stop_ms - clocks[0].start_ms == 40 * 60000);
  CHECK(!clocks[1].first);
  CHECK(clocks[1].start_ms == t("2026-11-16T10:00:00Z"));
  CHECK(*clocks[1].stop_ms - clocks[1].start_ms == 30 * 60000);
  CHECK(!clocks[2].stop_ms);  // unanswered
  // An outbound message before any inbound one stops nothing.
  Case d;
  d.messages = {msg(Dir::out, "2026-11-16T08:00:00Z"), msg(Dir::in, "2026-11-16T09:00:00Z")};
  response_clocks(d, order, clocks);
  REQUIRE(clocks.size() == 1);
  CHECK(!clocks[0].stop_ms);
}

TEST_CASE("report where: one field's values are alternatives, fields all apply") {
  Case c;
  c.channel = "x";
  c.status = CaseStatus::open;
  c.tags = {"refund"};
  const auto w = [](const std::string& s) { return parse_where(s).value(); };
  CHECK(matches_where({w("channel=x"), w("channel=mastodon")}, c));
  CHECK(!matches_where({w("channel=x"), w("status=new")}, c));
  CHECK(matches_where({w("tag=refund"), w("owner=-")}, c));
  CHECK(!matches_where({w("owner=ola")}, c));
  CHECK(parse_where("size=3").error().code == Exit::usage);
  CHECK(parse_where("status=sleeping").error().code == Exit::usage);
  CHECK(!parse_where("=x"));
}

TEST_CASE("report terms: folded, stopwords, mentions and URLs out, once per message") {
  std::vector<std::string> terms;
  terms_of("@Brand The POWER outage, outage again! https://x.co/a 2026 Straße Don't", terms);
  CHECK(terms == std::vector<std::string>{"power", "outage", "strasse"});
  TermCounter c;
  c.add("power outage", true);
  c.add("power cut", true);
  c.add("power cut", false);
  const auto r = c.rising(10);
  REQUIRE(r.size() == 1);  // only "power" was seen twice this period
  CHECK(r[0].term == "power");
  CHECK(r[0].score == doctest::Approx(1.5));
}

TEST_CASE("report terms: the counter grows and merges exactly; a split word's memo gives the same terms") {
  // 5000 distinct terms (the table starts at 1024 slots), each seen a known
  // number of times in two counters, merged.
  TermCounter a, b;
  for (int i = 0; i < 5000; ++i) {
    const std::string term = "term" + std::to_string(i);
    for (int k = 0; k < 2 + i % 3; ++k) a.add(term, true);
    b.add(term + " Term" + std::to_string(i), i % 2 == 0);  // the same term twice in a text counts once
  }
  a.merge(b);
  const auto r = a.rising(100000);
  REQUIRE(r.size() == 5000);
  for (const auto& t : r) {
    const int i = std::stoi(t.term.substr(4));
    CHECK(t.now == 2 + i % 3 + (i % 2 == 0));
    CHECK(t.before == (i % 2 == 0 ? 0 : 1));
  }
  TermSplitter s;
  for (int round = 0; round < 2; ++round) {  // the second time from the memo
    std::vector<std::string> got;
    for (const auto& t : s.split("ÉCOLE école Straße STRASSE 😠 @Ünï ﬁnal")) got.emplace_back(s.text(t));
    CHECK(got == std::vector<std::string>{"école", "strasse", "final"});
  }
}

TEST_CASE("report local time: weekday, hour, ISO week and local midnight in a zone") {
  auto utc = LocalTime::in_zone("UTC").value();
  const auto p = utc.parts(t("2026-11-23T09:30:00Z"));
  CHECK(p.weekday == 0);  // Monday
  CHECK(p.hour == 9);
  CHECK(utc.week_key(t("2027-01-01T12:00:00Z")) == "2026-W53");
  CHECK(utc.week_key(t("2026-11-22T23:59:59Z")) == "2026-W47");
  auto ny = LocalTime::in_zone("America/New_York").value();
  CHECK(ny.parts(t("2026-11-23T03:00:00Z")).weekday == 6);  // still Sunday in New York
  CHECK(ny.day_key(t("2026-11-23T03:00:00Z")) == "2026-11-22");
  CHECK(*ny.local_midnight("2026-07-01") == t("2026-07-01T04:00:00Z"));  // EDT
  CHECK(!LocalTime::in_zone("Mars/Olympus"));
  CHECK(parse_time_bound("--since", "7d", t("2026-11-23T09:00:00Z"), utc).value() == t("2026-11-16T09:00:00Z"));
  CHECK(parse_time_bound("--since", "2026-11-20T08:00:00Z", 0, utc).value() == t("2026-11-20T08:00:00Z"));
  CHECK(parse_time_bound("--since", "soon", 0, utc).error().code == Exit::usage);
}

TEST_CASE("report: groups, SLA from case fields, backlog and stalled handoffs") {
  ReportConfig cfg;
  cfg.by = GroupBy::channel;
  Report r = make_report(cfg);
  Case a;
  a.id = "x:b:1", a.channel = "x", a.priority = "p2", a.status = CaseStatus::open;
  a.messages = {msg(Dir::in, "2026-11-20T08:00:00Z")};
  a.sla.first_response_due = "2026-11-20T08:30:00Z";
  a.handoff = Handoff{"ops", "2026-11-20T08:10:00Z", "triage", {}, {}, {}, "2026-11-21T08:00:00Z", {}, {}};
  Case b;
  b.id = "mastodon:b:2", b.channel = "mastodon", b.status = CaseStatus::resolved;
  b.messages = {msg(Dir::in, "2026-11-22T08:00:00Z"), msg(Dir::out, "2026-11-22T08:05:00Z")};
  b.resolution = Resolution{"answered", "2026-11-22T09:00:00Z", "ola", {}};
  CHECK(r.add(a));
  CHECK(r.add(b));
  GroupStats& g = r.total();
  CHECK(g.cases == 2);
  CHECK(g.answered == 1);
  CHECK(g.first.unanswered == 1);
  CHECK((g.sla[{"p2", "first_response"}].breached) == 1);  // still unanswered past its due time
  CHECK(g.backlog_by_status["open"] == 1);
  CHECK(g.handoffs_stalled == 1);
  CHECK(g.resolution.summarize().p50_ms == 3600000);
  CHECK(r.groups().size() == 2);
  CHECK(r.groups()["x"].cases == 1);
  const auto doc = report_json(r, {"2026-11-23T09:00:00Z", {}});
  CHECK(doc["version"] == 1);
  CHECK(doc["groups"][0]["key"] == "mastodon");
  CHECK(render_csv(doc).find("mastodon,resolution.calendar.p50_min,60.0\r\n") != std::string::npos);
}

TEST_CASE("report renderers escape control characters in customer-given names") {
  Report r = make_report();
  Case c;
  c.id = "x:b:1", c.channel = "x";
  c.category = "bad\x1b[2Jname";
  c.messages = {msg(Dir::in, "2026-11-20T08:00:00Z")};
  r.add(c);
  const auto doc = report_json(r, {"2026-11-23T09:00:00Z", {}});
  CHECK(render_table(doc, false).find('\x1b') == std::string::npos);
  CHECK(render_markdown(doc).find('\x1b') == std::string::npos);
}

TEST_CASE("report definitions: each metric once, found by name") {
  CHECK(find_metric("first_response"));
  CHECK(!find_metric("speed"));
  CHECK(definitions_text().find("numpy") != std::string::npos);
}
