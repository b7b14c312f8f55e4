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

// Each rank a percentile needs, selected in increasing order: every
// nth_element leaves exactly the higher ranks after it, so each value is
// the one a full sort would put there, in linear time instead of n log n.
Summary Samples::summarize() {
  Summary s;
  s.n = v_.size();
  if (v_.empty()) return s;
  long double sum = 0;  // exact for any order: 64-bit mantissa
  for (int64_t x : v_) sum += static_cast<long double>(x);
  s.mean_ms = static_cast<double>(sum / static_cast<long double>(v_.size()));
  const double last = static_cast<double>(v_.size() - 1);
  std::vector<size_t> ranks{v_.size() - 1};
  for (double q : {0.50, 0.90, 0.95})
    ranks.push_back(static_cast<size_t>(std::floor(last * q))), ranks.push_back(static_cast<size_t>(std::ceil(last * q)));
  std::sort(ranks.begin(), ranks.end());
  ranks.erase(std::unique(ranks.begin(), ranks.end()), ranks.end());
  size_t from = 0;
  for (size_t r : ranks) {
    std::nth_element(v_.begin() + static_cast<std::ptrdiff_t>(from), v_.begin() + static_cast<std::ptrdiff_t>(r), v_.end());
    from = r + 1;
  }
  const auto at = [&](double q) {
    const double pos = last * q;
    const auto lo = static_cast<size_t>(std::floor(pos)), hi = static_cast<size_t>(std::ceil(pos));
    const double a = static_cast<double>(v_[lo]), b = static_cast<double>(v_[hi]);
    return a + (b - a) * (pos - static_cast<double>(lo));
  };
  s.p50_ms = at(0.50);
  s.p90_ms = at(0.90);
  s.p95_ms = at(0.95);
  s.max_ms = v_.back();
  return s;
}

}  // namespace socq::report
