// The process's lifetime, so that nothing can leave it hanging: signals (the first SIGINT or
// SIGTERM asks for a drain, a second ends the process at once), a watchdog that ends a
// shutdown that overruns its budget, and one owner that stops every actor the runtime spawned
// on whatever path leaves the function (caf::actor_system's destructor waits for every actor).
#pragma once

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_cast.hpp>

namespace kis::runtime {

// SIGINT/SIGTERM raise a flag for the life of the guard; a second signal writes one line and
// calls _exit(130) from the handler. The previous handlers come back after.
class signal_guard {
public:
  signal_guard();
  ~signal_guard();
  signal_guard(const signal_guard&) = delete;
  signal_guard& operator=(const signal_guard&) = delete;
  static bool stop_requested() noexcept;

private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

// A start-up step's answer, waited for on the main thread; nullopt when a stop (SIGINT/SIGTERM)
// is requested first, so no step can hold the process.
template <class T>
std::optional<T> wait_unless_stopped(std::future<T>& answer) {
  while (answer.wait_for(std::chrono::milliseconds{100}) != std::future_status::ready)
    if (signal_guard::stop_requested())
      return std::nullopt;
  return answer.get();
}

// Once armed, ends the process with exit code 1 and one line on stderr unless disarmed (or
// destroyed) within `budget`: the last resort against a shutdown stuck in a library.
class shutdown_watchdog {
public:
  shutdown_watchdog() = default;
  ~shutdown_watchdog();
  shutdown_watchdog(const shutdown_watchdog&) = delete;
  shutdown_watchdog& operator=(const shutdown_watchdog&) = delete;
  void arm(std::chrono::milliseconds budget); // once; later calls do nothing
  void disarm();

private:
  std::mutex mtx_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

// Arms the watchdog when it leaves scope. Declared after the actor system, it makes every way
// out of a run (a start-up error included) finish stopping the actors, the system and the
// transports inside the budget.
struct arm_on_exit {
  shutdown_watchdog& dog;
  std::chrono::milliseconds budget;
  ~arm_on_exit() { dog.arm(budget); }
};

// Every actor the runtime spawns, stopped (newest first) by stop_all() or the destructor.
class actor_owner {
public:
  actor_owner() = default;
  ~actor_owner() { stop_all(); }
  actor_owner(const actor_owner&) = delete;
  actor_owner& operator=(const actor_owner&) = delete;

  template <class Handle>
  Handle own(Handle h) {
    if (h)
      actors_.push_back(caf::actor_cast<caf::actor>(h));
    return h;
  }
  void stop_all();

private:
  std::vector<caf::actor> actors_;
};

} // namespace kis::runtime
