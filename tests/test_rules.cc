// Rules: every condition, every action, every rules-file error, the PII
// action, idempotence and --explain.
#include <doctest/doctest.h>

#include <sstream>

#include "lib/case_json.h"
#include "lib/timefmt.h"
#include "lib/triage/triage.h"
#include "tests/test_util.h"

using namespace socq;

namespace {

const std::string kNow = "2026-11-23T09:00:00Z";  // a Monday

const std::string kTeams = R"(
[teams.service]
zone = "Europe/London"
hours = { daily = "07:00-20:00" }
[teams.billing]
zone = "Australia/Sydney"
hours = { mon-fri = "09:00-17:00" }
[[away]]
name = "bob"
from = "2026-11-20T00:00:00Z"
until = "2026-12-01T00:00:00Z"
)";

// The setup from rules text, as `socq triage --rules rules.toml` builds it.
Result<TriageSetup> setup_from(const std::string& rules, bool with_teams = true) {
  toml::table root;
  try {
    const std::string doc = rules + "\n" + (with_teams ? kTeams : std::string());
    root = toml::parse(std::string_view(doc), std::string_view("rules.toml"));
  } catch (const toml::parse_error& e) {
    return Error{Exit::config, std::string(e.description())};
  }
  TriageSetup s;
  if (auto st = load_triage_env(s.env, root, "rules.toml"); !st) return st.error();
  auto set = parse_rules(root, "rules.toml", s.env);
  if (!set) return set.error();
  s.rules = std::move(*set);
  return s;
}

TriageSetup must_setup(const std::string& rules) {
  auto s = setup_from(rules);
  if (!s) FAIL(s.error().message);
  return std::move(*s);
}

// The error a rules text is refused with.
std::string refusal(const std::string& rules) {
  auto s = setup_from(rules);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code == Exit::config);
  return s.error().message;
}

Case make_case(const std::string& text, const std::string& at = "2026-11-23T08:30:00Z") {
  Case c;
  c.id = "mastodon:northrail@transit.social:1";
  c.rev = 1;
  c.channel = "mastodon";
  c.account = "northrail@transit.social";
  c.customer.id = "42";
  c.customer.handle = "@Ann@example.org";
  c.customer.followers = 212;
  Message m;
  m.id = "1";
  m.at = at;
  m.author = "@ann@example.org";
  m.text = text;
  m.lang = "en";
  c.messages.push_back(m);
  c.status = CaseStatus::open;
  c.updated_at = at;
  return c;
}

// Triages c with one rule whose `when` is given; true if it set the tag.
bool matches(const std::string& when, Case c) {
  auto s = must_setup("[[rules]]\nname = \"r\"\nwhen = {" + when + "}\nthen = { tags = [\"hit\"] }\n");
  Triager t(s, kNow);
  t.triage(c);
  return std::find(c.tags.begin(), c.tags.end(), "hit") != c.tags.end();
}

std::vector<std::string> whats(const Case& c) {
  std::vector<std::string> out;
  for (const auto& e : c.events) out.push_back(e.what);
  return out;
}

}  // namespace

TEST_CASE("rules: text conditions, keywords and regex on folded text") {
  const Case c = make_case("Train 7:32 CANCELLED again at Harrogate");
  CHECK(matches(R"(keywords = ["cancelled"])", c));
  CHECK(matches(R"(keywords = ["delayed", "Cancelled"])", c));
  CHECK_FALSE(matches(R"(keywords = ["cancel"])", c));
  CHECK(matches(R"(regex = 'train \d+:\d+')", c));
  CHECK_FALSE(matches(R"(regex = 'TRAIN')", c));  // the text is folded; patterns are written in lower case
  CHECK(matches(R"(keywords = "harrogate", regex = 'again')", c));
  CHECK_FALSE(matches(R"(keywords = "harrogate", regex = 'york')", c));  // all conditions must hold
  CHECK(matches(R"(keywords = ["straße"])", make_case("Gleis an der STRASSE gesperrt")));
  Case outbound = make_case("hello");
  outbound.messages.push_back(Message{"2", Dir::out, "2026-11-23T08:40:00Z", "northrail", "cancelled, sorry", true, {}, {}, false, false, {}, {}, {}});
  CHECK_FALSE(matches(R"(keywords = ["cancelled"])", outbound));  // our own replies are not the customer's text
}

