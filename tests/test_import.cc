#include <doctest/doctest.h>

#include <algorithm>

#include "lib/case_json.h"
#include "lib/import.h"
#include "tests/test_util.h"
#include "tests/twcs_util.h"

using namespace socq;
using namespace socq::test;

namespace {
const std::string kFixtures = std::string(SOCQ_SOURCE_DIR) + "/tests/fixtures/";
}

TEST_CASE("Twitter's created_at times become RFC 3339 UTC") {
  CHECK(parse_twitter_time("Tue Oct 31 22:10:47 +0000 2017") == "2017-10-31T22:10:47Z");
  CHECK(parse_twitter_time("Wed Nov 01 01:10:47 +0200 2017") == "2017-10-31T23:10:47Z");
  CHECK_FALSE(parse_twitter_time("Tue Oct 31 22:10:47 2017"));
  CHECK_FALSE(parse_twitter_time("Tue Foo 31 22:10:47 +0000 2017"));
  CHECK_FALSE(parse_twitter_time("2017-10-31T22:10:47Z"));
}

TEST_CASE("ids written as floats become integers; others are refused") {
  CHECK(integer_id("3.0") == "3");
  CHECK(integer_id("3") == "3");
  CHECK(integer_id("1245425308704149506") == "1245425308704149506");
  CHECK_FALSE(integer_id("3.5"));
  CHECK_FALSE(integer_id("1.2e+18"));
  CHECK_FALSE(integer_id(""));
  CHECK_FALSE(integer_id("abc"));
}

TEST_CASE("a tweet id holds its creation time") {
  // IBM dev.json: the agent's reply 1245425308704149506 to a customer at 17:31:32 that day.
  CHECK(time_from_tweet_id(1245425308704149506ULL) == "2020-04-01T18:58:27.135Z");
}

TEST_CASE("the TWCS excerpt keeps its mess and reads whole") {
  ImportStats stats;
  std::vector<ImportMessage> msgs;
  REQUIRE(read_twcs(kFixtures + "twcs-mess.csv", {}, stats, msgs).ok());
  CHECK(stats.rows == 9);
  REQUIRE(msgs.size() == 9);
  CHECK(msgs[0].id == "1");
  CHECK(msgs[0].reply_to == "3");  // written 3.0
  CHECK_FALSE(msgs[0].inbound);
  CHECK(msgs[0].at == "2017-10-31T22:10:47Z");
  CHECK_FALSE(msgs[6].reply_to);  // tweet 8 starts the thread
  CHECK(msgs[8].id == "3399");
  CHECK(msgs[8].text == "@AskPayPal \r\rI just love the start of email \xF0\x9F\x98\x81 https://t.co/8u1Pf5rJoN");
}

TEST_CASE("a bad TWCS row names file, line and field; skip_bad counts it") {
  TempDir dir;
  const std::string f = dir.file("t.csv");
  write_file(f, ",tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
                "0,1,sprintcare,False,Tue Oct 31 22:10:47 +0000 2017,hi,,\n"
                "1,2,115712,Maybe,Tue Oct 31 22:11:45 +0000 2017,hello,,1.0\n"
                "2,3,115712,True,yesterday,hello,,1.0\n");
  ImportStats stats;
  std::vector<ImportMessage> msgs;
  auto st = read_twcs(f, {}, stats, msgs);
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == Exit::data);
  CHECK(st.error().message == f + ":3: inbound: must be True or False, not \"Maybe\"");
  ImportStats skip_stats;
  msgs.clear();
  REQUIRE(read_twcs(f, {true, {}}, skip_stats, msgs).ok());
  CHECK(msgs.size() == 1);
  CHECK(skip_stats.skipped == 2);
}

