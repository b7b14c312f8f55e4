// The one table of socq's exit codes. Documented in socq(1) and by
// `socq help exit-codes`; every error that leaves the program carries one.
#pragma once
#include <span>
#include <string_view>

namespace socq {

enum class Exit : int {
  ok = 0,
  failure = 1,        // something went wrong that no other code describes
  usage = 2,          // bad command line (every CLI11 parse error)
  conflict = 3,       // the case changed since it was read (rev mismatch)
  sla_at_risk = 4,    // monitoring: a case will breach its SLA soon
  data = 65,          // bad input data (EX_DATAERR)
  no_input = 66,      // an input file does not exist or cannot be read
  unavailable = 69,   // service unavailable, or not implemented yet
  internal = 70,      // a bug in socq (EX_SOFTWARE)
  io = 74,            // reading or writing a file or the store failed
  temp_fail = 75,     // temporary failure (store locked, rate limited): retry later
  no_perm = 77,       // no permission, or bad credentials
  config = 78,        // bad configuration, or a store socq must not touch
};

struct ExitCodeInfo {
  Exit code;
  std::string_view name;
  std::string_view meaning;
};

std::span<const ExitCodeInfo> exit_code_table();
inline int as_int(Exit e) { return static_cast<int>(e); }

}  // namespace socq
