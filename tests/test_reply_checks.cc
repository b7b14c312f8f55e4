#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "lib/config.h"
#include "lib/reply/checks.h"
#include "lib/toml_file.h"
#include "test_util.h"

using namespace socq;
using namespace socq::reply;

namespace {

ReplyPolicy policy_from(const std::string& toml_text) {
  test::TempDir dir;
  const std::string f = dir.file("config.toml");
  test::write_file(f, toml_text);
  MapConfig cfg;
  cfg.files.push_back(f);
  auto p = load_reply_policy(cfg);
  if (!p.ok()) FAIL(p.error().message);
  return std::move(p).value();
}

Error policy_error(const std::string& toml_text, std::string* file = nullptr) {
  static test::TempDir dir;
  const std::string f = dir.file("bad.toml");
  test::write_file(f, toml_text);
  if (file) *file = f;
  MapConfig cfg;
  cfg.files.push_back(f);
  auto p = load_reply_policy(cfg);
  REQUIRE_FALSE(p.ok());
  return p.error();
}

ReplyDraft draft(const std::string& text, bool is_public = true, bool first = false) {
  ReplyDraft d;
  d.text = text;
  d.channel = "mastodon";
  d.is_public = is_public;
  d.first_reply = first;
  d.limits.max_chars = 500;  // as an instance's limits stored by fetch
  d.limits.chars_per_url = 23;
  d.case_id = "mastodon:@brand@example.social:900";
  d.customer_id = "@sam@mastodon.social";
  d.customer_names = {"@sam@mastodon.social", "Sam Lee"};
  return d;
}

const CheckVerdict& verdict(const std::vector<CheckVerdict>& vs, const std::string& check) {
  for (const auto& v : vs)
    if (v.check == check) return v;
  FAIL("no verdict for " << check);
  return vs.front();
}

const std::string kStyle = R"([reply]
avoid = ["it appears", { phrase = "we apologise for any inconvenience", instead = "sorry about this" }, "d\u00e9sol\u00e9"]
)";

const std::string kBody =
    "we are sorry your train was cancelled. A full refund for the ticket is on its way and should reach your "
    "account within five working days.";

RecentReply recent(const std::string& case_id, const std::string& customer, const std::string& text) {
  return RecentReply{case_id, customer, "2026-11-20T10:00:00Z", text, {}};
}

}  // namespace

TEST_CASE("reply checks: every check gives a verdict, in order, with its override flag") {
  const ReplyPolicy p = policy_from("");
  const auto vs = run_checks(draft("Hi Sam, your refund is on its way."), p, std::vector<RecentReply>{}, {});
  REQUIRE(vs.size() == 4);
  CHECK(vs[0].check == "length");
  CHECK(vs[0].override_flag.empty());  // the platform would refuse a longer post anyway
  CHECK(vs[1].check == "style");
  CHECK(vs[1].override_flag == "--allow-style");
  CHECK(vs[2].check == "pii");
  CHECK(vs[2].override_flag == "--allow-pii");
  CHECK(vs[3].check == "repetition");
  CHECK(vs[3].override_flag == "--allow-repeat");
  for (const auto& v : vs) CHECK_MESSAGE(v.passed, v.message);
  CHECK(vs[3].message == "repetition: no reply to another customer in the last 14 days to compare with");
  CHECK(may_post(vs));
}

TEST_CASE("reply checks: length over the instance limit fails with how much to cut, and no flag overrides it") {
  const ReplyPolicy p = policy_from("");
  ReplyDraft d = draft(std::string(477, 'a') + " https://example.com/" + std::string(180, 'p'));
  auto vs = run_checks(d, p, std::vector<RecentReply>{}, {kAllowStyle, kAllowPii, kAllowRepeat});
  CHECK_FALSE(vs[0].passed);
  CHECK_FALSE(vs[0].warn_only);
  CHECK(vs[0].message == "length: 501 of 500 graphemes (URLs count 23 each); shorten by 1 (the platform refuses longer posts)");
  CHECK_FALSE(may_post(vs));
  d.text = std::string(476, 'a') + " https://example.com/" + std::string(180, 'p');
  CHECK(check_length(d).passed);
  d.limits.max_chars = 0;  // no limits stored yet: the platform's default (500)
  CHECK(check_length(d).passed);
}

