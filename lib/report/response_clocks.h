// The response clocks of one case, read off its messages in time order.
// First response: from the first inbound message to the first outbound one
// after it that is not `auto`. Next response: from the first inbound message
// after each such reply to the next non-auto outbound one. A clock nobody
// stopped is unanswered.
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "lib/case.h"

namespace socq::report {

struct ResponseClock {
  bool first = false;            // the first response clock; else a next response clock
  int64_t start_ms = 0;          // the inbound message that started it
  std::optional<int64_t> stop_ms;  // the reply that stopped it, if any
  size_t start_message = 0;      // index into Case::messages
};

struct MessageTime {
  int64_t ms;
  size_t index;  // into Case::messages
};

// Messages in time order (stable for equal times); messages whose time does
// not parse are left out (the reader already refuses them).
void messages_in_time_order(const Case& c, std::vector<MessageTime>& out);

// Every response clock of c, in start order. `scratch` is reused between
// calls to avoid allocating per case.
void response_clocks(const Case& c, std::vector<MessageTime>& scratch, std::vector<ResponseClock>& out);

}  // namespace socq::report
