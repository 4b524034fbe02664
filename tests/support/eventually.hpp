// For tests against kis-sim, which runs in real time: poll a condition until it holds. The limit
// is a safety net against a hang, never a performance assertion.
#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace kis::test {

inline bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (done())
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  return done();
}

} // namespace kis::test