TEST_CASE("reply checks: length on Bluesky fails on bytes even within 300 graphemes") {
  ReplyDraft d = draft("");
  d.channel = "bluesky";
  d.limits = Limits{};
  std::string family;
  for (int i = 0; i < 200; ++i) family += "\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7";
  d.text = family;
  const CheckVerdict v = check_length(d);
  CHECK_FALSE(v.passed);
  CHECK(v.message == "length: 3600 of 3000 bytes (UTF-8); shorten by 600 bytes (the platform refuses longer posts)");
}

TEST_CASE("reply checks: an empty reply fails length") {
  CHECK_FALSE(check_length(draft("  \n")).passed);
}

TEST_CASE("reply checks: style finds avoided phrases case-insensitively as words, with the suggestion") {
  const ReplyPolicy p = policy_from(kStyle);
  CheckVerdict v = check_style(draft("IT APPEARS your train was late."), p);
  CHECK_FALSE(v.passed);
  CHECK(v.message == "style: avoid \"it appears\"; rewrite it or pass --allow-style");
  v = check_style(draft("We apologise for any  inconvenience caused."), p);
  CHECK_FALSE(v.passed);
  CHECK(v.message.find("(instead: \"sorry about this\")") != std::string::npos);
  CHECK(check_style(draft("It appearsthat is not a word match"), p).passed);
  CHECK(check_style(draft("Your train was late."), p).passed);
}

TEST_CASE("reply checks: style matches Unicode phrases after NFC case folding") {
  const ReplyPolicy p = policy_from(kStyle);
  CHECK_FALSE(check_style(draft("D\xC3\x89SOL\xC3\x89 pour le retard"), p).passed);    // DÉSOLÉ
  CHECK_FALSE(check_style(draft("de\xCC\x81sole\xCC\x81 pour le retard"), p).passed);  // decomposed accents
  CHECK(check_style(draft("d\xC3\xA9sol\xC3\xA9" "e pour le retard"), p).passed);      // désolée: another word
}

TEST_CASE("reply checks: a reflex DM in a first reply is flagged; later replies may ask for a DM") {
  const ReplyPolicy p = policy_from("");
  CheckVerdict v = check_style(draft("Sorry to hear that, please DM us your booking details.", true, true), p);
  CHECK_FALSE(v.passed);
  CHECK(v.message == "style: avoid \"dm us\", \"please dm\" in a first reply (answer in public first); rewrite it or pass --allow-style");
  v = check_style(draft("Send us a DM today.", true, true), p);
  CHECK(v.message == "style: avoid \"send us a dm\" in a first reply (answer in public first); rewrite it or pass --allow-style");
  CHECK_FALSE(check_style(draft("Could you send us a private message?", true, true), p).passed);
  CHECK(check_style(draft("Sorry to hear that, please DM us your booking details.", true, false), p).passed);
  CHECK(check_style(draft("The DMU service runs again from 10:00.", true, true), p).passed);  // not "dm us"
  CHECK(check_style(draft("Please DM us your booking details.", false, true), p).passed);     // already private
  CHECK_FALSE(check_style(draft("Please DM your booking reference ð", true, true), p).passed);
  CHECK_FALSE(check_style(draft("Sorry! Can you send a Direct Message with the details?", true, true), p).passed);
}

TEST_CASE("reply checks: first_reply_avoid is configurable, [] turns it off") {
  const ReplyPolicy off = policy_from("[reply]\nfirst_reply_avoid = []\n");
  CHECK(check_style(draft("Please DM us.", true, true), off).passed);
  const ReplyPolicy own = policy_from("[reply]\nfirst_reply_avoid = [\"inbox us\"]\n");
  CHECK_FALSE(check_style(draft("Inbox us please", true, true), own).passed);
  CHECK(check_style(draft("Please DM us.", true, true), own).passed);
}

TEST_CASE("reply checks: --allow-style overrides style and the reply may post") {
  const ReplyPolicy p = policy_from(kStyle);
  const auto vs = run_checks(draft("It appears the lift is broken."), p, std::vector<RecentReply>{}, {kAllowStyle});
  const CheckVerdict& v = verdict(vs, "style");
  CHECK_FALSE(v.passed);
  CHECK(v.overridden);
  CHECK(v.warn_only);
  CHECK(v.message.find("overridden by --allow-style") != std::string::npos);
  CHECK(may_post(vs));
  CHECK_FALSE(may_post(run_checks(draft("It appears the lift is broken."), p, std::vector<RecentReply>{}, {})));
}

