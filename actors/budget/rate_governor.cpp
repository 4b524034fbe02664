#include "actors/budget/rate_governor.hpp"

#include <chrono>
#include <unordered_map>

#include <caf/actor_system.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include "actors/observability/instrumentation.hpp"
#include "actors/observability/measured.hpp"
#include "messages/errors.hpp"

namespace kis {

namespace {

struct waiter {
  caf::typed_response_promise<permit> promise;
  caf::actor_addr from; // monitored: a dead requester gives its place back
};

struct governor_state {
  permit_scheduler sched{governor_config{}};         // replaced by the spawn function's config
  std::unordered_map<std::uint64_t, waiter> waiting; // ticket -> promise
  std::unordered_map<caf::actor_addr, std::size_t> watched; // monitored requester -> tickets
  // Timers cannot be cancelled in CAF 0.17: only the newest generation counts.
  std::uint64_t generation = 0;
  bool armed = false;
  std::int64_t armed_due = 0;
  governor_memory memory;
  std::unordered_map<std::uint64_t, std::size_t> ledger_slot; // open permit -> its note
  actor_recorder rec{"rate_governor", "rate_governor"};       // samples go to the metrics actor

  static inline const char* name = "rate_governor";
};

using governor_ptr = caf::stateful_actor<governor_state, measured<rate_governor_actor::base>>*;

std::int64_t now_ns(governor_ptr self) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             self->clock().now().time_since_epoch())
      .count();
}

void unwatch(governor_ptr self, const caf::actor_addr& from) {
  auto it = self->state.watched.find(from);
  if (it == self->state.watched.end())
    return;
  if (--it->second == 0) {
    self->demonitor(from);
    self->state.watched.erase(it);
  }
}

// Wakes the actor when the first waiter is due, unless an earlier wake-up is already set.
void arm(governor_ptr self, std::int64_t now) {
  auto& st = self->state;
  auto due = st.sched.next_due(now);
  if (!due || (st.armed && st.armed_due <= *due))
    return;
  st.armed = true;
  st.armed_due = *due;
  self->delayed_send(self, std::chrono::nanoseconds{*due - now}, grant_atom_v, ++st.generation);
}

std::int64_t wall_now(governor_ptr self) {
  return self->state.memory.clock->now_ns();
}

// The ledger's notes follow a permit: a conservative one at grant (it may leave until the
// deadline), the exact time once it left, nothing once it was given back.
void note_grant(governor_ptr self, const permit& p) {
  auto& st = self->state;
  if (st.memory.ledger)
    st.ledger_slot[p.id] = st.memory.ledger->note(wall_now(self) + p.leave_within_ns);
}

void note_fate(governor_ptr self, std::uint64_t permit_id, bool left, bool final) {
  auto& st = self->state;
  auto it = st.ledger_slot.find(permit_id);
  if (it == st.ledger_slot.end())
    return;
  st.memory.ledger->correct(it->second, left ? wall_now(self) : 0);
  if (final || !left)
    st.ledger_slot.erase(it);
}

// Calls of the previous process that the server may still count (see governor_memory).
void remember_earlier_calls(governor_ptr self, const governor_config& cfg) {
  auto& st = self->state;
  const auto span = (cfg.window + cfg.safety_margin).count();
  const auto now = now_ns(self);
  std::vector<std::int64_t> times;
  if (st.memory.ledger && !st.memory.ledger->was_reset()) {
    const auto wall = wall_now(self);
    for (auto t : st.memory.ledger->since(wall - span))
      times.push_back(now + (t - wall)); // the same instant on the governor's clock
  } else if (st.memory.assume_full_when_unknown) {
    times.assign(cfg.limit, now);
  }
  st.sched.assume_spent(times);
}

void grant_due(governor_ptr self) {
  auto& st = self->state;
  const auto now = now_ns(self);
  for (auto& g : st.sched.poll(now)) {
    note_grant(self, g.value);
    auto it = st.waiting.find(g.ticket);
    if (it == st.waiting.end())
      continue;
    auto w = std::move(it->second);
    st.waiting.erase(it);
    w.promise.deliver(g.value);
    unwatch(self, w.from);
  }
  arm(self, now);
}

void drop(governor_ptr self, std::uint64_t ticket, const char* why) {
  auto it = self->state.waiting.find(ticket);
  if (it == self->state.waiting.end())
    return;
  auto w = std::move(it->second);
  self->state.waiting.erase(it);
  w.promise.deliver(make_kis_error(errc::cancelled, why));
  unwatch(self, w.from);
}

