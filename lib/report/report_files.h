// A report's pass over JSON Lines files (or stdin): every case added to the
// report, on two threads where there are two cores, each thread adding its
// half of every block into its own Report; the second is merged at the end.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "lib/report/metrics.h"
#include "lib/result.h"

namespace socq::report {

// Adds every case of `files` to `rep`; `spare` (same config, may be null:
// one thread) takes half of each block and is merged into rep. `counted`:
// the cases the filters let through.
Status add_files(Report& rep, Report* spare, const std::vector<std::string>& files, int64_t& counted);

}  // namespace socq::report