TEST_CASE("reply checks: PII in a public reply: e-mail, phone, card, account numbers") {
  const ReplyPolicy p = policy_from("[reply]\naccount_patterns = ['\\bACC-\\d{6}\\b']\n");
  CheckVerdict v = check_pii(draft("We wrote to sam.lee@example.com about it"), p);
  CHECK_FALSE(v.passed);
  CHECK(v.message == "pii: the public reply holds an e-mail address; remove it, reply with --private, or pass --allow-pii");
  CHECK_FALSE(check_pii(draft("We will call you on +44 20 7946 0958"), p).passed);
  CHECK_FALSE(check_pii(draft("Is your card 4111 1111 1111 1111?"), p).passed);
  CHECK_FALSE(check_pii(draft("Your account ACC-123456 is fixed"), p).passed);
  v = check_pii(draft("Mail sam@example.com or ring 020 7946 0958"), p);
  CHECK(v.message.find("an e-mail address and a phone number") != std::string::npos);
}

TEST_CASE("reply checks: PII: handles, URLs, times and private replies pass") {
  const ReplyPolicy p = policy_from("[reply]\naccount_patterns = ['\\bACC-\\d{6}\\b']\n");
  CHECK(check_pii(draft("@sam@mastodon.social the 07:12 runs again, see https://status.example.com/incidents/20261124"), p).passed);
  CHECK(check_pii(draft("Your refund of \xE2\x82\xAC" "45.20 is on its way \xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD"), p).passed);
  CHECK(check_pii(draft("Your account ACC-123456 is fixed", false), p).passed);  // --private
  CHECK(check_pii(draft("We wrote to sam.lee@example.com", false), p).passed);
  const auto vs = run_checks(draft("We wrote to sam.lee@example.com"), p, std::vector<RecentReply>{}, {kAllowPii});
  CHECK(verdict(vs, "pii").overridden);
  CHECK(may_post(vs));
}

TEST_CASE("reply checks: repetition refuses a reply sent to another customer with only the greeting changed") {
  const ReplyPolicy p = policy_from("");
  const std::vector<RecentReply> sent = {recent("mastodon:@brand@example.social:100", "@alex@example.org", "Hi Alex, " + kBody)};
  const auto vs = run_checks(draft("Hi Sam, " + kBody), p, sent, {});
  const CheckVerdict& v = verdict(vs, "repetition");
  CHECK_FALSE(v.passed);
  CHECK_FALSE(v.warn_only);
  CHECK(v.message ==
        "repetition: 100% the same as the reply to another customer in case mastodon:@brand@example.social:100 at "
        "2026-11-20T10:00:00Z (limit 80%); write it for this customer or pass --allow-repeat");
  CHECK_FALSE(may_post(vs));
  CHECK(may_post(run_checks(draft("Hi Sam, " + kBody), p, sent, {kAllowRepeat})));
}

TEST_CASE("reply checks: repetition passes different replies and replies to the same customer") {
  const ReplyPolicy p = policy_from("");
  const std::vector<RecentReply> sent = {
      recent("c1", "@alex@example.org", "Hi Alex, the 07:12 to Leeds runs late because of a signal fault near York."),
      recent("c2", "@sam@mastodon.social", "Hi Sam, " + kBody),  // the same customer: a follow-up, not a canned reply
      recent("mastodon:@brand@example.social:900", "@other", "Hi Sam, " + kBody)};  // the same case
  const CheckVerdict v = check_repetition(draft("Hi Sam, " + kBody), p, RecentIndex(sent));
  CHECK(v.passed);
  CHECK(v.message.find("repetition: no reply to another customer in the last 14 days is alike") == 0);
}

TEST_CASE("reply checks: the very text already sent on this case is refused (a command run twice), unless --allow-repeat") {
  const ReplyPolicy p = policy_from("");
  ReplyDraft d = draft("Hi Sam, " + kBody);
  d.sent_on_case = {{"Hi Sam, we are looking into it.", "2026-11-20T09:00:00Z"}, {"Hi Sam, " + kBody, "2026-11-20T10:00:00Z"}};
  const CheckVerdict v = check_repetition(d, p, RecentIndex(std::vector<RecentReply>{}));
  CHECK_FALSE(v.passed);
  CHECK(v.message == "repetition: this case already has our message with this very text (at 2026-11-20T10:00:00Z); pass "
                     "--allow-repeat to send it again");
  CHECK_FALSE(may_post(run_checks(d, p, std::vector<RecentReply>{}, {})));
  CHECK(may_post(run_checks(d, p, std::vector<RecentReply>{}, {kAllowRepeat})));
  d.sent_on_case.pop_back();  // a different earlier message: no objection
  CHECK(check_repetition(d, p, RecentIndex(std::vector<RecentReply>{})).passed);
}