TEST_CASE("mapped CSV: keys, files and missing columns") {
  CsvMapping m;
  CHECK(set_mapping(m, "id", "message_id").ok());
  CHECK(set_mapping(m, "inbound_values", "Customer,IN").ok());
  CHECK(m.inbound_values == std::vector<std::string>{"customer", "in"});
  auto bad = set_mapping(m, "colour", "x");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == Exit::usage);
  CsvMapping file;
  REQUIRE(load_mapping(kFixtures + "export-mapping.toml", file).ok());
  CHECK(file.time_format == "%Y-%m-%d %H:%M:%S");
  std::map<std::string, std::vector<ImportMessage>> by_channel;
  ImportStats stats;
  REQUIRE(read_mapped_csv(kFixtures + "export.csv", file, {}, stats, by_channel).ok());
  CHECK(stats.rows == 9);
  CHECK(by_channel["facebook"].size() == 4);
  CHECK(by_channel["mastodon"].size() == 5);
  CHECK(by_channel["facebook"][2].text == "Thank you so much.\r\nIt has a brass handle.");  // kept as exported
  CHECK(by_channel["facebook"][0].at == "2026-11-16T19:40:00Z");
  TempDir dir;
  const std::string zoned = dir.file("zoned.csv");
  write_file(zoned, "id,who,when,what,dir\n1,ann,2026-11-20 08:41:09 +0100,hello,in\n");
  CsvMapping zm;
  for (const auto& [k, v] : std::vector<std::pair<std::string, std::string>>{
           {"id", "id"}, {"author", "who"}, {"at", "when"}, {"text", "what"}, {"inbound", "dir"},
           {"account_name", "brand"}, {"time_format", "%Y-%m-%d %H:%M:%S %z"}})
    REQUIRE(set_mapping(zm, k, v).ok());
  std::map<std::string, std::vector<ImportMessage>> zoned_out;
  REQUIRE(read_mapped_csv(zoned, zm, {}, stats, zoned_out).ok());
  CHECK(zoned_out["x"].at(0).at == "2026-11-20T07:41:09Z");
  file.text = "message_body";
  auto missing = read_mapped_csv(kFixtures + "export.csv", file, {}, stats, by_channel);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message.find("no column \"message_body\" (mapped to text)") != std::string::npos);
}

TEST_CASE("formats are detected from name and content") {
  CHECK(detect_format(kFixtures + "twcs-mess.csv").value() == ImportFormat::twcs);
  CHECK(detect_format(kFixtures + "export.csv").value() == ImportFormat::csv);
  CHECK(detect_format(kFixtures + "invalid_cases.jsonl").value() == ImportFormat::jsonl);
  CHECK(detect_format("-").value() == ImportFormat::jsonl);
}

TEST_CASE("IBM errors name the line of bad JSON, or the conversation and its field") {
  TempDir dir;
  const std::string f = dir.file("ibm.json");
  write_file(f, "[\n  {\"dialogHeader\": {\"company\": \"X\"},\n   \"dialogContent\": [,]\n  }\n]\n");
  ImportStats stats;
  std::vector<ImportMessage> msgs;
  auto st = read_ibm_cc(f, {}, stats, msgs);
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message.rfind(f + ":3: invalid JSON: syntax error", 0) == 0);
  write_file(f, R"([{"dialogHeader": {"company": "X", "sessionID": "S1"}, "dialogContent": [{"client": "ann", "tweet_ID": "12", "message": "hi"}], "agentURL": {"tweet_ID": "13", "url_utterance": "see"}}])");
  st = read_ibm_cc(f, {}, stats, msgs);
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message == f + ": conversation 1 (sessionID S1): dialogContent[0].datetime: not an RFC 3339 UTC time");
}

