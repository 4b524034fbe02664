// The property every budget test checks: the largest number of grants (or calls) inside any
// sliding window. Windows are half-open, (t - len, t], like the governor's own rule.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace kis::test {

inline std::uint32_t max_in_any_window(std::vector<std::int64_t> times, std::int64_t len) {
  std::sort(times.begin(), times.end());
  std::uint32_t best = 0;
  std::size_t lo = 0;
  // The busiest window ends on some grant; count those in (t - len, t].
  for (std::size_t hi = 0; hi < times.size(); ++hi) {
    while (times[lo] <= times[hi] - len)
      ++lo;
    best = std::max(best, static_cast<std::uint32_t>(hi - lo + 1));
  }
  return best;
}

} // namespace kis::test
