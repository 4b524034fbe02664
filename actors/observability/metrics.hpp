// The metrics actor: collects every actor's samples, keeps the latest per actor, adds the
// process's RSS and CPU, answers get_atom with a metrics_snapshot, and warns (once per episode,
// by warning_rules) when something needs a person.
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

#include "actors/observability/warning_rules.hpp"
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
