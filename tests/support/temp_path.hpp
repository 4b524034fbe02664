// A file or directory name under the system's temp directory that no other test (or another
// run of this one, in parallel) uses: pid, a counter and the clock.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>

#include <unistd.h>

namespace kis::test {

inline std::filesystem::path unique_temp_path(const std::string& stem,
                                              const std::string& extension = "") {
  static std::atomic<unsigned> counter{0};
  const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
  return std::filesystem::temp_directory_path() /
         (stem + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
          std::to_string(now) + extension);
}

} // namespace kis::test
