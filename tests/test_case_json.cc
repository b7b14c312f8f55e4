#include <doctest/doctest.h>

#include "lib/case_json.h"
#include "tests/test_util.h"

using namespace socq;
using socq::test::case_json;

namespace {
Case parse_ok(const std::string& json) {
  CaseParser p;
  auto r = p.parse(json);
  INFO(json);
  if (!r) FAIL(r.error().message);
  return std::move(r).value();
}

std::string parse_error(const std::string& json) {
  CaseParser p;
  auto r = p.parse(json);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == Exit::data);
  return r.error().message;
}

std::string canonical(const Case& c) {
  std::string s;
  write_case_canonical(s, c);
  return s;
}
}  // namespace

TEST_CASE("a case reads into typed fields") {
  Case c = parse_ok(case_json("100", R"(,"priority":"p2","tags":["a","b"],"owner":null)"));
  CHECK(c.id == "mastodon:transit@example.social:100");
  CHECK(c.rev == 1);
  CHECK(c.channel == "mastodon");
  CHECK(c.customer.id == "10987");
  CHECK(c.customer.handle == "@ann");
  CHECK_FALSE(c.customer.name);
  REQUIRE(c.messages.size() == 1);
  CHECK(c.messages[0].dir == Dir::in);
  CHECK(c.messages[0].text == "Train cancelled");
  CHECK_FALSE(c.messages[0].reply_to);
  CHECK(c.status == CaseStatus::open);
  CHECK(c.priority == "p2");
  CHECK(c.tags == std::vector<std::string>{"a", "b"});
  CHECK_FALSE(c.owner);
}

TEST_CASE("an unchanged case writes back byte for byte, whatever its spacing and order") {
  const std::string odd = R"({ "status" : "open", "v":1,"id":"x:brand:1","channel":"x","account":"brand",
    "customer":{"id":"9","zzz":  [1, 2.50 , {"k":"\u00e9"}]},"messages":[],"updated_at":"2026-11-20T07:45:00Z" })";
  Case c = parse_ok(odd);
  CHECK(case_to_json(c) == odd);
}

TEST_CASE("canonical form is a fixed point") {
  Case c = parse_ok(case_json("100", R"(,"x_tool":{"a" : [1,  2]})"));
  c.touched();
  const std::string once = canonical(c);
  Case again = parse_ok(once);
  CHECK(canonical(again) == once);
  CHECK(case_to_json(again) == once);
}

TEST_CASE("unknown members at every level keep their original text through a change") {
  const std::string msg =
      R"([{"id":"1","dir":"in","at":"2026-11-20T07:41:09Z","author":"a","text":"t","x_m":{"score" : 0.50}}])";
  Case c = parse_ok(case_json("7", R"(,"x_top":[true, null],"sla":{"x_s":"keep"},"events":[{"at":"2026-11-20T07:45:00Z","by":"t","what":"w","x_e":[ ]}])", msg));
  c.touched();
  c.status = CaseStatus::pending_customer;
  const std::string out = canonical(c);
  CHECK(out.find(R"("x_m":{"score" : 0.50})") != std::string::npos);
  CHECK(out.find(R"("x_top":[true, null])") != std::string::npos);
  CHECK(out.find(R"("x_s":"keep")") != std::string::npos);
  CHECK(out.find(R"("x_e":[ ])") != std::string::npos);
}

TEST_CASE("unknown members keep numbers beyond 64 bits or a double as their text; bad numbers are still refused") {
  const std::string big = R"(,"x_big":123456789012345678901234567890,"x_huge":1e400,"x_in":{"n":[-1E+999, "1e400 \" 9"]})";
  Case c = parse_ok(case_json("7", big));
  c.touched();
  const std::string out = canonical(c);
  CHECK(out.find(R"("x_big":123456789012345678901234567890)") != std::string::npos);
  CHECK(out.find(R"("x_huge":1e400)") != std::string::npos);
  CHECK(out.find(R"("x_in":{"n":[-1E+999, "1e400 \" 9"]})") != std::string::npos);
  CHECK(parse_error(case_json("7", R"(,"x_bad":[1e400, 01])")).find("x_bad") == 0);
  CHECK(parse_error(case_json("7", R"(,"x_bad":[1e400, 1e])")).find("x_bad") == 0);
  CHECK(parse_error(case_json("7", R"(,"x_bad":[1e400,])")).find("x_bad") == 0);
}

