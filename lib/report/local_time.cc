#include "lib/report/local_time.h"

#include <date/date.h>
#include <date/tz.h>
#include <fmt/format.h>

namespace socq::report {

using namespace std::chrono;

Result<LocalTime> LocalTime::in_zone(const std::string& name) {
  LocalTime t;
  t.name_ = name;
  if (name == "UTC" || name == "Etc/UTC") return t;
  try {
    t.zone_ = date::locate_zone(name);
  } catch (const std::exception&) {
    return Error{Exit::usage, "--tz: unknown time zone \"" + name + "\" (an IANA name such as Europe/London, or UTC)"};
  }
  return t;
}

int64_t LocalTime::offset_ms(int64_t utc_ms) const {
  if (!zone_) return 0;
  if (utc_ms >= cached_begin_ && utc_ms < cached_end_) return cached_offset_;
  const auto info = zone_->get_info(date::sys_time<milliseconds>(milliseconds(utc_ms)));
  cached_begin_ = duration_cast<milliseconds>(info.begin.time_since_epoch()).count();
  cached_end_ = duration_cast<milliseconds>(info.end.time_since_epoch()).count();
  cached_offset_ = duration_cast<milliseconds>(info.offset).count();
  return cached_offset_;
}

namespace {
int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
}  // namespace

LocalParts LocalTime::parts(int64_t utc_ms) const {
  const int64_t local = utc_ms + offset_ms(utc_ms);
  LocalParts p;
  p.local_day = floor_div(local, 86400000);
  p.hour = static_cast<int>(floor_div(local - p.local_day * 86400000, 3600000));
  p.weekday = static_cast<int>(((p.local_day + 3) % 7 + 7) % 7);  // 1970-01-01 was a Thursday
  return p;
}

std::string LocalTime::day_key(int64_t utc_ms) const {
  const date::year_month_day ymd{date::sys_days{days{parts(utc_ms).local_day}}};
  return fmt::format("{:04}-{:02}-{:02}", int(ymd.year()), unsigned(ymd.month()), unsigned(ymd.day()));
}

std::string LocalTime::week_key(int64_t utc_ms) const {
  const auto p = parts(utc_ms);
  // ISO week: the week's Thursday decides its year.
  const int64_t thursday = p.local_day - p.weekday + 3;
  const date::year_month_day ymd{date::sys_days{days{thursday}}};
  const auto jan1 = date::sys_days{ymd.year() / date::January / 1}.time_since_epoch().count();
  const int64_t week = (thursday - jan1) / 7 + 1;
  return fmt::format("{:04}-W{:02}", int(ymd.year()), week);
}

std::optional<int64_t> LocalTime::local_midnight(const std::string& s) const {
  int y = 0;
  unsigned m = 0, d = 0;
  char tail = 0;
  if (s.size() != 10 || std::sscanf(s.c_str(), "%4d-%2u-%2u%c", &y, &m, &d, &tail) != 3) return std::nullopt;
  const date::year_month_day ymd{date::year{y}, date::month{m}, date::day{d}};
  if (!ymd.ok()) return std::nullopt;
  const date::local_days ld{ymd};
  if (!zone_) return duration_cast<milliseconds>(date::sys_days{ymd}.time_since_epoch()).count();
  const auto utc = zone_->to_sys(ld, date::choose::earliest);
  return duration_cast<milliseconds>(utc.time_since_epoch()).count();
}

}  // namespace socq::report