// An anonymous stats request to itself: a sample while the governor is quiet.
rate_governor_actor::behavior_type governor(governor_ptr self) {
  self->measure_with(self->state.rec);
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& st = self->state;
    st.watched.erase(dm.source);
    std::vector<std::uint64_t> gone;
    for (const auto& [ticket, w] : st.waiting)
      if (w.from == dm.source)
        gone.push_back(ticket);
    for (auto t : gone) {
      st.sched.cancel_ticket(t);
      st.waiting.erase(t); // nobody is left to answer
    }
    grant_due(self);
  });
  return {
      [self](permit_request& req) -> caf::result<permit> {
        if (static_cast<std::size_t>(req.cls) >= permit_class_count)
          return make_kis_error(errc::invalid_argument, "unknown permit class");
        auto& st = self->state;
        // Read the sender first: making the promise takes it out of the mailbox element.
        caf::actor_addr from;
        if (const auto& sender = self->current_sender())
          from = caf::actor_cast<caf::actor_addr>(sender);
        auto rp = self->make_response_promise<permit>();
        const auto ticket = st.sched.enqueue(req.cls, std::move(req.requester), now_ns(self));
        if (from && st.watched[from]++ == 0)
          self->monitor(from);
        st.waiting.emplace(ticket, waiter{rp, from});
        grant_due(self);
        return rp;
      },
      [self](const call_outcome& out) {
        self->state.sched.on_outcome(out.result, now_ns(self), out.permit_id);
        note_fate(self, out.permit_id, true, true);
        // A back-off moves the next grant later; recovery may move it earlier; an answered
        // call frees its place in flight.
        grant_due(self);
      },
      [self](const permit_use& use) {
        if (use.left)
          self->state.sched.on_left(use.permit_id, now_ns(self));
        else
          self->state.sched.on_unused(use.permit_id);
        note_fate(self, use.permit_id, use.left, false);
        grant_due(self); // a permit given back (or a call that left earlier) opens the gate
      },
      [self](cancel_atom, const std::string& requester) {
        for (auto t : self->state.sched.cancel_requester(requester))
          drop(self, t, "the requester cancelled its permit requests");
        grant_due(self);
      },
      [self](caf::get_atom, stats_atom) { return self->state.sched.stats(now_ns(self)); },
      [self](publish_atom) {
        self->state.rec.publish(self);
        if (self->state.sched.stats(now_ns(self)).calls_last_second > 0) // until it empties
          self->state.rec.poke(self, std::chrono::seconds{1});
      },
      [self](grant_atom, std::uint64_t generation) {
        if (generation != self->state.generation)
          return; // superseded by an earlier wake-up
        self->state.armed = false;
        grant_due(self);
      },
  };
}

} // namespace

std::optional<api::api_error> validate(const governor_config& cfg) {
  auto bad = [](std::string why) { return api::api_error{errc::config, {}, 0, std::move(why)}; };
  if (cfg.limit == 0)
    return bad("governor limit must be at least 1 call per window");
  if (cfg.window.count() <= 0)
    return bad("governor window must be positive");
  if (cfg.safety_margin.count() < 0 || cfg.backoff_pause.count() < 0)
    return bad("governor margin and pause must not be negative");
  if (cfg.leave_within.count() <= 0)
    return bad("governor leave_within must be positive");
  if (!(cfg.decrease_factor > 0 && cfg.decrease_factor < 1))
    return bad("governor decrease factor must lie in (0, 1)");
  if (cfg.query_spacing < 0 || cfg.query_spacing > 1)
    return bad("governor query spacing must lie in [0, 1] slots");
  if (cfg.recovery_per_success < 0 || !(cfg.min_rate > 0))
    return bad("governor recovery must not be negative and the minimum rate must be positive");
  return std::nullopt;
}

rate_governor_actor spawn_rate_governor(caf::actor_system& sys, governor_config cfg,
                                        governor_memory memory) {
  if (!memory.clock)
    memory.clock = default_wall_clock();
  return sys.spawn([cfg, memory = std::move(memory)](governor_ptr self) mutable {
    self->state.sched = permit_scheduler{cfg};
    self->state.memory = std::move(memory);
    remember_earlier_calls(self, cfg);
    // The scheduler's own figures (calls, permits by class, waits) ride along in each sample.
    // When calls stop, a trailing sample (and one a second while the last second still holds
    // calls) brings the calls-in-the-last-second gauge back to 0 instead of a stale 18/18.
    self->state.rec.publish_when_idle();
    self->state.rec.on_publish([self](actor_sample& s) {
      auto values = self->state.sched.metric_points(now_ns(self));
      s.values.insert(s.values.end(), values.begin(), values.end());
      auto hists = self->state.sched.wait_histograms();
      s.histograms.insert(s.histograms.end(), hists.begin(), hists.end());
    });
    return governor(self);
  });
}

} // namespace kis
