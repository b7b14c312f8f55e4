#include "lib/report/quantiles.h"

#include <algorithm>
#include <cmath>

namespace socq::report {

std::optional<double> percentile_sorted(const std::vector<int64_t>& sorted, double q) {
  if (sorted.empty()) return std::nullopt;
  const double pos = static_cast<double>(sorted.size() - 1) * q;
  const auto lo = static_cast<size_t>(std::floor(pos));
  const auto hi = static_cast<size_t>(std::ceil(pos));
  const double a = static_cast<double>(sorted[lo]), b = static_cast<double>(sorted[hi]);
  return a + (b - a) * (pos - static_cast<double>(lo));
}

Summary Samples::summarize() {
  if (!sorted_) std::sort(v_.begin(), v_.end()), sorted_ = true;
  Summary s;
  s.n = v_.size();
  if (v_.empty()) return s;
  long double sum = 0;
  for (int64_t x : v_) sum += static_cast<long double>(x);
  s.mean_ms = static_cast<double>(sum / static_cast<long double>(v_.size()));
  s.p50_ms = *percentile_sorted(v_, 0.50);
  s.p90_ms = *percentile_sorted(v_, 0.90);
  s.p95_ms = *percentile_sorted(v_, 0.95);
  s.max_ms = v_.back();
  return s;
}

}  // namespace socq::report
