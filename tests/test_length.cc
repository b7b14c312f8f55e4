#include <doctest/doctest.h>

#include <string>

#include "lib/reply/length.h"

using namespace socq;
using namespace socq::reply;

namespace {
// Emoji and marks spelt as UTF-8 bytes, named.
const std::string kFamily = "\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7";  // 👩‍👩‍👧 (5 code points)
const std::string kFlagFr = "\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7";                                      // 🇫🇷
const std::string kThumbTone = "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD";                                   // 👍🏽
const std::string kKeycap1 = "1\xEF\xB8\x8F\xE2\x83\xA3";                                            // 1️⃣
const std::string kEAcuteDecomposed = "e\xCC\x81";                                                   // e + U+0301
const std::string kNichi = "\xE6\x97\xA5";                                                           // 日 U+65E5
const std::string kEllipsis = "\xE2\x80\xA6";                                                        // … U+2026
const std::string kEmDash = "\xE2\x80\x94";                                                          // — U+2014

std::string times(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}
const std::string kLongUrl = "https://example.com/" + std::string(180, 'p');  // 200 characters
}  // namespace

TEST_CASE("length: graphemes: ZWJ sequences, flags, skin tones and combining marks count one each") {
  CHECK(count_graphemes("abc") == 3);
  CHECK(count_graphemes(kFamily) == 1);
  CHECK(count_code_points(kFamily) == 5);
  CHECK(count_graphemes(kFlagFr) == 1);
  CHECK(count_graphemes(kFlagFr + kFlagFr) == 2);  // two flags, not one run of indicators
  CHECK(count_graphemes(kThumbTone) == 1);
  CHECK(count_graphemes(kEAcuteDecomposed) == 1);
  CHECK(count_graphemes(kKeycap1) == 1);
  CHECK(count_graphemes("a\r\nb") == 3);  // CR LF is one
  CHECK(count_graphemes("") == 0);
  CHECK(count_graphemes("a\xFF" "b") == 3);  // a byte that is not UTF-8 counts alone
}

TEST_CASE("length: URLs are http(s):// up to whitespace, without trailing punctuation") {
  const std::string t = "see https://example.com/a?b=1. and (http://x.org/y) or https://en.wikipedia.org/wiki/Foo_(bar)!";
  const auto urls = find_urls(t);
  REQUIRE(urls.size() == 3);
  CHECK(t.substr(urls[0].begin, urls[0].end - urls[0].begin) == "https://example.com/a?b=1");
  CHECK(t.substr(urls[1].begin, urls[1].end - urls[1].begin) == "http://x.org/y");
  CHECK(t.substr(urls[2].begin, urls[2].end - urls[2].begin) == "https://en.wikipedia.org/wiki/Foo_(bar)");
  CHECK(find_urls("HTTPS://EXAMPLE.COM").size() == 1);
  CHECK(find_urls("https:// nothing").empty());
  CHECK(find_urls("xhttps://example.com").empty());  // glued to a word
  CHECK(find_urls("example.com").empty());            // no scheme: Mastodon counts it as text
}

TEST_CASE("length: Mastodon counts each URL as 23 whatever its length") {
  CHECK(mastodon_length("a " + kLongUrl, 23) == 25);
  CHECK(mastodon_length("a https://t.co", 23) == 25);  // a short URL counts 23 too
  CHECK(mastodon_length("a " + kLongUrl + " " + kLongUrl, 23) == 2 + 23 + 1 + 23);
  CHECK(mastodon_length(kLongUrl + ".", 23) == 24);  // the full stop is text
}

TEST_CASE("length: Mastodon counts a remote mention @user@domain as @user") {
  CHECK(mastodon_length("@sam@mastodon.social hi", 23) == 7);
  CHECK(mastodon_length("@sam hi", 23) == 7);
  CHECK(mastodon_length("@sam@social.example.org, hi", 23) == 8);
  CHECK(mastodon_length("mail sam@example.com", 23) == 20);  // an address is not a mention
  CHECK(mastodon_length("@first.last@social.example hi", 23) == 14);
  CHECK(mastodon_length("@sam.@social.example", 23) == 20);  // no username ends with a dot
  CHECK(mastodon_length(kFamily + " " + kFlagFr + kThumbTone, 23) == 4);
}

