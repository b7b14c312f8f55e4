#include <doctest/doctest.h>

#include "lib/import.h"
#include "tests/test_util.h"

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
