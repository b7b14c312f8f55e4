#include "lib/report/response_clocks.h"

#include <algorithm>

#include "lib/timefmt.h"

namespace socq::report {

void messages_in_time_order(const Case& c, std::vector<MessageTime>& out) {
  out.clear();
  for (size_t i = 0; i < c.messages.size(); ++i)
    if (auto ms = parse_rfc3339_utc(c.messages[i].at)) out.push_back({*ms, i});
  // Cases are usually written in time order already: check before sorting.
  const auto later = [](const MessageTime& a, const MessageTime& b) { return a.ms < b.ms; };
  if (!std::is_sorted(out.begin(), out.end(), later)) std::stable_sort(out.begin(), out.end(), later);
}

void response_clocks(const Case& c, std::vector<MessageTime>& scratch, std::vector<ResponseClock>& out) {
  out.clear();
  messages_in_time_order(c, scratch);
  bool running = false;
  for (const MessageTime& t : scratch) {
    const Message& m = c.messages[t.index];
    if (m.dir == Dir::in) {
      // A clock starts at an inbound message only when none is running:
      // the first one, or the first after a reply.
      if (!running) out.push_back({out.empty(), t.ms, std::nullopt, t.index}), running = true;
    } else if (!m.is_auto && running) {
      out.back().stop_ms = t.ms;
      running = false;
    }
  }
}

}  // namespace socq::report
