// Exact quantiles over response-time samples: every sample is kept (8 bytes
// each, so tens of millions fit in memory) and the ranks needed are selected
// at the end (the values a sort would put there, in linear time).
// Percentiles interpolate linearly between closest ranks, as numpy's default
// (p50 is then the median as Python's statistics.median has it).
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

namespace socq::report {

struct Summary {
  size_t n = 0;
  double mean_ms = 0, p50_ms = 0, p90_ms = 0, p95_ms = 0;
  int64_t max_ms = 0;
};

// The q-quantile (0..1) of sorted values: linear interpolation between the
// values at ranks floor((n-1)q) and ceil((n-1)q). nullopt when empty.
std::optional<double> percentile_sorted(const std::vector<int64_t>& sorted, double q);

class Samples {
 public:
  void add(int64_t ms) { v_.push_back(ms); }
  size_t size() const { return v_.size(); }
  // Reorders the samples in place and summarizes.
  Summary summarize();
  void merge(const Samples& other) { v_.insert(v_.end(), other.v_.begin(), other.v_.end()); }

 private:
  std::vector<int64_t> v_;
};

}  // namespace socq::report
