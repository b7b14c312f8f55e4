#include "lib/triage/calendar.h"

#include <algorithm>
#include <cstdio>

#include "lib/timefmt.h"

namespace socq {
namespace {

using std::chrono::floor;
using std::chrono::minutes;

// No team is closed this long in a row; a guard against a calendar that
// holidays close for good.
constexpr int kMaxDaysScanned = 366 * 5;

bool valid_week(const std::vector<std::vector<OpenRange>>& week) {
  if (week.size() != 7) return false;
  for (const auto& day : week) {
    int last_close = -1;
    for (const auto& r : day) {
      if (r.open_min < 0 || r.close_min > 24 * 60 || r.open_min >= r.close_min || r.open_min < last_close) return false;
      last_close = r.close_min;
    }
  }
  return true;
}

}  // namespace

Result<Calendar> Calendar::always(const std::string& zone) {
  Calendar c;
  try {
    c.zone_ = date::locate_zone(zone);
  } catch (const std::exception&) {
    return Error{Exit::config, "unknown time zone \"" + zone + "\" (IANA names such as Europe/London)"};
  }
  c.zone_name_ = zone;
  c.always_ = true;
  return c;
}

Result<Calendar> Calendar::weekly(const std::string& zone, std::vector<std::vector<OpenRange>> week,
                                  std::vector<Holiday> holidays) {
  auto c = always(zone);
  if (!c) return c;
  if (!valid_week(week)) return Error{Exit::config, "weekly hours need 7 days of sorted, disjoint HH:MM-HH:MM ranges"};
  const bool any_open = std::any_of(week.begin(), week.end(), [](const auto& d) { return !d.empty(); });
  if (!any_open) return Error{Exit::config, "a team's hours must open on at least one day (or be \"24/7\")"};
  c->always_ = false;
  c->week_ = std::move(week);
  c->holidays_ = std::move(holidays);
  return c;
}

LocalDay Calendar::local_day_of(TimePoint t) const {
  return floor<date::days>(zone_->to_local(t));
}

bool Calendar::is_holiday(LocalDay day) const {
  const date::year_month_day ymd{day};
  return std::any_of(holidays_.begin(), holidays_.end(),
                     [&](const Holiday& h) { return h.first <= ymd && ymd <= h.last; });
}

std::vector<std::pair<TimePoint, TimePoint>> Calendar::openings_on(LocalDay day) const {
  std::vector<std::pair<TimePoint, TimePoint>> out;
  if (always_) {
    // Local midnight to midnight: 23 or 25 hours on DST days.
    out.emplace_back(zone_->to_sys(day, date::choose::earliest), zone_->to_sys(day + date::days{1}, date::choose::earliest));
    return out;
  }
  if (is_holiday(day)) return out;
  const unsigned wd = date::weekday{day}.c_encoding();
  for (const auto& r : week_[wd]) {
    // A skipped local time (spring forward) maps to the moment of the change;
    // a repeated one (fall back) opens at its first and closes at its second
    // occurrence, so the team keeps every hour its clock shows.
    const auto open = zone_->to_sys(day + minutes{r.open_min}, date::choose::earliest);
    const auto close = zone_->to_sys(day + minutes{r.close_min}, date::choose::latest);
    if (open < close) out.emplace_back(floor<Seconds>(open), floor<Seconds>(close));
  }
  return out;
}

bool Calendar::is_open(TimePoint t) const {
  if (always_) return true;
  const LocalDay day = local_day_of(t);
  for (const auto& [open, close] : openings_on(day))
    if (open <= t && t < close) return true;
  return false;
}

TimePoint Calendar::next_open(TimePoint t) const {
  if (always_) return t;
  LocalDay day = local_day_of(t);
  for (int i = 0; i < kMaxDaysScanned; ++i, day += date::days{1})
    for (const auto& [open, close] : openings_on(day))
      if (close > t) return std::max(open, t);
  return TimePoint::max();
}

TimePoint Calendar::add_business(TimePoint start, Seconds d) const {
  if (always_ || d <= Seconds{0}) return start + std::max(d, Seconds{0});
  LocalDay day = local_day_of(start);
  for (int i = 0; i < kMaxDaysScanned; ++i, day += date::days{1}) {
    for (const auto& [open, close] : openings_on(day)) {
      if (close <= start) continue;
      const TimePoint from = std::max(open, start);
      const Seconds available = close - from;
      if (d <= available) return from + d;
      d -= available;
    }
  }
  return TimePoint::max();
}

Seconds Calendar::business_between(TimePoint a, TimePoint b) const {
  if (b <= a) return Seconds{0};
  if (always_) return b - a;
  Seconds total{0};
  const LocalDay last = local_day_of(b);
  for (LocalDay day = local_day_of(a); day <= last; day += date::days{1})
    for (const auto& [open, close] : openings_on(day)) {
      const TimePoint from = std::max(open, a), to = std::min(close, b);
      if (from < to) total += to - from;
    }
  return total;
}

std::optional<TimePoint> parse_time_point(const std::string& rfc3339) {
  auto ms = parse_rfc3339_utc(rfc3339);
  if (!ms) return std::nullopt;
  return floor<Seconds>(std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(*ms)));
}

std::string format_time_point(TimePoint t) {
  return format_rfc3339_utc(std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count());
}

std::optional<Seconds> parse_duration(const std::string& s) {
  if (s.empty()) return std::nullopt;
  int64_t total = 0;
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    int64_t n = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      n = n * 10 + (s[i] - '0');
      if (n > 1'000'000'000) return std::nullopt;
      ++i;
    }
    if (i == s.size()) return std::nullopt;  // a number needs its unit
    switch (s[i++]) {
      case 'd': total += n * 86400; break;
      case 'h': total += n * 3600; break;
      case 'm': total += n * 60; break;
      case 's': total += n; break;
      default: return std::nullopt;
    }
  }
  return Seconds{total};
}

std::string format_duration(Seconds d) {
  int64_t s = d.count();
  const bool negative = s < 0;
  if (negative) s = -s;
  const int64_t days = s / 86400, hours = s / 3600 % 24, mins = s / 60 % 60, secs = s % 60;
  char buf[64];
  int n = 0;
  auto put = [&](int64_t v, char unit) { n += std::snprintf(buf + n, sizeof buf - n, "%lld%c", static_cast<long long>(v), unit); };
  if (negative) buf[n++] = '-';
  if (days) put(days, 'd');
  if (hours) put(hours, 'h');
  if (mins || (!days && !hours && !secs)) put(mins, 'm');
  if (secs && !days && !hours) put(secs, 's');
  return std::string(buf, n);
}

}  // namespace socq
