// The case reader's and writer's fast paths (keys and strings read in place,
// unknown members checked without the DOM parser, escapes found 8 bytes at a
// time) give the same results as the slow paths they skip.
#include <doctest/doctest.h>

#include <cstring>
#include <filesystem>
#include <sstream>

#include "lib/case_json.h"
#include "tests/test_util.h"

using namespace socq;
using socq::test::case_json;

namespace {
Result<Case> parse(const std::string& json) {
  CaseParser p;
  return p.parse(json);
}

// The writer as it was: one byte at a time.
std::string reference_json_string(std::string_view s) {
  static const char hex[] = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char ch : s) {
    switch (ch) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (ch < 0x20) out += std::string("\\u00") + hex[ch >> 4] + hex[ch & 15];
        else out.push_back(static_cast<char>(ch));
    }
  }
  return out + "\"";
}

std::string messages_with_ids(const std::vector<std::string>& ids) {
  std::string out = "[";
  for (size_t i = 0; i < ids.size(); ++i)
    out += (i ? "," : "") + std::string(R"({"id":")") + ids[i] + R"(","dir":"in","at":"2026-11-20T07:41:09Z","text":"t"})";
  return out + "]";
}
}  // namespace

TEST_CASE("write_json_string escapes every byte that needs it at every offset, as byte by byte") {
  const std::string specials = std::string("\"\\\n\r\t\b\f\x01\x1f", 9) + std::string(1, '\0');
  for (size_t len = 0; len <= 40; ++len) {
    for (size_t at = 0; at < len; ++at) {
      for (char sp : specials) {
        std::string s(len, 'a');
        s[at] = sp;
        if (len > 3) s[len - 1] = '\x7f', s[0] = '\xc3';  // never escaped
        std::string out;
        write_json_string(out, s);
        REQUIRE(out == reference_json_string(s));
      }
    }
  }
  std::string all;
  for (int ch = 0; ch < 256; ++ch) all.push_back(static_cast<char>(ch));
  std::string out;
  write_json_string(out, all);
  CHECK(out == reference_json_string(all));
}

TEST_CASE("write_json_string agrees with byte by byte on random strings of escapes and their neighbours") {
  // Bytes next to the ones that need escaping ('#' is '"' + 1, ']' is '\\' + 1)
  // catch a scan whose byte tests leak into the byte after a hit.
  const std::string alphabet = std::string("\"#!\\]\x1f \x01\x7f\x80\xff a\0", 14);
  uint64_t seed = 42;
  const auto next = [&] { return seed = seed * 6364136223846793005ull + 1442695040888963407ull, seed >> 33; };
  for (int round = 0; round < 20000; ++round) {
    std::string s(next() % 41, 'a');
    for (char& ch : s) ch = alphabet[next() % alphabet.size()];
    std::string out;
    write_json_string(out, s);
    REQUIRE(out == reference_json_string(s));
  }
}

TEST_CASE("unknown members: plain JSON is kept, anything the DOM parser refuses is still refused") {
  const std::string deep = std::string(70, '[') + "1" + std::string(70, ']');  // beyond the quick check's depth
  for (const char* good : {R"([ ])", R"({ })", R"("\u00e9\ud83d\ude00")", R"("caf\u00e9 é")", R"({"a" : [true, false, null, -0.5e+3]})",
                           R"("\/\b\f\n\r\t\"\\")", deep.c_str(),
                           "123456789012345678901234567890"}) {
    INFO(std::string(good));
    auto r = parse(case_json("1", std::string(R"(,"x_u":)") + good));
    REQUIRE(r.ok());
    REQUIRE(r.value().extra.size() == 1);
    CHECK(r.value().extra[0].second == good);
  }
  for (const char* bad : {"[1 2]", "[1,]", R"({"a" 1})", R"({"a":1,})", "tru", "nul", "-", "1.", "01", "1e",
                          R"("\x")", R"("\ud83d")", R"({"a":[}])"}) {
    INFO(std::string(bad));
    auto r = parse(case_json("1", std::string(R"(,"x_u":)") + bad));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.rfind("x_u", 0) == 0);
  }
}