TEST_CASE("rules: channel, account, customer, followers, language, status") {
  const Case c = make_case("hi");
  CHECK(matches(R"(channel = "mastodon")", c));
  CHECK_FALSE(matches(R"(channel = ["x", "bluesky"])", c));
  CHECK(matches(R"(account = ["northrail@transit.social"])", c));
  CHECK_FALSE(matches(R"(account = "BrightEnergyHelp")", c));
  CHECK(matches(R"(customer = "ann@example.org")", c));  // with or without @, any case
  CHECK(matches(R"(customer = "@ANN@example.org")", c));
  CHECK_FALSE(matches(R"(customer = "@bob")", c));
  CHECK(matches("followers_min = 200", c));
  CHECK_FALSE(matches("followers_min = 213", c));
  CHECK(matches("followers_max = 212", c));
  CHECK_FALSE(matches("followers_max = 100", c));
  CHECK(matches(R"(lang = ["en", "cy"])", c));
  CHECK_FALSE(matches(R"(lang = "pt")", c));
  CHECK(matches(R"(status = ["new", "open"])", c));
  CHECK_FALSE(matches(R"(status = "resolved")", c));
}

TEST_CASE("rules: age since the first or last inbound message") {
  Case c = make_case("first", "2026-11-23T06:00:00Z");  // 3 h before now
  c.messages.push_back(Message{"2", Dir::in, "2026-11-23T08:50:00Z", "@ann", "again", true, {}, {}, false, false, {}, {}, {}});
  CHECK(matches(R"(older_than = "2h")", c));
  CHECK_FALSE(matches(R"(older_than = "4h")", c));
  CHECK(matches(R"(newer_than = "4h")", c));
  CHECK_FALSE(matches(R"(older_than = "2h", age_from = "last_inbound")", c));  // 10 min
  CHECK(matches(R"(newer_than = "15m", age_from = "last_inbound")", c));
}

TEST_CASE("rules: inside or outside the team's business hours") {
  Case c = make_case("hi", "2026-11-23T08:30:00Z");  // Monday 08:30 London, 19:30 Sydney
  c.team = "service";
  CHECK(matches("business_hours = true", c));
  c.team = "billing";
  CHECK(matches("business_hours = false", c));
  CHECK_FALSE(matches("business_hours = true", c));
  Case sunday = make_case("hi", "2026-11-22T03:00:00Z");  // Sunday 03:00 London: closed
  sunday.team = "service";
  CHECK(matches("business_hours = false", sunday));
  sunday.team.reset();
  CHECK_FALSE(matches("business_hours = false", sunday));  // no team, no hours: neither inside nor outside
}

TEST_CASE("rules: tags and fields, with \"\" for unset") {
  Case c = make_case("hi");
  c.tags = {"vip", "line:north"};
  c.priority = "p2";
  c.category = "refunds";
  c.pii = {"email"};
  CHECK(matches(R"(tags = ["vip", "line:north"])", c));
  CHECK_FALSE(matches(R"(tags = ["vip", "spam"])", c));
  CHECK(matches(R"(not_tags = ["spam"])", c));
  CHECK_FALSE(matches(R"(not_tags = ["vip"])", c));
  CHECK(matches(R"(priority = ["p1", "p2"])", c));
  CHECK_FALSE(matches(R"(priority = "p1")", c));
  CHECK(matches(R"(category = "refunds")", c));
  CHECK(matches(R"(team = "")", c));
  CHECK_FALSE(matches(R"(owner = "alice")", c));
  CHECK(matches(R"(owner = "")", c));
  CHECK(matches(R"(pii = ["email", "card"])", c));
  CHECK_FALSE(matches(R"(pii = "")", c));
}

TEST_CASE("rules: actions set fields and tags, each change an event naming the rule") {
  auto s = must_setup(R"(
[[rules]]
name = "disruption"
when = { keywords = ["cancelled"] }
then = { priority = "p1", category = "disruption", team = "service", owner = "alice", tags = ["line:north"] }
)");
  Case c = make_case("Train cancelled");
  Triager t(s, kNow);
  CHECK(t.triage(c));
  CHECK(c.priority == "p1");
  CHECK(c.category == "disruption");
  CHECK(c.team == "service");
  CHECK(c.owner == "alice");
  CHECK(c.tags == std::vector<std::string>{"line:north"});
  const auto w = whats(c);
  CHECK(std::find(w.begin(), w.end(), "rule disruption set priority p1") != w.end());
  CHECK(std::find(w.begin(), w.end(), "rule disruption set category disruption") != w.end());
  CHECK(std::find(w.begin(), w.end(), "rule disruption set team service") != w.end());
  CHECK(std::find(w.begin(), w.end(), "rule disruption set owner alice") != w.end());
  CHECK(std::find(w.begin(), w.end(), "rule disruption added tag line:north") != w.end());
  CHECK(c.events.front().by == "triage");
  CHECK(c.events.front().at == kNow);
  CHECK(c.source.empty());
}