TEST_CASE("reply checks: repetition = warn posts with a warning; off skips; threshold is configurable") {
  const std::vector<RecentReply> sent = {recent("c1", "@alex@example.org", "Thanks Alex! " + kBody)};
  const ReplyPolicy warn = policy_from("[reply]\nrepetition = \"warn\"\nrepetition_days = 3\n");
  CHECK(warn.repetition_days == 3);
  auto vs = run_checks(draft("Hi Sam, " + kBody), warn, sent, {});
  CHECK_FALSE(verdict(vs, "repetition").passed);
  CHECK(verdict(vs, "repetition").warn_only);
  CHECK(may_post(vs));
  const ReplyPolicy off = policy_from("[reply]\nrepetition = \"off\"\n");
  CHECK(verdict(run_checks(draft("Hi Sam, " + kBody), off, sent, {}), "repetition").passed);
  // Half changed: 0.8 lets it through, 0.3 does not.
  const std::string half = "Hi Sam, we are sorry your train was cancelled. Please show this post to the guard on the next train "
                           "and travel at no extra cost today.";
  const CheckVerdict passed = check_repetition(draft(half), policy_from(""), RecentIndex(sent));
  CHECK(passed.passed);
  CHECK(passed.message.find("(most alike ") != std::string::npos);  // the figure, to tune the threshold by
  CHECK(passed.message.find("(most alike 0%") == std::string::npos);
  CHECK_FALSE(check_repetition(draft(half), policy_from("[reply]\nrepetition_threshold = 0.1\n"), RecentIndex(sent)).passed);
}

TEST_CASE("reply checks: repetition against thousands of recent replies finds the one alike") {
  const ReplyPolicy p = policy_from("");
  std::vector<RecentReply> sent;
  for (int i = 0; i < 3000; ++i)
    sent.push_back(recent("c" + std::to_string(i), "@u" + std::to_string(i),
                          "Hi there, ticket " + std::to_string(i) + " word" + std::to_string(i) + " was looked at by team " +
                              std::to_string(i % 7) + " and closed as answered, thank you for your patience"));
  sent.push_back(recent("c-the-one", "@alex@example.org", "Hello Alex! " + kBody));
  const RecentIndex index(sent);  // shingles computed once for every draft
  const CheckVerdict v = check_repetition(draft("Hi Sam, " + kBody), p, index);
  CHECK_FALSE(v.passed);
  CHECK(v.message.find("case c-the-one") != std::string::npos);
  CHECK(check_repetition(draft("Hi Sam, the lift at platform 4 works again since this morning."), p, index).passed);
}

TEST_CASE("reply checks: [reply] loads from the config files; templates and approval are left to the reply command") {
  const ReplyPolicy p = policy_from(R"([reply]
avoid = ["it appears"]
account_patterns = ['\bREF\d{8}\b']
repetition = "refuse"
repetition_days = 30
repetition_threshold = 0.9
[reply.templates]
refund = "Hi {name}, ..."
[[reply.approval]]
category = "media"
)");
  CHECK(p.avoid.size() == 1);
  CHECK(p.repetition_days == 30);
  CHECK(p.repetition_threshold == doctest::Approx(0.9));
  CHECK(p.first_reply_avoid == kDefaultFirstReplyAvoid);
  CHECK_FALSE(check_pii(draft("ref REF12345678"), p).passed);
}

TEST_CASE("reply checks: a later config file replaces an earlier one's keys") {
  test::TempDir dir;
  test::write_file(dir.file("system.toml"), "[reply]\nrepetition = \"warn\"\nrepetition_days = 5\n");
  test::write_file(dir.file("user.toml"), "[reply]\nrepetition_days = 9\n");
  MapConfig cfg;
  cfg.files = {dir.file("system.toml"), dir.file("user.toml")};
  auto p = load_reply_policy(cfg);
  REQUIRE(p.ok());
  CHECK(p->repetition == RepetitionMode::warn);
  CHECK(p->repetition_days == 9);
  const Config& as_base = cfg;
  CHECK(load_reply_policy(as_base)->repetition_days == 9);
}

