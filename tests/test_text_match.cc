#include <doctest/doctest.h>

#include "lib/triage/text_match.h"

using namespace socq;

namespace {
// Whether `keyword` is found in `text` on word boundaries.
bool finds(const std::string& keyword, const std::string& text) {
  PatternSet set;
  set.add_keyword(keyword);
  std::string err;
  REQUIRE(set.compile(&err));
  std::vector<int> hits;
  set.match(fold_text(text), hits);
  return !hits.empty();
}
}  // namespace

TEST_CASE("text_match: folding is NFC plus Unicode case folding") {
  CHECK(fold_text("Train CANCELLED") == "train cancelled");
  CHECK(fold_text("STRASSE Straße") == "strasse strasse");
  CHECK(fold_text("E\xCC\x81T\xC3\x89") == "\xC3\xA9t\xC3\xA9");           // É decomposed and composed: both é
  CHECK(fold_text("\xCE\xA3\xCE\x9F\xCE\xA6\xCE\x99\xCE\x91") == fold_text("\xCF\x83\xCE\xBF\xCF\x86\xCE\xB9\xCE\xB1"));  // ΣΟΦΙΑ / σοφια
  CHECK(fold_text("OK\xFF") == "ok\xFF");  // invalid UTF-8 still folds its ASCII
  CHECK(fold_text("a \t\n  B") == "a b");   // whitespace runs become one space
}

TEST_CASE("text_match: word-by-word folding equals folding the whole text") {
  // Only words with non-ASCII bytes go through utf8proc; the result must be
  // the whole text's fold, spaces collapsed.
  CHECK(fold_text("Train 7:32 CANCELLED again \"Why?\" \xC3\x89\xC3\x88 \xF0\x9F\x98\xA0 OK") ==
        "train 7:32 cancelled again \"why?\" \xC3\xA9\xC3\xA8 \xF0\x9F\x98\xA0 ok");
  CHECK(fold_text("caf\xC3\x89  STRASSE\tStra\xC3\x9F""e") == "caf\xC3\xA9 strasse strasse");
  CHECK(fold_text("E\xCC\x81 \xCC\x81x") == "\xC3\xA9 \xCC\x81x");  // a mark after a space stays alone
  CHECK(fold_text("ok \xFF Stra\xC3\x9F""e") == "ok \xFF stra\xC3\x9F""e");  // invalid UTF-8 anywhere: ASCII only, as before
}

TEST_CASE("text_match: keywords match whole words on Unicode boundaries") {
  CHECK(finds("cancelled", "Train 7:32 CANCELLED again"));
  CHECK(finds("cancelled", "cancelled"));
  CHECK_FALSE(finds("cancel", "Train cancelled"));  // not a word prefix
  CHECK_FALSE(finds("late", "chocolate"));
  CHECK(finds("late", "running late, again"));
  // RE2's \b would see a boundary between "caf" and "é"; ours does not.
  CHECK_FALSE(finds("caf", "caf\xC3\xA9 closed"));
  CHECK(finds("caf\xC3\xA9", "le CAFE\xCC\x81 est ferm\xC3\xA9"));  // decomposed É folds to é
  CHECK_FALSE(finds("ferm", "ferm\xC3\xA9"));
  CHECK(finds("versp\xC3\xA4tung", "VERSP\xC3\x84TUNG auf der Strecke"));
  CHECK(finds("stra\xC3\x9F" "e", "STRASSE gesperrt"));  // ß folds to ss on both sides
  CHECK(finds("switching provider", "I'm switching   provider tomorrow"));
  CHECK(finds("switching provider", "switching\nprovider"));
  CHECK_FALSE(finds("switching provider", "switching providers"));
  CHECK(finds("\xE9\x81\x85\xE5\xBB\xB6", "\xE9\x9B\xBB\xE8\xBB\x8A \xE9\x81\x85\xE5\xBB\xB6"));  // 遅延 after a space
  CHECK(finds("#refund", "want a #refund now"));  // non-word edges need no boundary
}

TEST_CASE("text_match: one set scans for many keywords and regexes at once") {
  PatternSet set;
  const int a = set.add_keyword("outage");
  const int b = set.add_keyword("power cut");
  std::string err;
  const int c = set.add_regex(R"(\border\s*#?\d{5,}\b)", &err);
  REQUIRE(c >= 0);
  CHECK(set.add_regex("(unclosed", &err) == -1);
  CHECK(err.find("missing )") != std::string::npos);
  REQUIRE(set.compile(&err));
  std::vector<int> hits;
  set.match(fold_text("POWER CUT since 6am, order #123456"), hits);
  CHECK(hits == std::vector<int>{b, c});
  set.match(fold_text("nothing here"), hits);
  CHECK(hits.empty());
  set.match(fold_text("Outage"), hits);
  CHECK(hits == std::vector<int>{a});
  CHECK(set.matched_text(c, fold_text("Order 98765 missing")) == "order 98765");
}

TEST_CASE("text_match: many keywords compile into one set") {
  PatternSet set;
  for (int i = 0; i < 2000; ++i) set.add_keyword("word" + std::to_string(i));
  std::string err;
  REQUIRE(set.compile(&err));
  std::vector<int> hits;
  set.match("a word1999 b word7", hits);
  CHECK(hits == std::vector<int>{7, 1999});
}
