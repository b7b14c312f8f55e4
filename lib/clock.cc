#include "lib/clock.h"

#include <chrono>

#include "lib/timefmt.h"

namespace socq {

std::string Clock::now_rfc3339() const { return format_rfc3339_utc(now_ms() / 1000 * 1000); }

int64_t SystemClock::now_ms() const {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace socq
