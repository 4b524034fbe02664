// What the two budget-under-load benchmarks share: their --seconds / --requesters flags and a
// percentile of their figures.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace kis::bench {

struct load_flags {
  int seconds = 60;      // per way of pacing
  int requesters = 1000; // concurrent inquire-price callers
};

// Takes --seconds=N (at least min_seconds) or --requesters=N (at least 1) into `flags`; false
// for any other argument.
inline bool parse_load_flag(const char* arg, load_flags& flags, int min_seconds) {
  if (std::strncmp(arg, "--seconds=", 10) == 0)
    flags.seconds = std::max(min_seconds, std::atoi(arg + 10));
  else if (std::strncmp(arg, "--requesters=", 13) == 0)
    flags.requesters = std::max(1, std::atoi(arg + 13));
  else
    return false;
  return true;
}

inline double percentile(std::vector<double> v, double p) {
  if (v.empty())
    return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

} // namespace kis::bench