TEST_CASE("keys and strings with escapes read as their unescaped text") {
  const std::string msg = R"([{"id":"1","dir":"in","at":"2026-11-20T07:41:09Z","te\u0078t":"a\u0041\n","au\"thor":"x"}])";
  auto r = parse(case_json("1", R"(,"status":"op\u0065n","priority":"\u0070\u0032")", msg));
  REQUIRE(r.ok());
  const Case& c = r.value();
  CHECK(c.messages[0].text == "aA\n");
  CHECK(c.status == CaseStatus::open);
  CHECK(c.priority == "p2");
  REQUIRE(c.messages[0].extra.size() == 1);
  CHECK(c.messages[0].extra[0].first == "au\"thor");
}

TEST_CASE("a repeated message id is named at its first repeat, among few or many messages") {
  for (size_t n : {5, 40, 500}) {
    std::vector<std::string> ids;
    for (size_t i = 0; i < n; ++i) ids.push_back("m" + std::to_string(i));
    ids[n - 1] = "m1";
    ids[n - 2] = "m2";  // the earlier repeat is the one named
    auto r = parse(case_json("1", "", messages_with_ids(ids)));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message == "messages[" + std::to_string(n - 2) + "].id: duplicate message id \"m2\"");
  }
  std::vector<std::string> ids;
  for (size_t i = 0; i < 100; ++i) ids.push_back("m" + std::to_string(i));
  CHECK(parse(case_json("1", "", messages_with_ids(ids))).ok());
}

TEST_CASE("the id prefix is checked in place: channel, account and a non-empty thread key") {
  std::string json = case_json("1");
  CHECK(parse(json).ok());
  for (const char* bad_id : {"mastodon:transit@example.social:", "mastodon:transit@example.socialx:1", "mastodonx:transit@example.social:1",
                             "mastodon:transit@example.social", "mastodon;transit@example.social:1"}) {
    std::string j = json;
    j.replace(j.find("mastodon:transit@example.social:1"), std::strlen("mastodon:transit@example.social:1"), bad_id);
    auto r = parse(j);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.rfind("id: must be \"mastodon:transit@example.social:<thread key>\"", 0) == 0);
  }
}

TEST_CASE("validate() gives parse()'s verdict and error on every line of the bad inputs and examples") {
  namespace fs = std::filesystem;
  std::vector<fs::path> files{fs::path(SOCQ_SOURCE_DIR) / "examples/cases.jsonl"};
  for (const auto& e : fs::directory_iterator(fs::path(SOCQ_SOURCE_DIR) / "tests/bad_inputs/inputs"))
    if (e.path().extension() == ".jsonl") files.push_back(e.path());
  CaseParser parser, checker;
  size_t lines = 0, bad = 0;
  for (const auto& f : files) {
    std::istringstream in(socq::test::read_file(f.string()));
    for (std::string line; std::getline(in, line); ++lines) {
      CAPTURE(f.string());
      CAPTURE(line);
      const auto parsed = parser.parse(line);
      const auto valid = checker.validate(line);
      REQUIRE(valid.ok() == parsed.ok());
      if (!parsed) {
        ++bad;
        CHECK(valid.error().message == parsed.error().message);
      }
    }
  }
  CHECK(lines > 100);
  CHECK(bad > 50);
}

namespace {
std::string canonical(const Case& c) {
  std::string out;
  write_case_canonical(out, c);
  return out;
}

// The fast path's result for `line` equals simdjson's alone: the same
// verdict, the same error, the same case. Returns whether the fast path
// read the line itself.
bool same_as_simdjson(const std::string& line) {
  CaseParser fast, slow;
  slow.use_fast_path(false);
  const auto a = fast.parse(line), b = slow.parse(line);
  CAPTURE(line);
  REQUIRE(a.ok() == b.ok());
  if (a) CHECK(canonical(a.value()) == canonical(b.value()));
  else CHECK(a.error().message == b.error().message);
  CHECK(slow.fast_path_gave_up() == 0);
  return fast.fast_path_gave_up() == 0;
}

std::string with_text(const std::string& text_json) {
  return case_json("1", "", R"([{"id":"1","dir":"in","at":"2026-11-20T07:41:09Z","text":)" + text_json + "}]");
}
}  // namespace

