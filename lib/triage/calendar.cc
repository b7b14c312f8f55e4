#include "lib/triage/calendar.h"

namespace socq {

Result<Calendar> Calendar::always(const std::string& zone) {
  Calendar c;
  c.zone_name_ = zone;
  c.always_ = true;
  return c;
}
Result<Calendar> Calendar::weekly(const std::string& zone, std::vector<std::vector<OpenRange>> week,
                                  std::vector<Holiday> holidays) {
  Calendar c;
  c.zone_name_ = zone;
  c.week_ = std::move(week);
  c.holidays_ = std::move(holidays);
  return c;
}
bool Calendar::is_open(TimePoint) const { return true; }
TimePoint Calendar::add_business(TimePoint start, Seconds d) const { return start + d; }
Seconds Calendar::business_between(TimePoint a, TimePoint b) const { return b > a ? b - a : Seconds{0}; }
TimePoint Calendar::next_open(TimePoint t) const { return t; }
std::vector<std::pair<TimePoint, TimePoint>> Calendar::openings_on(LocalDay) const { return {}; }
bool Calendar::is_holiday(LocalDay) const { return false; }
LocalDay Calendar::local_day_of(TimePoint t) const { return LocalDay{std::chrono::floor<date::days>(t.time_since_epoch())}; }
std::optional<TimePoint> parse_time_point(const std::string&) { return std::nullopt; }
std::string format_time_point(TimePoint) { return {}; }
std::optional<Seconds> parse_duration(const std::string&) { return std::nullopt; }
std::string format_duration(Seconds) { return {}; }

}  // namespace socq