namespace {
// Reads a small mapped CSV (columns id,who,when,what,dir,chan) with the given time format.
Status read_small_csv(const std::string& body, const std::string& time_format, bool with_channel,
                      std::map<std::string, std::vector<ImportMessage>>& out, ImportStats& stats,
                      bool skip_bad = false) {
  TempDir dir;
  const std::string f = dir.file("in.csv");
  write_file(f, "id,who,when,what,dir,chan\n" + body);
  CsvMapping m;
  for (const auto& [k, v] : std::vector<std::pair<std::string, std::string>>{
           {"id", "id"}, {"author", "who"}, {"at", "when"}, {"text", "what"}, {"inbound", "dir"},
           {"account_name", "brand"}, {"time_format", time_format}})
    REQUIRE(set_mapping(m, k, v).ok());
  if (with_channel) REQUIRE(set_mapping(m, "channel", "chan").ok());
  auto st = read_mapped_csv(f, m, {skip_bad, {}}, stats, out);
  if (!st) return Error{st.error().code, st.error().message.substr(st.error().message.find("in.csv"))};
  return st;
}

std::string csv_error(const std::string& body, const std::string& time_format = "rfc3339", bool with_channel = false) {
  std::map<std::string, std::vector<ImportMessage>> out;
  ImportStats stats;
  auto st = read_small_csv(body, time_format, with_channel, out, stats);
  if (st.ok()) return "ok";
  CHECK(st.error().code == Exit::data);
  return st.error().message;
}
}  // namespace

TEST_CASE("importers refuse what the case reader would refuse, naming file, line and field") {
  // Times the store could not read back (five-digit years, 64-bit overflow).
  CHECK(csv_error("1,ann,253402300800,hi,in,x\n", "epoch") ==
        "in.csv:2: when: time outside the years 0000-9999: \"253402300800\"");
  CHECK(csv_error("1,ann,9999999999999999,hi,in,x\n", "epoch") ==
        "in.csv:2: when: time outside the years 0000-9999: \"9999999999999999\"");
  CHECK(csv_error("1,ann,99999999999999999999,hi,in,x\n", "epoch") ==
        "in.csv:2: when: time outside the years 0000-9999: \"99999999999999999999\"");
  CHECK(csv_error("1,ann,253402300799,hi,in,x\n", "epoch") == "ok");
  CHECK(csv_error("1,ann,10000-01-01 00:00:00,hi,in,x\n", "%Y-%m-%d %H:%M:%S").find("in.csv:2: when: ") == 0);
  // Channel values that are not channel names.
  CHECK(csv_error("1,ann,2026-11-20T07:41:09Z,hi,in,Face Book\n", "rfc3339", true) ==
        "in.csv:2: chan: not a channel name like \"mastodon\" (lower-case letters, digits, _ and -): \"Face Book\"");
  CHECK(csv_error("1,ann,2026-11-20T07:41:09Z,hi,in,\n", "rfc3339", true).find("in.csv:2: chan: not a channel") == 0);
  CHECK(csv_error("1,ann,2026-11-20T07:41:09Z,hi,in,fb:x\n", "rfc3339", true).find("in.csv:2: chan: not a channel") == 0);
  CHECK(csv_error("1,ann,2026-11-20T07:41:09Z,hi,in,Facebook\n", "rfc3339", true) == "ok");  // lower-cased
  // Bytes that are not UTF-8.
  CHECK(csv_error("1,ann,2026-11-20T07:41:09Z,h\xff!,in,x\n") == "in.csv:2: what: not UTF-8 text (bad byte at offset 1)");
  CHECK(csv_error("1,ann,2026-11-20T07:41:09Z,\xed\xa0\x80,in,x\n").find("in.csv:2: what: not UTF-8") == 0);  // a surrogate
  // --skip-bad counts them instead, by field.
  std::map<std::string, std::vector<ImportMessage>> out;
  ImportStats stats;
  REQUIRE(read_small_csv("1,ann,2026-11-20T07:41:09Z,h\xc3,in,x\n2,bob,2026-11-20T07:41:09Z,ok,in,x\n", "rfc3339", false,
                         out, stats, true)
              .ok());
  CHECK(stats.skipped == 1);
  CHECK(stats.skip_reasons["what"] == 1);
  CHECK(out["x"].size() == 1);
}

