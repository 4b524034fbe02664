#include "actors/observability/metrics.hpp"

#include <cstdio>
#include <map>
#include <set>
#include <thread>

#include <sys/resource.h>
#include <unistd.h>

#include <caf/actor_registry.hpp>
#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/observability/instrumentation.hpp"
#include "actors/observability/measured.hpp"

namespace kis {

process_usage read_process_usage() {
  process_usage out;
  auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  if (std::FILE* f = std::fopen("/proc/self/statm", "r")) {
    unsigned long long size = 0, resident = 0;
    if (std::fscanf(f, "%llu %llu", &size, &resident) == 2)
      out.rss_bytes = resident * page;
    std::fclose(f);
  }
  rusage ru{};
  if (::getrusage(RUSAGE_SELF, &ru) == 0) {
    auto secs = [](const timeval& tv) {
      return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
    };
    out.cpu_seconds = secs(ru.ru_utime) + secs(ru.ru_stime);
  }
  auto pages = ::sysconf(_SC_PHYS_PAGES);
  out.memory_bytes = pages > 0 ? static_cast<std::uint64_t>(pages) * page : 0;
  out.cores = std::max(1u, std::thread::hardware_concurrency());
  return out;
}

namespace {

using time_point = caf::actor_clock::time_point;

struct metrics_state {
  struct entry {
    actor_sample sample;
    caf::actor_addr from; // monitored; null for anonymous senders
  };

  metrics_config cfg;
  std::map<std::string, entry> actors; // by instance name: the latest sample wins
  process_usage usage;
  double cpu_percent = 0;
  std::optional<std::pair<time_point, double>> last_probe; // when, cpu seconds then
  warning_rules rules{warning_thresholds{}}; // set from cfg.warn when the actor starts
  actor_recorder rec{"metrics", "metrics"};
  metric_handle samples = rec.counter(metric_names::metric_samples_total);
  metric_handle reporting = rec.gauge(metric_names::metric_actors_reporting);
  metric_handle active = rec.gauge(metric_names::metric_warnings_active);
  metric_handle raised = rec.counter(metric_names::metric_warnings_total);

  static inline const char* name = "kis.metrics";
};

using self_ptr = caf::stateful_actor<metrics_state, measured<metrics_actor::base>>*;

metrics_snapshot make_snapshot(self_ptr self) {
  auto& st = self->state;
  metrics_snapshot out;
  out.at_ns = st.cfg.clock->now_ns();
  out.actors.reserve(st.actors.size() + 1);
  for (const auto& [name, e] : st.actors)
    out.actors.push_back(e.sample);
  st.rec.set(st.reporting, static_cast<double>(st.actors.size()));
  st.rec.set(st.active, static_cast<double>(st.rules.active()));
  out.actors.push_back(st.rec.sample(out.at_ns));
  out.rss_bytes = st.usage.rss_bytes;
  out.cpu_seconds = st.usage.cpu_seconds;
  out.cpu_percent = st.cpu_percent;
  out.warnings.assign(st.rules.recent().begin(), st.rules.recent().end());
  return out;
}

void probe(self_ptr self) {
  auto& st = self->state;
  st.usage = st.cfg.probe();
  auto now = self->clock().now();
  if (st.last_probe) {
    auto wall = std::chrono::duration<double>(now - st.last_probe->first).count();
    if (wall > 0)
      st.cpu_percent =
          100.0 * (st.usage.cpu_seconds - st.last_probe->second) / wall / st.usage.cores;
  }
  st.last_probe = {now, st.usage.cpu_seconds};
}

// Applies the warning rules to a fresh snapshot; returns it with this round's edges in it.
metrics_snapshot evaluate(self_ptr self) {
  auto& st = self->state;
  auto snap = make_snapshot(self);
  for (const auto& w : st.rules.evaluate(snap, st.usage.memory_bytes, self->clock().now())) {
    if (w.raised)
      st.rec.add(st.raised);
    if (st.cfg.log)
      st.cfg.log(w);
  }
  snap.warnings.assign(st.rules.recent().begin(), st.rules.recent().end());
  return snap;
}

metrics_actor::behavior_type metrics_behavior(self_ptr self, metrics_config cfg) {
  self->measure_with(self->state.rec);
  if (!cfg.probe)
    cfg.probe = read_process_usage;
  if (!cfg.clock)
    cfg.clock = default_wall_clock();
  self->state.rules = warning_rules{cfg.warn};
  self->state.cfg = std::move(cfg);
  probe(self);
  self->delayed_send(self, self->state.cfg.collect_every, collect_atom_v);
  self->set_down_handler([self](caf::down_msg& dm) {
    std::erase_if(self->state.actors, [&](const auto& kv) { return kv.second.from == dm.source; });
  });
  return {
      [=](actor_sample& s) {
        auto& st = self->state;
        sanitize(s);
        st.rec.add(st.samples);
        auto from = caf::actor_cast<caf::actor_addr>(self->current_sender());
        auto& e = st.actors[s.actor];
        if (from && e.from != from)
          self->monitor(from);
        e = {std::move(s), std::move(from)};
      },
      [=](caf::get_atom) -> metrics_snapshot { return make_snapshot(self); },
      [=](collect_atom) {
        auto& st = self->state;
        probe(self);
        auto snap = evaluate(self);
        if (st.cfg.publish)
          st.cfg.publish(std::make_shared<const metrics_snapshot>(std::move(snap)));
        // Only the timer's own message re-arms it, so extra collects add no timers.
        if (self->current_sender() == self->ctrl())
          self->delayed_send(self, st.cfg.collect_every, collect_atom_v);
      },
  };
}

} // namespace

metrics_actor spawn_metrics(caf::actor_system& sys, metrics_config cfg) {
  auto handle = sys.spawn(metrics_behavior, std::move(cfg));
  sys.registry().put(metrics_registry_key(), caf::actor_cast<caf::strong_actor_ptr>(handle));
  return handle;
}

} // namespace kis