TEST_CASE("rules: stop, last rule wins, people's routing kept, no owner who is away") {
  auto s = must_setup(R"(
[[rules]]
name = "first"
when = { keywords = ["refund"] }
then = { priority = "p3", category = "refunds" }
[[rules]]
name = "second"
when = { keywords = ["refund"] }
then = { priority = "p2", owner = "bob" }
stop = true
[[rules]]
name = "never"
then = { tags = ["late"] }
)");
  Case c = make_case("refund please");
  Triager t(s, kNow);
  t.triage(c);
  CHECK(c.priority == "p2");  // the last matching rule wins
  CHECK(c.category == "refunds");
  CHECK_FALSE(c.owner);       // bob is away: no new cases for him
  CHECK(c.tags.empty());      // stopped before "never"
  const auto w = whats(c);
  CHECK(std::find(w.begin(), w.end(), "rule second set priority p2") != w.end());
  CHECK(std::find(w.begin(), w.end(), "rule first set priority p3") == w.end());  // told once, by the value that stands

  auto route = must_setup("[[rules]]\nname = \"route\"\nthen = { team = \"service\", owner = \"alice\" }\n");
  Case owned = make_case("x");
  owned.team = "billing";
  owned.owner = "carol";
  Triager t2(route, kNow);
  CHECK_FALSE(t2.triage(owned));  // a person routed it: triage does not re-route
  CHECK(owned.team == "billing");
  CHECK(owned.owner == "carol");
}

TEST_CASE("rules: triaging again changes nothing, byte for byte") {
  auto s = must_setup(R"(
[[rules]]
name = "hours"
when = { business_hours = false }
then = { tags = ["out-of-hours"] }
[[rules]]
name = "route"
when = { team = "" }
then = { team = "billing" }
[[rules]]
name = "pii-high"
when = { pii = "email" }
then = { category = "privacy" }
)");
  CaseParser parser;
  Case c = make_case("write to me at ann@example.com");
  Triager t(s, kNow);
  REQUIRE(t.triage(c));
  // The later rule routed it to a team that is closed now, and the PII
  // made "pii-high" hold: one run reaches what a second would.
  CHECK(c.team == "billing");
  CHECK(std::find(c.tags.begin(), c.tags.end(), "out-of-hours") != c.tags.end());
  CHECK(c.category == "privacy");
  const std::string once = case_to_json(c);
  auto again = parser.parse(once);
  REQUIRE(again.ok());
  CHECK_FALSE(t.triage(*again));
  CHECK(case_to_json(*again) == once);
  CHECK_FALSE(again->source.empty());  // untouched: written back as read
}

TEST_CASE("rules: PII kinds on inbound public messages and the PII action") {
  auto s = must_setup(R"(
[pii]
account_patterns = ['\bAC-\d{6}\b']
then = { priority = "p2", team = "billing", tags = ["suggest:private"] }
)");
  Triager t(s, kNow);
  Case c = make_case("mail ann@example.com or call +44 20 7946 0958, account AC-123456");
  c.priority = "p3";
  t.triage(c);
  CHECK(c.pii == std::vector<std::string>{"email", "phone", "account"});
  CHECK(c.priority == "p2");
  CHECK(c.team == "billing");
  CHECK(c.tags == std::vector<std::string>{"suggest:private"});
  const auto w = whats(c);
  CHECK(std::find(w.begin(), w.end(), "pii found email, phone, account in a public message") != w.end());
  CHECK(std::find(w.begin(), w.end(), "pii set priority p2") != w.end());
  for (const auto& e : c.events) CHECK(e.what.find("ann@example.com") == std::string::npos);  // never the values

  Case urgent = make_case("card 4111 1111 1111 1111");
  urgent.priority = "p1";
  t.triage(urgent);
  CHECK(urgent.pii == std::vector<std::string>{"card"});
  CHECK(urgent.priority == "p1");  // the PII action only raises

  Case dm = make_case("mail ann@example.com");
  dm.messages[0].is_public = false;
  CHECK_FALSE(t.triage(dm));  // a private message is where PII belongs
  CHECK(dm.pii.empty());

  auto off = must_setup("[pii]\nenabled = false\n");
  Triager t_off(off, kNow);
  Case c2 = make_case("mail ann@example.com");
  CHECK_FALSE(t_off.triage(c2));
}

