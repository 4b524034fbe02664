// The metrics actor: collects every actor's samples, keeps the latest per actor, adds the
// process's RSS and CPU, answers get_atom with a metrics_snapshot, and warns (once per episode)
// when something is about to hurt.
//
// Data flow (push, no shared mutable state): each actor's recorder sends actor_samples here;
// on every collect tick this actor builds an immutable snapshot and hands it to `publish`
// (a shared_ptr<const metrics_snapshot>), which the HTTP server stores atomically and serves
// from its own thread without ever messaging an actor.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <caf/fwd.hpp>
#include <caf/timespan.hpp>

#include "kis/clock.hpp"
#include "messages/interfaces.hpp"

namespace kis {

// What the process uses, read from /proc/self and getrusage.
struct process_usage {
  std::uint64_t rss_bytes = 0;
  double cpu_seconds = 0;         // user + system since start
  std::uint64_t memory_bytes = 0; // physical memory of the machine
  unsigned cores = 1;
};
process_usage read_process_usage();

// Warn when a figure crosses its threshold; clear when it is back inside by `hysteresis`.
struct warning_thresholds {
  double cpu_percent = 80;            // of all cores
  double rss_percent = 80;            // of physical memory
  std::uint64_t mailbox_depth = 1000; // any actor
  double executor_queue_depth = 500;  // the seed warns at a signal queue over 500
  double budget_saturation = 0.9;     // API calls in the last second / limit
  double ws_slots_ratio = 0.9;        // registrations / 41
  double token_life_seconds = 600;    // remaining life of the access token
  double hysteresis = 0.1;            // 10 %: clears at 90 % of a ceiling, 110 % of a floor
};

struct metrics_warning {
  std::string key;     // what and where, e.g. "mailbox_depth:analyzer-3"
  std::string message; // for a person
  bool raised = true;  // false: the episode is over
};

struct metrics_config {
  caf::timespan collect_every = std::chrono::seconds{1};
  warning_thresholds warn;
  // Runs on the metrics actor's thread, so it must be thread-safe (spdlog is).
  std::function<void(const metrics_warning&)> log;
  // Receives a fresh immutable snapshot on every collect tick.
  std::function<void(std::shared_ptr<const metrics_snapshot>)> publish;
  // Injectable for tests; defaults to read_process_usage.
  std::function<process_usage()> probe;
  std::shared_ptr<const wall_clock> clock; // snapshot time stamps; defaults to the system clock
};

// Also registers the actor under metrics_registry_key(), where recorders find it. An actor
// stays in the snapshot while it lives (quiet ones keep their last sample) and leaves when it
// terminates: the metrics actor monitors every sender.
metrics_actor spawn_metrics(caf::actor_system& sys, metrics_config cfg);

} // namespace kis
