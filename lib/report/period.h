// --since / --until: a date (local midnight in --tz), an RFC 3339 UTC time,
// or a duration back from now (30m, 12h, 7d, 2w).
#pragma once
#include <cstdint>
#include <string>

#include "lib/report/local_time.h"
#include "lib/result.h"

namespace socq::report {

Result<int64_t> parse_time_bound(const std::string& flag, const std::string& arg, int64_t now_ms, const LocalTime& tz);

}  // namespace socq::report