TEST_CASE("length: Mastodon limit is exact at the boundary, URLs included") {
  const Limits l = default_limits("mastodon", true);
  CHECK(l.max_chars == 500);
  CHECK(measure(std::string(500, 'a'), "mastodon", l).length == 500);
  CHECK(measure(std::string(476, 'a') + " " + kLongUrl, "mastodon", l).length == 500);
  CHECK(measure(std::string(477, 'a') + " " + kLongUrl, "mastodon", l).length == 501);
  CHECK(measure(times(kFamily, 500), "mastodon", l).length == 500);  // 9000 bytes, 500 graphemes
  CHECK(measure("a " + kLongUrl, "mastodon", l).urls == 1);
}

TEST_CASE("length: Bluesky counts graphemes and bytes, URLs in full") {
  const Limits l = default_limits("bluesky", true);
  CHECK(l.max_chars == 300);
  CHECK(l.max_bytes == 3000);
  CHECK(bluesky_length("a " + kLongUrl) == 202);
  const Measured m = measure(times(kFamily, 300), "bluesky", l);
  CHECK(m.length == 300);
  CHECK(m.bytes == 300 * 18);
  CHECK(measure(std::string(301, 'a'), "bluesky", l).length == 301);
  const Limits chat = default_limits("bluesky", false);  // chat.bsky.convo messageInput
  CHECK(chat.max_chars == 1000);
  CHECK(chat.max_bytes == 10000);
}

TEST_CASE("length: X weighs code points by twitter-text config v3") {
  CHECK(x_weighted_length(std::string(280, 'a')) == 280);
  CHECK(x_weighted_length(times(kNichi, 140)) == 280);
  CHECK(x_weighted_length(times(kNichi, 141)) == 282);
  CHECK(x_weighted_length(kEmDash) == 1);    // U+2010-U+201F weigh 1
  CHECK(x_weighted_length(kEllipsis) == 2);  // U+2026 is outside every range
  CHECK(x_weighted_length("\xE2\x82\xAC") == 2);  // € U+20AC
  CHECK(x_weighted_length("\xD0\x96") == 1);  // Ж (Cyrillic, below U+10FF)
}

TEST_CASE("length: X counts an emoji sequence 2, NFC first, every URL 23 (bare domains too)") {
  CHECK(x_weighted_length(kFamily) == 2);
  CHECK(x_weighted_length(kFlagFr) == 2);
  CHECK(x_weighted_length(kThumbTone) == 2);
  CHECK(x_weighted_length(kKeycap1) == 2);
  CHECK(x_weighted_length(kEAcuteDecomposed) == 1);  // NFC: é, U+00E9
  CHECK(x_weighted_length("a " + kLongUrl) == 25);
  CHECK(x_weighted_length("see example.com now") == 4 + 23 + 4);
  CHECK(x_weighted_length("see help.example.co.uk/faq.") == 4 + 23 + 1);
  CHECK(x_weighted_length("mail sam@example.com") == 20);  // an address is not a link
  CHECK(x_weighted_length("example.comfort") == 15);
  CHECK(x_weighted_length("sorry.It works") == 14);  // a country-code domain needs a path
  CHECK(x_weighted_length("see bbc.co.uk/news") == 4 + 23);
  const Limits l = default_limits("x", true);
  CHECK(l.max_chars == 280);
  CHECK(l.unit == "weighted");
}

TEST_CASE("length: Facebook counts characters: 8000 for a comment, 2000 for Messenger") {
  CHECK(default_limits("facebook", true).max_chars == 8000);
  CHECK(default_limits("facebook", false).max_chars == 2000);
  CHECK(measure(kFamily, "facebook", default_limits("facebook", true)).length == 5);
  CHECK(default_limits("reddit", true).max_chars == 0);
}

TEST_CASE("length: arbitrary bytes are counted, never more units than bytes") {
  uint64_t seed = 42;
  const std::string alphabet[] = {"a", " ", "@", ".", "/", ":", "h", "ttps://", "\xCC\x81", "\xE2\x80\x8D", "\xF0\x9F\x91\xA9",
                                  "\xF0\x9F\x87\xAB", "\xFF", "\xC3", "\n", ")", "x.com", "@b@c.d"};
  for (int round = 0; round < 2000; ++round) {
    std::string s;
    for (int k = 0; k < 24; ++k) {
      seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
      s += alphabet[(seed >> 33) % std::size(alphabet)];
    }
    CHECK(count_graphemes(s) <= static_cast<int64_t>(s.size()));
    CHECK(count_code_points(s) <= static_cast<int64_t>(s.size()));
    CHECK(mastodon_length(s, 0) <= count_graphemes(s));  // URLs as 0 and mentions cut: never longer
    CHECK(x_weighted_length(s) >= 0);
    for (const Span& u : find_urls(s)) CHECK((u.begin < u.end && u.end <= s.size()));
  }
}