TEST_CASE("TWCS rows with bad UTF-8 or a time past 9999 are refused") {
  TempDir dir;
  const std::string f = dir.file("t.csv");
  const std::string header = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n";
  write_file(f, header + "1,ann,True,Tue Oct 31 22:10:47 +0000 2017,bad \x80 byte,,\n");
  ImportStats stats;
  std::vector<ImportMessage> msgs;
  auto st = read_twcs(f, {}, stats, msgs);
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == Exit::data);
  CHECK(st.error().message == f + ":2: text: not UTF-8 text (bad byte at offset 4)");
  write_file(f, header + "1,ann,True,Fri Dec 31 23:30:00 -0100 9999,hi,,\n");
  st = read_twcs(f, {}, stats, msgs);
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message.find(f + ":2: created_at: not a Twitter time") == 0);
  CHECK_FALSE(parse_twitter_time("Fri Dec 31 23:30:00 -0100 9999"));
  CHECK(parse_twitter_time("Fri Dec 31 23:30:00 +0000 9999") == "9999-12-31T23:30:00Z");
}

TEST_CASE("import_twcs streams thread by thread and makes the cases build_cases makes") {
  TempDir dir;
  const std::string f = dir.file("t.csv");
  // Replies before their roots and threads interleaved; a repeated id; a
  // self-reply; a reply cycle; a parent missing from the file; ids that are
  // not plain numbers ("007"); a root whose brand only a later row shows.
  write_file(f, "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
                "2,BrandA,False,Tue Oct 31 22:11:00 +0000 2017,@ann hi,,1.0\n"
                "11,bob,True,Tue Oct 31 22:12:00 +0000 2017,@BrandB help,,\n"
                "1,ann,True,Tue Oct 31 22:10:00 +0000 2017,@BrandA help,2,\n"
                "2,BrandA,False,Tue Oct 31 23:00:00 +0000 2017,repeated,,\n"
                "3,ann,True,Tue Oct 31 22:13:00 +0000 2017,me again,,3\n"
                "20,cat,True,Tue Oct 31 22:14:00 +0000 2017,loop,,21\n"
                "21,BrandA,False,Tue Oct 31 22:15:00 +0000 2017,loop,,20\n"
                "30,dan,True,Tue Oct 31 22:16:00 +0000 2017,@BrandB where,,999\n"
                "007,eve,True,Tue Oct 31 22:17:00 +0000 2017,@BrandB odd id,,\n"
                "8,eve,True,Tue Oct 31 22:18:00 +0000 2017,and again,,007\n"
                "40,fay,True,Tue Oct 31 22:19:00 +0000 2017,@BrandB @fay2 hello,,\n"
                "12,BrandB,False,Tue Oct 31 22:20:00 +0000 2017,@bob ok,,11\n");
  ThreadStats streamed, whole;
  const auto a = twcs_cases(f, true, streamed), b = twcs_cases(f, false, whole);
  CHECK(a == b);
  CHECK(a.size() == 7);
  CHECK(streamed.messages == whole.messages);
  CHECK(streamed.messages == 11);
  CHECK(streamed.duplicates == 1);
  CHECK(streamed.orphan_replies == whole.orphan_replies);
}

TEST_CASE("import_twcs: the TWCS excerpt, and a bad row stops it before any case is out") {
  ThreadStats streamed, whole;
  CHECK(twcs_cases(kFixtures + "twcs-mess.csv", true, streamed) == twcs_cases(kFixtures + "twcs-mess.csv", false, whole));
  TempDir dir;
  const std::string f = dir.file("t.csv");
  write_file(f, "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
                "1,ann,True,Tue Oct 31 22:10:00 +0000 2017,hi,,\n"
                "2,ann,Maybe,Tue Oct 31 22:10:00 +0000 2017,hi,,\n");
  ImportStats stats;
  ThreadStats threads;
  size_t emitted = 0;
  auto st = import_twcs(f, {}, stats, threads, [&](Case&&) {
    ++emitted;
    return ok_status();
  });
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message == f + ":3: inbound: must be True or False, not \"Maybe\"");
  CHECK(emitted == 0);
}