TEST_CASE("strings escape on write and read back equal") {
  Case c = parse_ok(case_json());
  c.messages[0].text = "quote \" backslash \\ newline \n tab \t bell \x07 emoji \xF0\x9F\x98\xA0";
  c.touched();
  const std::string out = canonical(c);
  CHECK(out.find("\\u0007") != std::string::npos);
  Case back = parse_ok(out);
  CHECK(back.messages[0].text == c.messages[0].text);
}

TEST_CASE("errors name the field at fault") {
  CHECK(parse_error(R"({"v":1})") == "id: missing");
  CHECK(parse_error(case_json("1", R"(,"priority":"urgent")")).rfind("priority: must be p1", 0) == 0);
  CHECK(parse_error(case_json("1", R"(,"tags":"a")")) == "tags: expected an array, got a string");
  CHECK(parse_error(case_json("1", R"(,"rev":"3")")) == "rev: expected an integer, got a string");
  CHECK(parse_error(case_json("1", R"(,"owner":5)")) == "owner: expected a string or null, got a number");
  const std::string bad_time = parse_error(case_json(
      "1", "", R"([{"id":"1","dir":"in","at":"2026-11-20T07:41:09Z","text":"a"},{"id":"2","dir":"in","at":"2026-11-20 07:41","text":"b"}])"));
  CHECK(bad_time.rfind("messages[1].at: not an RFC 3339 UTC time", 0) == 0);
  CHECK(parse_error(case_json("1", "", R"([{"id":"1","dir":"up","at":"2026-11-20T07:41:09Z","text":"a"}])"))
            .rfind("messages[0].dir: must be", 0) == 0);
  CHECK(parse_error(case_json("1", "", R"([{"id":"1","dir":"in","at":"2026-11-20T07:41:09Z"}])")) ==
        "messages[0].text: missing");
  CHECK(parse_error(case_json("1", "", R"([{"id":"1","dir":"in","at":"2026-11-20T07:41:09Z","text":"a"},{"id":"1","dir":"in","at":"2026-11-20T07:41:09Z","text":"b"}])"))
            .rfind("messages[1].id: duplicate message id", 0) == 0);
  CHECK(parse_error(case_json("1", R"(,"status":"done")")).rfind("status: unknown status \"done\"", 0) == 0);
  CHECK(parse_error(case_json("1", R"(,"resolution":null,"status":"resolved")")) ==
        "resolution: required when status is resolved");
  CHECK(parse_error(case_json("1", R"(,"handoff":{"to":"email:x"})")).rfind("handoff.at: missing", 0) == 0);
  CHECK(parse_error(case_json("1", R"(,"v":2)")).rfind("v: unsupported case version 2", 0) == 0);
}

// A followers-only (Mastodon "private") or unlisted post is public in the
// case's sense (it stays in the thread's case) with a narrower audience the
// reply must keep; "direct" is public:false, never a visibility.
TEST_CASE("a message's visibility reads, writes back in schema order, and is one of three") {
  const auto with = [](const std::string& vis) {
    return case_json("1", "", R"([{"id":"1","dir":"in","at":"2026-11-20T07:41:09Z","author":"@ann","text":"a","public":true,"visibility":)" + vis +
                                  R"(,"reply_to":null}])");
  };
  Case c = parse_ok(with(R"("private")"));
  CHECK(c.messages[0].is_public);
  CHECK(c.messages[0].visibility == OptString{"private"});
  c.touched();
  CHECK(canonical(c).find(R"("public":true,"visibility":"private","reply_to":null)") != std::string::npos);
  CHECK(parse_ok(with(R"("unlisted")")).messages[0].visibility == OptString{"unlisted"});
  CHECK_FALSE(parse_ok(case_json("1")).messages[0].visibility);
  c.messages[0].visibility.reset();
  CHECK(canonical(c).find("visibility") == std::string::npos);  // absent stays absent
  CHECK(parse_error(with(R"("direct")")).rfind("messages[0].visibility: must be \"public\", \"unlisted\" or \"private\"", 0) == 0);
  CHECK(parse_error(with("null")).rfind("messages[0].visibility: expected a string", 0) == 0);
}