TEST_CASE("reply checks: bad [reply] values name file:line and exit 78") {
  struct Bad {
    const char* toml;
    const char* error;  // after "FILE:", the start of the message
  };
  const Bad bad[] = {
      {"[reply]\nrepetition = \"maybe\"\n", "2: reply.repetition must be \"refuse\", \"warn\" or \"off\" (got \"maybe\")"},
      {"[reply]\n\nrepetition_days = 0\n", "3: reply.repetition_days must be a whole number of days from 1 to 365"},
      {"[reply]\nrepetition_threshold = 1.5\n", "2: reply.repetition_threshold must be a number above 0 and at most 1"},
      {"[reply]\navoid = \"it appears\"\n", "2: reply.avoid must be a list of phrases"},
      {"[reply]\navoid = [\"ok\", { phrase = \"x\", suggest = \"y\" }]\n", "2: reply.avoid: an entry is { phrase = \"...\", instead"},
      {"[reply]\navoid = [\"  \"]\n", "2: reply.avoid: an empty phrase"},
      {"[reply]\naccount_patterns = [\"(\"]\n", "2: reply.account_patterns: bad regex \"(\""},
      {"[reply]\nfirst_reply_avoid = [3]\n", "2: reply.first_reply_avoid: each entry must be a non-empty string"},
      {"[reply]\navoid_phrases = []\n",
       "2: unknown key \"reply.avoid_phrases\" (avoid, first_reply_avoid, account_patterns, repetition, repetition_days, "
       "repetition_threshold)"},
      {"reply = 3\n", "1: \"reply\" must be a table ([reply])"},
  };
  for (const Bad& b : bad) {
    std::string f;
    const Error e = policy_error(b.toml, &f);
    CHECK(e.code == Exit::config);
    CHECK_MESSAGE(e.message.rfind(f + ":" + b.error, 0) == 0, e.message);
  }
}

TEST_CASE("reply checks: load_config accepts a [reply] table") {
  test::TempDir dir;
  const std::string f = dir.file("c.toml");
  test::write_file(f, "store = \"x.db\"\n[reply]\nrepetition = \"warn\"\n");
  auto cfg = load_config(f, [](const char*) -> std::optional<std::string> { return std::nullopt; });
  if (!cfg.ok()) FAIL(cfg.error().message);
  CHECK(load_reply_policy(*cfg)->repetition == RepetitionMode::warn);
}

TEST_CASE("reply checks: the man page text names every override flag and key") {
  const std::string doc = kReplyChecks;
  for (const char* s : {"--allow-style", "--allow-pii", "--allow-repeat", "repetition_threshold", "first_reply_avoid",
                        "account_patterns", "graphemes", "weighted", "3000 UTF-8 bytes", "(unverified"})
    CHECK_MESSAGE(doc.find(s) != std::string::npos, s);
}

TEST_CASE("reply checks: examples/reply.toml loads and catches what it says") {
  MapConfig cfg;
  cfg.files.push_back(std::string(SOCQ_SOURCE_DIR) + "/examples/reply.toml");
  auto p = load_reply_policy(cfg);
  if (!p.ok()) FAIL(p.error().message);
  CHECK(p->avoid.size() == 6);
  CHECK_FALSE(check_style(draft("Please be advised the 07:12 is cancelled."), *p).passed);
  CHECK_FALSE(check_pii(draft("Your booking AB123456C is refunded."), *p).passed);
  CHECK(check_pii(draft("Your booking is refunded."), *p).passed);
}

TEST_CASE("reply checks: emoji and URLs around avoided phrases and in repeated replies") {
  const ReplyPolicy p = policy_from(kStyle);
  CHECK_FALSE(check_style(draft("\xF0\x9F\x91\x8B" "it appears\xF0\x9F\x91\x8D the lift works"), p).passed);  // 👋it appears👍
  CHECK(check_style(draft("see https://example.com/it-appears-to-work"), p).passed);  // inside a word run, not the phrase
  const std::vector<RecentReply> sent = {
      recent("c1", "@alex@example.org", "@alex@example.org Hi Alex \xF0\x9F\x91\x8B, " + kBody + " https://t.example/r/111")};
  const CheckVerdict v =
      check_repetition(draft("@sam@mastodon.social Hi Sam \xF0\x9F\x91\x8B, " + kBody + " https://t.example/r/222"), policy_from(""), RecentIndex(sent));
  CHECK_FALSE(v.passed);
}

TEST_CASE("reply checks: PII in a link is public too") {
  const ReplyPolicy p = policy_from("[reply]\naccount_patterns = ['\\bACC-\\d{6}\\b']\n");
  CHECK_FALSE(check_pii(draft("track it at https://example.com/track/ACC-123456"), p).passed);
  CHECK_FALSE(check_pii(draft("https://example.com/?to=sam.lee@example.com"), p).passed);
}
