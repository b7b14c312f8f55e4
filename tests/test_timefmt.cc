#include <doctest/doctest.h>

#include "lib/timefmt.h"

using namespace socq;

TEST_CASE("RFC 3339 UTC times parse to epoch milliseconds and back") {
  CHECK(parse_rfc3339_utc("1970-01-01T00:00:00Z") == 0);
  CHECK(parse_rfc3339_utc("2026-11-20T07:41:09Z") == 1795160469000);
  CHECK(parse_rfc3339_utc("2026-11-20T07:41:09.250Z") == 1795160469250);
  CHECK(format_rfc3339_utc(1795160469000) == "2026-11-20T07:41:09Z");
  CHECK(format_rfc3339_utc(1795160469250) == "2026-11-20T07:41:09.250Z");
  CHECK(parse_rfc3339_utc("2024-02-29T12:00:00Z").has_value());
  CHECK(format_rfc3339_utc(*parse_rfc3339_utc("1969-12-31T23:59:59Z")) == "1969-12-31T23:59:59Z");
}

TEST_CASE("times that are not UTC RFC 3339 are rejected") {
  CHECK_FALSE(parse_rfc3339_utc("2026-11-20 07:41:09Z"));
  CHECK_FALSE(parse_rfc3339_utc("2026-11-20T07:41:09+01:00"));
  CHECK_FALSE(parse_rfc3339_utc("2026-11-20T07:41:09"));
  CHECK_FALSE(parse_rfc3339_utc("2026-02-30T07:41:09Z"));
  CHECK_FALSE(parse_rfc3339_utc("2025-02-29T07:41:09Z"));
  CHECK_FALSE(parse_rfc3339_utc("2026-11-20T24:00:00Z"));
  CHECK_FALSE(parse_rfc3339_utc("2026-11-20T07:41:09.Z"));
  CHECK_FALSE(parse_rfc3339_utc("Tue Oct 31 22:10:47 +0000 2017"));
  CHECK_FALSE(parse_rfc3339_utc(""));
}

TEST_CASE("platform times: Z or an offset, as RFC 3339 allows, read as UTC") {
  CHECK(parse_rfc3339_any("2026-11-20T07:41:09Z") == 1795160469000);
  CHECK(parse_rfc3339_any("2026-11-20T07:41:09.250z") == 1795160469250);
  CHECK(parse_rfc3339_any("2026-11-20T02:41:09-05:00") == 1795160469000);  // Mastodon's documented example form
  CHECK(parse_rfc3339_any("2026-11-20T09:11:09.250+01:30") == 1795160469250);
  CHECK(parse_rfc3339_any("2026-11-20T07:41:09+00:00") == 1795160469000);
  CHECK_FALSE(parse_rfc3339_any("2026-11-20T07:41:09+24:00"));
  CHECK_FALSE(parse_rfc3339_any("2026-11-20T07:41:09+01:60"));
  CHECK_FALSE(parse_rfc3339_any("2026-11-20T07:41:09+0100"));
  CHECK_FALSE(parse_rfc3339_any("2026-11-20T07:41:09"));
  CHECK_FALSE(parse_rfc3339_any("9999-12-31T23:59:59-01:00"));  // past the years socq can store
}

TEST_CASE("a time is refused when any one byte of it is wrong, with or without a fraction") {
  // The layout is checked 16 bytes at a time: each offset must still count.
  for (const std::string good : {"2026-11-20T07:41:09Z", "2026-11-20T07:41:09.5Z", "2026-11-20T07:41:09.123456Z"}) {
    REQUIRE(parse_rfc3339_utc(good).has_value());
    for (size_t i = 0; i < good.size(); ++i) {
      for (char bad : {'/', ':', 'a', ' ', '\0', '\xff', '.'}) {
        std::string t = good;
        if (t[i] == bad || (i > 19 && i + 1 < t.size() && bad == '.')) continue;
        t[i] = bad;
        CAPTURE(t);
        CHECK_FALSE(parse_rfc3339_utc(t).has_value());
      }
    }
  }
  CHECK(parse_rfc3339_utc("2026-11-20T07:41:09.5Z") == 1795160469500);
  CHECK(parse_rfc3339_utc("2026-11-20T07:41:09.123456Z") == 1795160469123);
  CHECK(parse_rfc3339_utc("0000-01-01T00:00:00Z").has_value());
  CHECK(parse_rfc3339_utc("9999-12-31T23:59:60Z").has_value());
  CHECK_FALSE(parse_rfc3339_utc("2026-11-20T07:41:09ZZ"));
  CHECK_FALSE(parse_rfc3339_utc("2026-11-20T07:41:09.5"));
  CHECK_FALSE(parse_rfc3339_utc("2026-11-20T07:41:09.5ZZ"));
  CHECK_FALSE(parse_rfc3339_utc("2026-13-20T07:41:09Z"));
  CHECK_FALSE(parse_rfc3339_utc("2026-11-20T07:60:09Z"));
  CHECK_FALSE(parse_rfc3339_utc("2026-11-20T07:41:61Z"));
}

TEST_CASE("a date read just before does not vouch for another: the per-thread date memo") {
  // Each valid time, then an invalid date sharing all but one byte, then the
  // valid one again, against the day count from format_rfc3339_utc.
  for (int64_t day = -800; day < 800; day += 7) {
    const int64_t ms = 1700000000000LL + day * 86400000LL + 12345000LL;
    const std::string t = format_rfc3339_utc(ms);
    CHECK(parse_rfc3339_utc(t) == ms);
    std::string bad = t;
    bad[8] = '3', bad[9] = '2';  // day 32
    CHECK(!parse_rfc3339_utc(bad));
    CHECK(parse_rfc3339_utc(t) == ms);
    std::string other = t;
    other[15] = other[15] == '0' ? '1' : '0';  // same date, another minute
    CHECK(parse_rfc3339_utc(other) == ms + (other[15] - t[15]) * 60000LL);
  }
  CHECK(!parse_rfc3339_utc("2024-02-30T00:00:00Z"));
  CHECK(parse_rfc3339_utc("2024-02-29T00:00:00Z"));
  CHECK(!parse_rfc3339_utc("2023-02-29T00:00:00Z"));
  CHECK(parse_rfc3339_utc("2023-02-28T23:59:59Z") == parse_rfc3339_utc("2023-03-01T00:00:00Z").value() - 1000);
}