TEST_CASE("the one-pass reader reads the usual lines itself, with simdjson's result") {
  const std::string spaced = R"( { "v" : 1 , "id" : "x:a:1" , "rev" : 0 , "channel" : "x" , "account" : "a" ,)"
                             R"( "customer" : { "id" : "c" , "followers" : 0 } , "messages" : [ ] , "status" : "new" , "updated_at" : "2026-11-20T07:45:00Z" } )";
  for (const std::string& line :
       {case_json("1"), spaced, std::string("\t") + case_json("2") + "\r",
        with_text(R"("plain")"), with_text(R"("quote \" backslash \\ slash \/ \b\f\n\r\t end")"),
        with_text(R"("\u00e9\u20ac\u0041\u0000\u001f and \uFFFF")"), with_text(R"("é€😠 raw UTF-8, \"escaped\" é")"),
        with_text(R"("")"), with_text(R"("\n")"),
        case_json("3", R"(,"x_obj":{"a" : [true, false, null, -0.5e+3, 1E9, 0]},"x_s":"s\"\\\u0041","x_n":123456789012345678901234567890,"x_e":[],"x_o":{})"),
        case_json("4", R"(,"priority":null,"category":"billing","tags":["a","b"],"pii":[],"team":null,"owner":"ann",)"
                       R"("sla":{"first_response_due":"2026-11-20T08:00:00.5Z","breached":["first_response"]},"links":[{"rel":"ticket","ref":"T-1"}],)"
                       R"("handoff":{"to":"billing","at":"2026-11-20T07:50:00Z","by":"ann","follow_up_due":null},"incident":null,"resolution":null,)"
                       R"("events":[{"at":"2026-11-20T07:42:00Z","by":"triage","what":"set"}])"),
        std::string(R"({"v":1,"id":"x:a:1","rev":9007199254740991,"channel":"x","account":"a","customer":{"id":"c"},"messages":[],"status":"new","updated_at":"2026-11-20T07:45:00Z"})")}) {
    INFO(line);
    CHECK(same_as_simdjson(line));
  }
}

TEST_CASE("the one-pass reader gives what it does not read to simdjson, which decides") {
  const std::string deep = std::string(70, '[') + "1" + std::string(70, ']');
  for (const std::string& line :
       {with_text(R"("\ud83d\ude00 a pair")"), with_text(R"("\ud83d lone")"), with_text(R"("\udc00")"),
        with_text(R"("\x")"), with_text(R"("\u12")"), with_text("\"\x01 raw control\""), with_text("\"bad \xc3\x28 UTF-8\""),
        with_text("\"overlong \xc0\xaf\""), with_text("\"surrogate \xed\xa0\x80\""), with_text("\"past U+10FFFF \xf4\x90\x80\x80\""),
        with_text("\"cut \xe2\x82\""), with_text(R"("unterminated)"),
        case_json("1", R"(,"te\u0078t":1)"), case_json("1", ",\"k\xc3\xa9\":1"), case_json("1", ",\"x_d\":" + deep),
        case_json("1", R"(,"x":"\ud800")"), case_json("1", R"(,"x":01)"), case_json("1", R"(,"x":1.)"), case_json("1", R"(,"x":tru)"),
        case_json("1", R"(,"x":nullx)"), case_json("1", R"(,"x":[1,])"),
        case_json("1") + " x", case_json("1") + "}", std::string("[") + case_json("1") + "]",
        std::string(R"({"v":1,"id":"x:a:1","rev":-0,"channel":"x","account":"a","customer":{"id":"c","followers":-0},"messages":[],"status":"new","updated_at":"2026-11-20T07:45:00Z"})"),
        std::string(R"({"v":1.0,"id":"x:a:1","channel":"x","account":"a","customer":{"id":"c"},"messages":[],"status":"new"})"),
        std::string(R"({"v":1,"id":"x:a:1","rev":1000000000000000000,"channel":"x","account":"a","customer":{"id":"c"},"messages":[],"status":"new"})")}) {
    INFO(line);
    CHECK_FALSE(same_as_simdjson(line));
  }
}

TEST_CASE("the fast path and simdjson agree on every line of the bad inputs and examples") {
  namespace fs = std::filesystem;
  std::vector<fs::path> files{fs::path(SOCQ_SOURCE_DIR) / "examples/cases.jsonl"};
  for (const auto& e : fs::directory_iterator(fs::path(SOCQ_SOURCE_DIR) / "tests/bad_inputs/inputs"))
    if (e.path().extension() == ".jsonl") files.push_back(e.path());
  size_t lines = 0, read_fast = 0;
  for (const auto& f : files) {
    std::istringstream in(socq::test::read_file(f.string()));
    for (std::string line; std::getline(in, line); ++lines) read_fast += same_as_simdjson(line);
  }
  CHECK(lines > 100);
  CHECK(read_fast > 20);  // the examples at least
}