TEST_CASE("rules: the default PII action suggests a private channel") {
  auto s = must_setup("");
  Triager t(s, kNow);
  Case c = make_case("\xD0\xBF\xD0\xB8\xD1\x88\xD0\xB8\xD1\x82\xD0\xB5: \xD0\xB8\xD0\xB2\xD0\xB0\xD0\xBD@example.ru");  // пишите: иван@example.ru
  t.triage(c);
  CHECK(c.pii == std::vector<std::string>{"email"});
  CHECK(c.tags == std::vector<std::string>{"suggest:private"});
}

TEST_CASE("rules: --explain tells every rule, whether it matched and why") {
  auto s = must_setup(R"(
[[rules]]
name = "spam"
when = { channel = "x" }
then = { tags = ["spam"] }
[[rules]]
name = "disruption"
when = { keywords = ["delayed", "cancelled"] }
then = { priority = "p1" }
stop = true
[[rules]]
name = "after"
then = { tags = ["x"] }
)");
  Triager t(s, kNow);
  Case c = make_case("Train CANCELLED \x1b[31m");
  c.id = "mastodon:northrail:1\x1b]0;pwned\x07";
  const std::string text = t.explain(c);
  CHECK(text.find("rule 1 \"spam\" (rules.toml:2): no: channel is mastodon, not x\n") != std::string::npos);
  CHECK(text.find("rule 2 \"disruption\" (rules.toml:6): matched: keyword \"cancelled\"; then priority p1; stop\n") != std::string::npos);
  CHECK(text.find("rule 3 \"after\" (rules.toml:11): not reached (rule \"disruption\" stopped)\n") != std::string::npos);
  CHECK(text.find("change: rule disruption set priority p1\n") != std::string::npos);
  CHECK(text.find('\x1b') == std::string::npos);  // customer text cannot drive the terminal
  CHECK(text.find("\\x1b]0;pwned\\x07") != std::string::npos);
  CHECK_FALSE(c.priority);  // explain changes nothing
}

