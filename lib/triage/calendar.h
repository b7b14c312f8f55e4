// Business hours of one team: weekly opening hours in an IANA time zone
// (date/tz reading the OS tzdb, so DST moves the hours with local clocks),
// holidays (local dates), or 24/7. Business time is the time a team is open.
#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <date/tz.h>

#include "lib/result.h"

namespace socq {

using Seconds = std::chrono::seconds;
using TimePoint = std::chrono::sys_seconds;
using LocalDay = date::local_days;

// One opening on a day, in minutes after local midnight: [open, close).
// close may be 1440 ("24:00").
struct OpenRange {
  int open_min = 0;
  int close_min = 0;
};

// Holidays are inclusive ranges of local dates (a single date is first == last).
struct Holiday {
  date::year_month_day first;
  date::year_month_day last;
};

class Calendar {
 public:
  // A team open around the clock in `zone` (zone matters only for display).
  static Result<Calendar> always(const std::string& zone);
  // Weekly hours: week[0] is Sunday .. week[6] Saturday (date::weekday's
  // c_encoding); an empty day is closed. Ranges must be sorted and disjoint.
  static Result<Calendar> weekly(const std::string& zone, std::vector<std::vector<OpenRange>> week,
                                 std::vector<Holiday> holidays);

  // true for a 24/7 team (then business time == calendar time)
  bool always_open() const { return always_; }
  bool is_open(TimePoint t) const;                            // inside business hours (holidays closed)
  TimePoint add_business(TimePoint start, Seconds d) const;   // the moment `d` of business time after start
  Seconds business_between(TimePoint a, TimePoint b) const;   // business time in [a, b) (0 if b <= a)
  TimePoint next_open(TimePoint t) const;                     // t if open, else the next opening
  const std::string& zone() const { return zone_name_; }      // IANA zone name

  // The openings of local day `day` as UTC intervals (none on a holiday).
  // A local opening time that DST skips maps to the moment of the change.
  std::vector<std::pair<TimePoint, TimePoint>> openings_on(LocalDay day) const;
  bool is_holiday(LocalDay day) const;
  LocalDay local_day_of(TimePoint t) const;

 private:
  Calendar() = default;
  std::string zone_name_;
  const date::time_zone* zone_ = nullptr;
  bool always_ = false;
  std::vector<std::vector<OpenRange>> week_;  // 7 days, Sunday first
  std::vector<Holiday> holidays_;
  std::vector<std::pair<LocalDay, LocalDay>> holiday_days_;  // the same, as day numbers

  // Local to UTC through a cached offset period (`hint`) while the time is
  // well inside it, else through the tz database (which refreshes the hint).
  TimePoint to_utc(date::local_seconds t, date::choose z, date::sys_info& hint) const;
  // Calls f(open, close) for each opening of `day`, in order.
  template <class F>
  void each_opening(LocalDay day, date::sys_info& hint, F&& f) const;
};

// "2026-11-20T08:11:09Z" <-> TimePoint (fractions of a second dropped).
std::optional<TimePoint> parse_time_point(const std::string& rfc3339);
std::string format_time_point(TimePoint t);

// "15m", "4h", "1h30m", "2d" (24 h), "90s" -> seconds; nullopt if malformed.
std::optional<Seconds> parse_duration(const std::string& s);
// 5400 s -> "1h30m"; 0 -> "0m".
std::string format_duration(Seconds d);

}  // namespace socq
