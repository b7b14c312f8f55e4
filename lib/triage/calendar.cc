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
  for (const auto& h : c->holidays_) c->holiday_days_.emplace_back(LocalDay{h.first}, LocalDay{h.last});
  return c;
}

LocalDay Calendar::local_day_of(TimePoint t) const {
  return floor<date::days>(zone_->to_local(t));
}

bool Calendar::is_holiday(LocalDay day) const {
  return std::any_of(holiday_days_.begin(), holiday_days_.end(),
                     [&](const auto& h) { return h.first <= day && day <= h.second; });
}

TimePoint Calendar::to_utc(date::local_seconds t, date::choose z, date::sys_info& hint) const {
  // Well inside one offset period (a day from either end) a local time has
  // exactly one UTC time: no lookup needed. Near a change, ask the database.
  const TimePoint guess{t.time_since_epoch() - hint.offset};
  if (guess - hint.begin >= date::days{1} && hint.end - guess >= date::days{1}) return guess;
  const TimePoint exact = floor<Seconds>(zone_->to_sys(t, z));
  hint = zone_->get_info(exact);
  return exact;
}

template <class F>
void Calendar::each_opening(LocalDay day, date::sys_info& hint, F&& f) const {
  if (always_) {
    // Local midnight to midnight: 23 or 25 hours on DST days.
    const TimePoint open = to_utc(day, date::choose::earliest, hint);
    f(open, to_utc(day + date::days{1}, date::choose::earliest, hint));
    return;
  }
  if (is_holiday(day)) return;
  const unsigned wd = date::weekday{day}.c_encoding();
  for (const auto& r : week_[wd]) {
    // A skipped local time (spring forward) maps to the moment of the change;
    // a repeated one (fall back) opens at its first and closes at its second
    // occurrence, so the team keeps every hour its clock shows.
    const TimePoint open = to_utc(day + minutes{r.open_min}, date::choose::earliest, hint);
    const TimePoint close = to_utc(day + minutes{r.close_min}, date::choose::latest, hint);
    if (open < close) f(open, close);
  }
}

std::vector<std::pair<TimePoint, TimePoint>> Calendar::openings_on(LocalDay day) const {
  std::vector<std::pair<TimePoint, TimePoint>> out;
  date::sys_info hint{};
  each_opening(day, hint, [&](TimePoint open, TimePoint close) { out.emplace_back(open, close); });
  return out;
}

bool Calendar::is_open(TimePoint t) const {
  if (always_) return true;
  bool open_now = false;
  date::sys_info hint = zone_->get_info(t);
  each_opening(local_day_of(t), hint, [&](TimePoint open, TimePoint close) { open_now |= open <= t && t < close; });
  return open_now;
}

TimePoint Calendar::next_open(TimePoint t) const {
  if (always_) return t;
  date::sys_info hint = zone_->get_info(t);
  LocalDay day = local_day_of(t);
  for (int i = 0; i < kMaxDaysScanned; ++i, day += date::days{1}) {
    std::optional<TimePoint> found;
    each_opening(day, hint, [&](TimePoint open, TimePoint close) {
      if (!found && close > t) found = std::max(open, t);
    });
    if (found) return *found;
  }
  return TimePoint::max();
}

TimePoint Calendar::add_business(TimePoint start, Seconds d) const {
  if (always_ || d <= Seconds{0}) return start + std::max(d, Seconds{0});
  date::sys_info hint = zone_->get_info(start);
  LocalDay day = local_day_of(start);
  std::optional<TimePoint> due;
  for (int i = 0; i < kMaxDaysScanned && !due; ++i, day += date::days{1}) {
    each_opening(day, hint, [&](TimePoint open, TimePoint close) {
      if (due || close <= start) return;
      const TimePoint from = std::max(open, start);
      const Seconds available = close - from;
      if (d <= available) due = from + d;
      else d -= available;
    });
  }
  return due.value_or(TimePoint::max());
}

Seconds Calendar::business_between(TimePoint a, TimePoint b) const {
  if (b <= a) return Seconds{0};
  if (always_) return b - a;
  Seconds total{0};
  date::sys_info hint = zone_->get_info(a);
  const LocalDay last = local_day_of(b);
  for (LocalDay day = local_day_of(a); day <= last; day += date::days{1})
    each_opening(day, hint, [&](TimePoint open, TimePoint close) {
      const TimePoint from = std::max(open, a), to = std::min(close, b);
      if (from < to) total += to - from;
    });
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
