// The budget tests' fixture: CAF's test_coordinator_fixture (every actor on the test thread,
// the actor clock moves only when a test advances it), as every other actor test uses, with
// the engine's messages registered and two helpers.
#pragma once

#include "support/caf_gtest.hpp" // before gtest: the bridge of CAF's test DSL

#include <chrono>
#include <cstdint>

#include <caf/actor_system_config.hpp>

#include <gtest/gtest.h>

#include "messages/registry.hpp"

namespace kis::test {

struct budget_config : caf::actor_system_config {
  budget_config() { register_messages(*this); }
};

struct budget_fixture : ::testing::Test, test_coordinator_fixture<budget_config> {
  std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               sched.clock().now().time_since_epoch())
        .count();
  }

  // Runs everything that is ready, then keeps firing the next timer until none is left.
  void run_all_timers() {
    sched.run();
    while (sched.trigger_timeout())
      sched.run();
  }
};

} // namespace kis::test
