// Wall-clock parts of UTC instants in one time zone (date/tz over the
// system tzdata), for weekday x hour, day and ISO week groups. The zone's
// current offset period is cached, so a stream of times costs no lookup.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "lib/result.h"

namespace date {
class time_zone;
}

namespace socq::report {

struct LocalParts {
  int weekday = 0;  // 0 = Monday .. 6 = Sunday
  int hour = 0;
  int64_t local_day = 0;  // days since 1970-01-01 in local time
};

class LocalTime {
 public:
  // "UTC" or an IANA name such as "Europe/London"; an unknown zone is a
  // usage error naming it.
  static Result<LocalTime> in_zone(const std::string& name);
  const std::string& name() const { return name_; }
  LocalParts parts(int64_t utc_ms) const;
  // YYYY-MM-DD of the local day.
  std::string day_key(int64_t utc_ms) const;
  // ISO 8601 week (weeks start on Monday): YYYY-Www.
  std::string week_key(int64_t utc_ms) const;
  // The UTC instant of local midnight starting the date YYYY-MM-DD.
  std::optional<int64_t> local_midnight(const std::string& yyyy_mm_dd) const;

 private:
  int64_t offset_ms(int64_t utc_ms) const;
  std::string name_;
  const date::time_zone* zone_ = nullptr;  // null: UTC
  mutable int64_t cached_begin_ = 1, cached_end_ = 0, cached_offset_ = 0;
};

}  // namespace socq::report
