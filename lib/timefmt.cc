#include "lib/timefmt.h"

#include <cctype>
#include <charconv>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <cstdio>

namespace socq {
namespace {

// Howard Hinnant's days_from_civil / civil_from_days (public domain algorithms).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

// A digit's value, or more than 9 for any other byte.
unsigned digit(char ch) { return static_cast<unsigned>(static_cast<unsigned char>(ch)) - unsigned{'0'}; }

bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

// Whether the 20 bytes at p have the layout YYYY-MM-DDTHH:MM:SSZ (digits
// anywhere a letter Y M D H S stands): two overlapping 16-byte loads, so a
// time costs a few instructions on the hot path, which reads several a case.
bool plain_layout(const char* p) {
#if defined(__SSE2__)
  // Offsets 0-15, then 4-19; a digit where `want` holds '0'.
  const __m128i want_a = _mm_setr_epi8('0', '0', '0', '0', '-', '0', '0', '-', '0', '0', 'T', '0', '0', ':', '0', '0');
  const __m128i want_b = _mm_setr_epi8('-', '0', '0', '-', '0', '0', 'T', '0', '0', ':', '0', '0', ':', '0', '0', 'Z');
  const auto ok = [](__m128i x, __m128i want) {
    const __m128i digit_at = _mm_cmpeq_epi8(want, _mm_set1_epi8('0'));
    const __m128i d = _mm_sub_epi8(x, _mm_set1_epi8('0'));
    const __m128i is_digit = _mm_cmpeq_epi8(_mm_max_epu8(d, _mm_set1_epi8(9)), _mm_set1_epi8(9));
    const __m128i good = _mm_or_si128(_mm_and_si128(digit_at, is_digit), _mm_andnot_si128(digit_at, _mm_cmpeq_epi8(x, want)));
    return _mm_movemask_epi8(good) == 0xffff;
  };
  return ok(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)), want_a) &&
         ok(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 4)), want_b);
#else
  static constexpr char want[] = "0000-00-00T00:00:00Z";
  for (int i = 0; i < 20; ++i)
    if (want[i] == '0' ? digit(p[i]) > 9 : p[i] != want[i]) return false;
  return true;
#endif
}

}  // namespace

std::optional<int64_t> parse_rfc3339_utc(std::string_view s) {
  if (s.size() < 20) return std::nullopt;
  const char* p = s.data();
  int64_t ms = 0;
  if (s.size() > 20 || !plain_layout(p)) {  // fractional seconds, or not a time
    const char with_z[20] = {p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9],
                             p[10], p[11], p[12], p[13], p[14], p[15], p[16], p[17], p[18], 'Z'};
    if (!plain_layout(with_z) || p[19] != '.') return std::nullopt;
    size_t pos = 20;
    for (int scale = 100; pos < s.size() && digit(s[pos]) <= 9; ++pos, scale /= 10) ms += digit(s[pos]) * scale;
    if (pos == 20 || pos + 1 != s.size() || s[pos] != 'Z') return std::nullopt;
  }
  const auto two = [&](int i) { return static_cast<int>(digit(p[i]) * 10 + digit(p[i + 1])); };
  const int h = two(11), mi = two(14), se = two(17);
  if (h > 23 || mi > 59 || se > 60) return std::nullopt;
  // The last valid date read on this thread and its day number: the times
  // of a case, and of cases near each other, mostly share their date.
  thread_local uint64_t memo_head = 0;
  thread_local uint16_t memo_tail = 0;
  thread_local int64_t memo_days = 0;
  uint64_t head;
  uint16_t tail;
  std::memcpy(&head, p, 8);
  std::memcpy(&tail, p + 8, 2);
  if (head != memo_head || tail != memo_tail) {  // (no date's bytes are all zero)
    const int y = two(0) * 100 + two(2), mo = two(5), day = two(8);
    if (mo < 1 || mo > 12 || day < 1 || day > days_in_month(y, mo)) return std::nullopt;
    memo_days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(day));
    memo_head = head, memo_tail = tail;
  }
  return ((memo_days * 24 + h) * 60 + mi) * 60000 + int64_t{se} * 1000 + ms;
}

std::optional<int64_t> parse_epoch_ms(std::string_view digits, bool in_seconds) {
  if (digits.empty() || digits.front() == '+' || digits.front() == '-') return std::nullopt;
  int64_t n = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  const int64_t limit = in_seconds ? kMaxTimeMs / 1000 : kMaxTimeMs;
  if (n > limit) return std::nullopt;
  return in_seconds ? n * 1000 : n;
}

std::string format_rfc3339_utc(int64_t epoch_ms) {
  int64_t days = epoch_ms >= 0 ? epoch_ms / 86400000 : (epoch_ms - 86399999) / 86400000;
  int64_t rem = epoch_ms - days * 86400000;
  int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  const int h = static_cast<int>(rem / 3600000), mi = static_cast<int>(rem / 60000 % 60),
            se = static_cast<int>(rem / 1000 % 60), ms = static_cast<int>(rem % 1000);
  char buf[40];
  if (ms == 0)
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02dZ", static_cast<long long>(y), m, d, h, mi, se);
  else
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<long long>(y), m, d, h,
                  mi, se, ms);
  return buf;
}

std::optional<int64_t> parse_rfc3339_any(std::string_view s) {
  if (s.size() < 20) return std::nullopt;
  std::string t(s);
  int64_t offset_ms = 0;
  if (t.back() != 'Z' && t.back() != 'z') {
    if (t.size() < 25) return std::nullopt;
    const std::string off = t.substr(t.size() - 6);
    if ((off[0] != '+' && off[0] != '-') || off[3] != ':' || !std::isdigit(static_cast<unsigned char>(off[1])) ||
        !std::isdigit(static_cast<unsigned char>(off[2])) || !std::isdigit(static_cast<unsigned char>(off[4])) ||
        !std::isdigit(static_cast<unsigned char>(off[5])))
      return std::nullopt;
    const int hours = (off[1] - '0') * 10 + (off[2] - '0'), minutes = (off[4] - '0') * 10 + (off[5] - '0');
    if (hours > 23 || minutes > 59) return std::nullopt;
    offset_ms = (hours * 60 + minutes) * 60000LL;
    if (off[0] == '-') offset_ms = -offset_ms;
    t = t.substr(0, t.size() - 6) + "Z";
  }
  t.back() = 'Z';
  auto ms = parse_rfc3339_utc(t);
  if (!ms || !time_in_range(*ms - offset_ms)) return std::nullopt;
  return *ms - offset_ms;
}

}  // namespace socq
