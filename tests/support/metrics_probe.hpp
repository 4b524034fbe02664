// A metrics actor for role tests: the role's recorder finds it in the registry and pushes its
// samples there; the test reads them back as a snapshot, on CAF's test coordinator (every
// actor test's fixture is CAF's test_coordinator_fixture). The collect timer is an
// hour, so advancing the clock by seconds never fires it; do not combine with a loop that
// fires every pending timer (e.g. run_all_timers) while the metrics actor lives. The probe
// stops the metrics actor when it goes out of scope.
#pragma once

#include <chrono>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <caf/actor_system.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "actors/observability/metrics.hpp"
#include "kis/clock.hpp"
#include "messages/metrics.hpp"

namespace kis::test {

struct metrics_probe {
  metrics_actor metrics;

  explicit metrics_probe(caf::actor_system& sys) {
    metrics_config mc;
    mc.collect_every = std::chrono::hours{1};
    mc.probe = [] { return process_usage{1u << 20, 0, 0, 1}; };
    mc.clock = std::make_shared<manual_wall_clock>();
    metrics = spawn_metrics(sys, std::move(mc));
  }

  // The exit is delivered by the test's next sched.run() (every fixture's TearDown runs one).
  ~metrics_probe() { caf::anon_send_exit(metrics, caf::exit_reason::user_shutdown); }
  metrics_probe(const metrics_probe&) = delete;
  metrics_probe& operator=(const metrics_probe&) = delete;

  // The metrics actor's current view (runs every ready actor first).
  metrics_snapshot snapshot(caf::scoped_actor& self, caf::scheduler::test_coordinator& sched) {
    sched.run();
    auto h = self->request(metrics, caf::infinite, caf::get_atom_v);
    sched.run();
    metrics_snapshot out;
    h.receive([&](metrics_snapshot& s) { out = std::move(s); }, [](caf::error&) {});
    return out;
  }

  // The latest sample of one actor, or an empty sample (role "") when it never reported.
  actor_sample sample_of(caf::scoped_actor& self, caf::scheduler::test_coordinator& sched,
                         std::string_view actor) {
    for (auto& s : snapshot(self, sched).actors)
      if (s.actor == actor)
        return s;
    return {};
  }
};

// The value of one series with exactly these labels (all of them), or nullopt.
inline std::optional<double> find_value(const actor_sample& s, std::string_view name,
                                        std::initializer_list<label> labels = {}) {
  for (const auto& p : s.values) {
    if (p.name != name || p.labels.size() != labels.size())
      continue;
    bool same = true;
    auto it = labels.begin();
    for (const auto& l : p.labels) {
      same = same && l.name == it->name && l.value == it->value;
      ++it;
    }
    if (same)
      return p.value;
  }
  return std::nullopt;
}

} // namespace kis::test
