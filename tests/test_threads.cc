#include <doctest/doctest.h>

#include <set>

#include "lib/threads.h"

using namespace socq;

namespace {
ImportMessage msg(std::string id, std::string author, bool inbound, std::string at, OptString reply_to = {},
                  std::string text = "") {
  ImportMessage m;
  m.id = std::move(id);
  m.author = std::move(author);
  m.inbound = inbound;
  m.at = std::move(at);
  m.reply_to = std::move(reply_to);
  m.text = std::move(text);
  return m;
}
}  // namespace

TEST_CASE("a thread becomes one case under its root, brand and customer") {
  ThreadStats stats;
  auto cases = build_cases({msg("2", "brand", false, "2017-10-31T10:05:00Z", "1"),
                            msg("1", "ann", true, "2017-10-31T10:00:00Z", {}, "@brand help"),
                            msg("3", "ann", true, "2017-10-31T10:10:00Z", "2")},
                           "x", stats);
  REQUIRE(cases.size() == 1);
  const Case& c = cases[0];
  CHECK(c.id == "x:brand:1");
  CHECK(c.account == "brand");
  CHECK(c.customer.id == "ann");
  REQUIRE(c.messages.size() == 3);
  CHECK(c.messages[0].id == "1");
  CHECK(c.messages[1].dir == Dir::out);
  CHECK(c.status == CaseStatus::open);
  CHECK(c.updated_at == "2017-10-31T10:10:00Z");
  CHECK(stats.messages == 3);
}

TEST_CASE("a second customer in a public thread gets a case of their own") {
  ThreadStats stats;
  auto cases = build_cases({msg("1", "ann", true, "2017-10-31T10:00:00Z", {}, "@brand help"),
                            msg("2", "brand", false, "2017-10-31T10:05:00Z", "1"),
                            msg("3", "bob", true, "2017-10-31T10:06:00Z", "2", "@brand me too"),
                            msg("4", "brand", false, "2017-10-31T10:07:00Z", "3")},
                           "x", stats);
  REQUIRE(cases.size() == 2);
  CHECK(cases[0].id == "x:brand:1");
  CHECK(cases[1].id == "x:brand:1+bob");
  CHECK(cases[1].messages.size() == 2);
  CHECK(cases[1].status == CaseStatus::pending_customer);
}

TEST_CASE("unanswered messages take the brand they mention; orphans and repeats are counted") {
  ThreadStats stats;
  auto cases = build_cases({msg("9", "other", false, "2017-10-31T09:00:00Z", {}, "x"),
                            msg("1", "ann", true, "2017-10-31T10:00:00Z", {}, "@someone @other hello"),
                            msg("1", "ann", true, "2017-10-31T10:00:00Z", {}, "@someone @other hello"),
                            msg("5", "cat", true, "2017-10-31T11:00:00Z", "404", "@brand2 still waiting")},
                           "x", stats);
  std::set<std::string> ids;
  for (const auto& c : cases) ids.insert(c.id);
  CHECK(ids.count("x:other:1") == 1);
  CHECK(ids.count("x:brand2:5") == 1);
  CHECK(stats.duplicates == 1);
  CHECK(stats.orphan_replies == 1);
  CHECK(stats.messages == 3);
}

TEST_CASE("reply cycles in bad data do not hang") {
  ThreadStats stats;
  auto cases = build_cases({msg("1", "ann", true, "2017-10-31T10:00:00Z", "2"),
                            msg("2", "brand", false, "2017-10-31T10:05:00Z", "1")},
                           "x", stats);
  size_t total = 0;
  for (const auto& c : cases) total += c.messages.size();
  CHECK(total == 2);
}
