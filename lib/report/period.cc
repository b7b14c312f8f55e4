#include "lib/report/period.h"

#include <algorithm>

#include "lib/timefmt.h"

namespace socq::report {

Result<int64_t> parse_time_bound(const std::string& flag, const std::string& arg, int64_t now_ms, const LocalTime& tz) {
  if (auto ms = parse_rfc3339_utc(arg)) return *ms;
  if (auto ms = tz.local_midnight(arg)) return *ms;
  if (arg.size() >= 2 && std::all_of(arg.begin(), arg.end() - 1, [](char c) { return c >= '0' && c <= '9'; }) &&
      arg.size() <= 12) {
    const int64_t n = std::stoll(arg.substr(0, arg.size() - 1));
    switch (arg.back()) {
      case 'm': return now_ms - n * 60000;
      case 'h': return now_ms - n * 3600000;
      case 'd': return now_ms - n * 86400000;
      case 'w': return now_ms - n * 7 * 86400000;
    }
  }
  return Error{Exit::usage, flag + " wants a date (2026-11-16), an RFC 3339 UTC time (2026-11-16T08:00:00Z) or a "
                                   "duration back from now (30m, 12h, 7d, 2w), not \"" + arg + "\""};
}

}  // namespace socq::report