TEST_CASE("rules file errors: file:line and what is wrong, exit 78") {
  CHECK(refusal("[[rules]]\nname = \"a\"\nwhen = { keyword = [\"x\"] }\nthen = { priority = \"p1\" }\n") ==
        "rules.toml:3: rule \"a\": unknown key \"keyword\" in when (known: keywords, regex, channel, account, customer, "
        "followers_min, followers_max, lang, status, older_than, newer_than, age_from, business_hours, tags, not_tags, "
        "category, priority, team, owner, pii)");
  CHECK(refusal("[[rules]]\nname = \"a\"\nthen = { colour = \"red\" }\n") ==
        "rules.toml:3: rule \"a\": unknown key \"colour\" in then (known: category, priority, team, owner, tags)");
  CHECK(refusal("[[rules]]\nname = \"a\"\nthen = { tags = [\"x\"] }\nstopp = true\n") ==
        "rules.toml:4: rule \"a\": unknown key \"stopp\" in the rule (known: name, when, then, stop)");
  CHECK(refusal("[[rule]]\nname = \"a\"\n") ==
        "rules.toml:1: unknown key \"rule\" (known: rules, pii, include, teams, sla, away)");
  CHECK(refusal("[[rules]]\nname = \"a\"\nwhen = { regex = 'train (\\d+' }\nthen = { tags = [\"x\"] }\n") ==
        "rules.toml:3: rule \"a\": when.regex: bad regex \"train (\\d+\": missing ): train (\\d+");
  CHECK(refusal("[[rules]]\nname = \"a\"\nthen = { team = \"nobody\" }\n") ==
        "rules.toml:3: rule \"a\": then.team: unknown team \"nobody\" (teams: billing, service)");
  CHECK(refusal("[[rules]]\nname = \"a\"\nwhen = { team = \"nobody\" }\nthen = { tags = [\"x\"] }\n") ==
        "rules.toml:3: rule \"a\": when.team: unknown team \"nobody\" (teams: billing, service)");
  CHECK(refusal("[[rules]]\nname = \"a\"\nthen = { priority = \"urgent\" }\n") ==
        "rules.toml:3: rule \"a\": then.priority: \"urgent\" is not a priority (p1, p2, p3, p4)");
  CHECK(refusal("[[rules]]\nname = \"a\"\nwhen = { followers_min = \"many\" }\nthen = { tags = [\"x\"] }\n") ==
        "rules.toml:3: rule \"a\": when.followers_min: must be an integer");
  CHECK(refusal("[[rules]]\nname = \"a\"\nwhen = { keywords = 3 }\nthen = { tags = [\"x\"] }\n") ==
        "rules.toml:3: rule \"a\": when.keywords: must be a string or a list of strings");
  CHECK(refusal("[[rules]]\nname = \"a\"\nwhen = { business_hours = \"yes\" }\nthen = { tags = [\"x\"] }\n") ==
        "rules.toml:3: rule \"a\": when.business_hours: must be true or false");
  CHECK(refusal("[[rules]]\nname = \"a\"\nwhen = { older_than = \"2 hours\" }\nthen = { tags = [\"x\"] }\n") ==
        "rules.toml:3: rule \"a\": when.older_than: \"2 hours\" is not a duration (like 90s, 30m, 2h, 1h30m, 1d)");
  CHECK(refusal("[[rules]]\nname = \"a\"\nwhen = { status = \"opened\" }\nthen = { tags = [\"x\"] }\n") ==
        "rules.toml:3: rule \"a\": when.status: \"opened\" is not a status (new, open, pending_customer, handed_off, resolved, closed)");
  CHECK(refusal("[[rules]]\nname = \"a\"\nwhen = { pii = \"iban\" }\nthen = { tags = [\"x\"] }\n") ==
        "rules.toml:3: rule \"a\": when.pii: \"iban\" is not a PII kind (email, phone, card, account)");
  CHECK(refusal("[[rules]]\nthen = { tags = [\"x\"] }\n") == "rules.toml:1: rules[1]: needs a name");
  CHECK(refusal("[[rules]]\nname = \"a\"\nwhen = { channel = \"x\" }\n") == "rules.toml:1: rule \"a\": does nothing (no then, no stop)");
  CHECK(refusal("[[rules]]\nname = \"a\"\nstop = true\n[[rules]]\nname = \"a\"\nstop = true\n") ==
        "rules.toml:4: rule \"a\": name already used at rules.toml:1");
  CHECK(refusal("[pii]\naccount_patterns = ['(']\n") == "rules.toml:2: pii.account_patterns: bad regex \"(\": missing ): (");
  CHECK(refusal("[pii]\nthen = { owner = \"alice\" }\n") == "rules.toml:2: pii.then.owner: PII routes to a team, not to a person");
  CHECK(refusal("[pii]\nkinds = [\"email\", \"ssn\"]\n") == "rules.toml:2: pii.kinds: \"ssn\" is not a PII kind (email, phone, card, account)");
  CHECK(refusal("rules = 3\n") == "rules.toml:1: rules: must be an array of tables ([[rules]])");
}

TEST_CASE("rules file: a rules file with no teams knows no teams") {
  auto s = setup_from("[[rules]]\nname = \"a\"\nthen = { team = \"service\" }\n", false);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().message == "rules.toml:3: rule \"a\": then.team: unknown team \"service\" (no teams are defined)");
}

TEST_CASE("rules: fifty rules with many keywords share one scan") {
  std::string text;
  for (int i = 0; i < 50; ++i) {
    text += "[[rules]]\nname = \"r" + std::to_string(i) + "\"\nwhen = { keywords = [";
    for (int k = 0; k < 20; ++k) text += "\"w" + std::to_string(i) + "x" + std::to_string(k) + "\", ";
    text += "] }\nthen = { tags = [\"t" + std::to_string(i) + "\"] }\n";
  }
  auto s = must_setup(text);
  CHECK(s.rules.patterns.size() == 1000);
  Triager t(s, kNow);
  Case c = make_case("w7x3 and W49X19 but not w7x30");
  t.triage(c);
  CHECK(c.tags == std::vector<std::string>{"t7", "t49"});
}
