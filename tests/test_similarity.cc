#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "lib/reply/similarity.h"

using namespace socq::reply;

namespace {
using Words = std::vector<std::string>;
const std::string kBody =
    "we are sorry your train was cancelled. A full refund for the ticket is on its way and should reach your "
    "account within five working days.";
}  // namespace

TEST_CASE("similarity: greeting, names, mentions and URLs are not the reply") {
  CHECK(normalised_words("Hi Sam, we have refunded your ticket today.", {"Sam"}) ==
        Words{"we", "have", "refunded", "your", "ticket", "today"});
  CHECK(normalised_words("@sam@mastodon.social Thanks Sam! We have refunded it, see https://example.com/r/1", {"@sam@mastodon.social"}) ==
        Words{"we", "have", "refunded", "it", "see"});
  CHECK(normalised_words("Dear Ms. Lee:\nWe've refunded it.", {}) == Words{"we've", "refunded", "it"});
  CHECK(normalised_words("Sam, we have refunded it.", {}) == Words{"we", "have", "refunded", "it"});  // a vocative
  CHECK(normalised_words("We have refunded your ticket", {}) == Words{"we", "have", "refunded", "your", "ticket"});
}

TEST_CASE("similarity: Unicode folding and numbers") {
  CHECK(normalised_words("HALLO J\xC3\x9CRGEN, STRASSE gesperrt", {"J\xC3\xBCrgen"}) == Words{"strasse", "gesperrt"});
  CHECK(normalised_words("Stra\xC3\x9F" "e gesperrt", {}) == Words{"strasse", "gesperrt"});
  CHECK(normalised_words("your reference is R-1234 from 09:30", {}) == Words{"your", "reference", "is", "r", "0", "from", "0", "0"});
}

TEST_CASE("similarity: the same reply with another greeting and name is the same") {
  const Shingles a = shingles_of("Hi Sam, " + kBody, {"Sam"});
  const Shingles b = shingles_of("Thanks Alex!\n" + kBody, {"Alex"});
  CHECK(jaccard(a, b) == doctest::Approx(1.0));
  // Without the names known, the greeting line still goes.
  CHECK(jaccard(shingles_of("Hi Sam, " + kBody, {}), shingles_of("Hello Alex Smith, " + kBody, {})) == doctest::Approx(1.0));
}

TEST_CASE("similarity: a template filled for two customers is the same reply") {
  const std::string t1 = "Hi Sam, your booking reference R-48213 has been refunded; the money reaches your card within five days. ^Jo";
  const std::string t2 = "Hi Priya, your booking reference R-99102 has been refunded; the money reaches your card within five days. ^Jo";
  CHECK(jaccard(shingles_of(t1, {"Sam"}), shingles_of(t2, {"Priya"})) >= 0.8);
}

TEST_CASE("similarity: two genuinely different replies are not") {
  const Shingles a = shingles_of("Hi Sam, " + kBody, {"Sam"});
  const Shingles b = shingles_of("Hi Alex, the 07:12 to Leeds runs late because of a signal fault near York; we expect it to leave "
                                 "twenty minutes late.",
                                 {"Alex"});
  CHECK(jaccard(a, b) < 0.2);
  // Half the reply changed: below the threshold.
  const Shingles c = shingles_of("Hi Alex, we are sorry your train was cancelled. Please show this post to the guard on the next "
                                 "train and travel at no extra cost today.",
                                 {"Alex"});
  CHECK(jaccard(a, c) < 0.8);
}

TEST_CASE("similarity: short replies are not compared") {
  CHECK(shingles_of("Thanks Sam!", {"Sam"}).hashes.empty());
  CHECK(shingles_of("Glad it worked out!", {}).hashes.empty());
  CHECK(jaccard(shingles_of("Thanks!", {}), shingles_of("Thanks!", {})) == 0);
  CHECK_FALSE(shingles_of("We have refunded your ticket now", {}).hashes.empty());
}

TEST_CASE("similarity: arbitrary bytes normalise, and a reply is wholly like itself") {
  uint64_t seed = 7;
  const std::string alphabet[] = {"hi ", "sam", ", ", "! ", "\n", "@x@y.z ", "https://a.b/c ", "\xC3\x9F", "\xFF", "\xE2\x80\x99",
                                  "we ", "refund ", "12 ", "'", "\xCC\x81", "ticket "};
  for (int round = 0; round < 2000; ++round) {
    std::string s;
    for (int k = 0; k < 30; ++k) {
      seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
      s += alphabet[(seed >> 33) % std::size(alphabet)];
    }
    const Shingles a = shingles_of(s, {"Sam"});
    if (a.hashes.empty()) continue;
    CHECK(jaccard(a, a) == doctest::Approx(1.0));
  }
}