TEST_CASE("the id must start with channel and account") {
  std::string json = case_json();
  json.replace(json.find("mastodon:transit"), 8, "bluesky_");
  CHECK(parse_error(json).rfind("id: must be \"mastodon:transit@example.social:<thread key>\"", 0) == 0);
}

TEST_CASE("malformed JSON is an error, never a crash") {
  CHECK(parse_error("{\"v\":1,").find("invalid JSON") != std::string::npos);
  CHECK(parse_error("[1,2]") == "expected a JSON object (one case per line)");
  CHECK(parse_error(case_json() + " {}") == "case: unexpected text after the JSON object");
  CHECK(parse_error(case_json("1", R"(,"x_bad":tru)")).find("x_bad") == 0);
  CHECK(parse_error(case_json("1", R"(,"x_bad":{"a":[1,}})")).find("x_bad") == 0);
  CHECK(parse_error("{\"v\":1,\"id\":\"\xC3\x28\"}").find("UTF-8") != std::string::npos);
}

TEST_CASE("updated_at defaults to the newest message or event time") {
  std::string json = case_json();
  json.erase(json.find(R"(,"updated_at")"), std::string(R"(,"updated_at":"2026-11-20T07:45:00Z")").size());
  Case c = parse_ok(json);
  CHECK(c.updated_at == "2026-11-20T07:41:09Z");
}

TEST_CASE("parse_reusing gives parse()'s case whatever the case before left behind") {
  // Rich and bare cases in turn: messages and events growing and shrinking,
  // optional members present then absent, unknown members, an error between.
  const std::string rich_messages =
      R"([{"id":"1","dir":"in","at":"2026-11-20T07:41:09Z","author":"@ann","text":"Train cancelled","public":false,"visibility":"unlisted","reply_to":"0","lang":"en","auto":true,"redacted":true,"posted_id":"p1","x_m":[1]},)"
      R"({"id":"2","dir":"out","at":"2026-11-20T07:50:00Z","author":"@brand","text":"Sorry","public":true,"reply_to":null},)"
      R"({"id":"3","dir":"in","at":"2026-11-20T08:00:00Z","author":"@ann","text":"Thanks"}])";
  const std::string rich_extra =
      R"(,"priority":"p1","category":"delay","tags":["a","b"],"team":"service","owner":"kim",)"
      R"("sla":{"first_response_due":"2026-11-20T08:41:09Z","breached":["first_response"]},)"
      R"("events":[{"at":"2026-11-20T07:42:00Z","by":"triage","what":"set priority"},{"at":"2026-11-20T07:43:00Z","by":"kim","what":"assigned"}],)"
      R"("pii":["email"],"x_note":{"k":"v"})";
  const std::vector<std::string> lines = {
      case_json("100", rich_extra, rich_messages),
      case_json("101"),
      case_json("102", R"(,"events":[{"at":"2026-11-20T07:44:00Z","by":"x","what":"y"}])"),
      R"({"v":1,"id":"broken"})",
      case_json("103", rich_extra, rich_messages),
      case_json("104", R"(,"customer":{"id":"7","handle":"@bo","name":"Bo","followers":12,"x_c":true})"),
      case_json("105"),
  };
  CaseParser fresh, reusing;
  Case reused;
  for (const auto& line : lines) {
    CAPTURE(line);
    auto want = fresh.parse(line);
    std::string padded = line + std::string(CaseParser::padding(), '\0');
    auto got = reusing.parse_reusing(padded.data(), line.size(), padded.size(), reused);
    REQUIRE(got.ok() == want.ok());
    if (!want) {
      CHECK(got.error().message == want.error().message);
      continue;
    }
    CHECK(case_to_json(reused) == case_to_json(*want));
    std::string a, b;
    write_case_canonical(a, reused);
    write_case_canonical(b, *want);
    CHECK(a == b);
    CHECK(reused.source == line);
  }
}
