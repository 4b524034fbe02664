// A deterministic actor system for the budget tests: the test coordinator runs every actor on
// the test thread, and the actor clock only moves when a test advances it.
#pragma once

#include <chrono>
#include <cstdint>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/scoped_actor.hpp>

#include <gtest/gtest.h>

#include "messages/registry.hpp"

namespace kis::test {

struct budget_config : caf::actor_system_config {
  budget_config() {
    register_messages(*this);
    set("scheduler.policy", caf::atom("testing"));
  }
};

struct budget_fixture : ::testing::Test {
  budget_config cfg;
  caf::actor_system sys{cfg};
  caf::scheduler::test_coordinator& sched =
      dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());
  caf::scoped_actor self{sys, true};

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
