// A cheap per-actor recorder that every role embeds in its state.
//
// Adopting it takes a member, a base and one call (actors/observability/measured.hpp):
//
//   struct my_state {
//     kis::actor_recorder rec{"order_executor", "order_executor"}; // instance name, role
//   };
//   using my_ptr = caf::stateful_actor<my_state, kis::measured<my_actor::base>>*;
//   ... in the behavior factory: self->measure_with(self->state.rec); every message is then
//       counted, timed and its mailbox sampled, with no code in the handlers;
//   ... nothing at spawn: the recorder finds the node's metrics actor in CAF's registry
//       (spawn_metrics puts it there); attach(metrics) names one explicitly instead.
//   ... in a handler that failed: self->state.rec.fail();   // counted as an error
//   ... role figures: self->state.rec.add(self->state.rec.counter(metric_names::signals_total));
//
// Role extras are counters, gauges and histograms looked up once by name and labels and then
// updated through a handle (no allocation on update). Names must be Prometheus-style snake case
// (see kis::metric_names for the shared ones); label values are sanitized so that nothing that
// looks like a key or a token can ever become a label (it turns into "redacted").
//
// Cost: counting is a few increments. Timing (two clock reads) and the mailbox probe run on a
// stride of messages: it doubles whenever an interval has timed max_timed_per_interval
// messages and is reset from the message rate at every publish, so a busy actor times about
// that many messages per interval and a quiet one times every message. So the
// processing-time histogram holds sampled observations; `processed` is exact.
//
// Publishing is push: at the end of a timed message, if publish_every has passed on the actor's
// clock (virtual under the test coordinator), the recorder sends an actor_sample to the metrics
// actor, as the actor itself (the metrics actor monitors it and forgets it once it is gone).
// Roles with their own timer may call publish(self) to report while idle, and on_publish adds
// figures the role computes only when asked (e.g. a scheduler's own counters).
//
// Quiet actors: the messages after the last publish are only reported by the next message, which
// may come much later (an executor that filled one order, an analyzer between polls). A role
// opts into a trailing publish with publish_when_idle(): when a message ends unreported and no
// poke is pending, the recorder sends the actor one publish_atom, due when the next publish is,
// and the role's handler for it calls publish(self) without measure() (so the poke is not
// counted and arms nothing):
//   rec.publish_when_idle();
//   [=](publish_atom) { self->state.rec.publish(self); }
// publish_atom is every role's internal message for this and nothing else. At most one poke is
// pending at a time, and an idle actor stops poking after reporting.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <caf/atom.hpp>
#include <caf/fwd.hpp>
#include <caf/timespan.hpp>

#include "messages/interfaces.hpp"

namespace kis {

// The key under which spawn_metrics registers the metrics actor in the node's actor registry.
caf::atom_value metrics_registry_key() noexcept;

// --- label and name hygiene (shared with the metrics actor, which re-checks every sample) ---

// True for short identifier-like values: at most 32 characters of [A-Za-z0-9_.:-] with no
// run of more than 16 letters or digits. App keys, secrets, tokens and approval keys all fail.
bool is_safe_label_value(std::string_view value) noexcept;
// The value itself when safe, else "redacted".
std::string safe_label_value(std::string_view value);
// Prometheus metric or label name in snake case: [a-z_][a-z0-9_]*, at most 64 characters.
bool is_valid_metric_name(std::string_view name) noexcept;
// Applies the two rules above to a whole sample: unsafe values redacted, bad names dropped.
void sanitize(actor_sample& sample);

// --- histogram with fixed log-spaced buckets (1-2.5-5 per decade, 1 us .. 10 s) ---

inline constexpr std::array<double, 22> latency_bounds = {
    1e-6, 2.5e-6, 5e-6,   1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3,
    5e-3, 1e-2,   2.5e-2, 5e-2, 0.1,    0.25, 0.5,  1.0,    2.5,  5.0,  10.0};

class latency_histogram {
public:
  void observe(double seconds) noexcept;
  std::uint64_t count() const noexcept { return count_; }
  double sum() const noexcept { return sum_; }
  // Cumulative counts per bound plus +Inf, as Prometheus wants them.
  histogram_point to_point(std::string name, std::vector<label> labels) const;

private:
  std::array<std::uint64_t, latency_bounds.size() + 1> counts_{};
  double sum_ = 0;
  std::uint64_t count_ = 0;
};

// --- the recorder ---

struct recorder_options {
  caf::timespan publish_every = std::chrono::seconds{1};
  // Busy actors time about this many messages per interval; 0 times every message.
  std::uint32_t max_timed_per_interval = 1024;
};

struct metric_handle {
  std::uint32_t index = 0;
};
struct histogram_handle {
  std::uint32_t index = 0;
};

using label_args = std::initializer_list<std::pair<std::string_view, std::string_view>>;

class actor_recorder {
public:
  class scope;

  actor_recorder(std::string actor, std::string role, recorder_options opts = {});

  // Where samples go. Without one the recorder looks up the registry's metrics actor when it
  // publishes, and only counts while there is none.
  void attach(metrics_actor sink);
  // Called while a sample is built, to append the role's computed values and histograms.
  void on_publish(std::function<void(actor_sample&)> fill);
  // A new instance name (e.g. once the runtime numbers analyzers); sanitized like a label.
  void rename(std::string actor);
  // Opt-in trailing publish for quiet actors (see the top of this file).
  void publish_when_idle() noexcept { publish_when_idle_ = true; }
  // One more trailing publish after delay (e.g. until a figure the role reports settles).
  void poke(caf::scheduled_actor* self, caf::timespan delay);

  // Hot path: measured<Base> calls begin before each message and end after it; code that is not
  // an actor's handler (a test's own actor) may use measure() for a scope.
  void begin(caf::scheduled_actor* self) noexcept {
    if (++seen_ >= stride_) {
      seen_ = 0;
      start_timed(self);
    }
  }
  void end(caf::scheduled_actor* self, bool failed = false) {
    ++processed_;
    errors_ += (failed || failed_) ? 1u : 0u;
    failed_ = false;
    unpublished_ = true;
    if (timing_)
      finish_timed(self);
    if (unpublished_ && !poke_pending_ && publish_when_idle_)
      arm_poke(self);
  }
  [[nodiscard]] scope measure(caf::scheduled_actor* self) noexcept;
  // The message being handled failed (counted as an error when it ends).
  void fail() noexcept { failed_ = true; }

  // Role extras. Look a series up once (or each time: it is a short linear scan), then update.
  metric_handle counter(std::string_view name, label_args labels = {});
  metric_handle gauge(std::string_view name, label_args labels = {});
  histogram_handle histogram(std::string_view name, label_args labels = {});
  void add(metric_handle h, double delta = 1) noexcept { values_[h.index].value += delta; }
  void set(metric_handle h, double value) noexcept { values_[h.index].value = value; }
  void observe(histogram_handle h, double seconds) noexcept {
    histograms_[h.index].hist.observe(seconds);
  }
  double value(metric_handle h) const noexcept { return values_[h.index].value; }

  // Sends a sample now (if attached) and starts a new interval.
  void publish(caf::scheduled_actor* self);
  // The figures so far, stamped with the given wall time.
  actor_sample sample(std::int64_t at_ns) const;

  std::uint64_t processed() const noexcept { return processed_; }
  std::uint64_t errors() const noexcept { return errors_; }
  std::uint32_t stride() const noexcept { return stride_; }
  const std::string& actor() const noexcept { return actor_; }

private:
  struct named_histogram {
    std::string name;
    std::vector<label> labels;
    latency_histogram hist;
  };

  void start_timed(caf::scheduled_actor* self) noexcept;
  void finish_timed(caf::scheduled_actor* self);
  void arm_poke(caf::scheduled_actor* self);
  metric_handle series(std::string_view name, metric_type type, label_args labels);

  std::string actor_;
  std::string role_;
  recorder_options opts_;
  metrics_actor sink_;
  std::function<void(actor_sample&)> fill_;
  std::uint64_t processed_ = 0;
  std::uint64_t errors_ = 0;
  std::uint64_t depth_ = 0;
  std::uint64_t depth_max_ = 0; // since the last publish
  std::uint32_t stride_ = 1;
  std::uint32_t seen_ = 0;
  std::uint32_t timed_ = 0; // timed messages in this interval
  bool timing_ = false;
  bool failed_ = false;      // fail() was called during the current message
  bool unpublished_ = false; // a message ended after the last publish
  bool publish_when_idle_ = false;
  bool poke_pending_ = false; // a trailing publish is on its way
  std::chrono::steady_clock::time_point t0_{};
  std::chrono::steady_clock::time_point next_publish_{};
  std::uint64_t processed_at_publish_ = 0;
  latency_histogram processing_;
  std::vector<metric_point> values_;
  std::vector<named_histogram> histograms_;
};

// Ends the measurement when it leaves scope; fail() marks the message as an error.
class actor_recorder::scope {
public:
  scope(actor_recorder& rec, caf::scheduled_actor* self) noexcept
      : rec_(&rec)
      , self_(self) {
    rec.begin(self);
  }
  scope(const scope&) = delete;
  scope& operator=(const scope&) = delete;
  ~scope() { rec_->end(self_, failed_); }
  void fail() noexcept { failed_ = true; }

private:
  actor_recorder* rec_;
  caf::scheduled_actor* self_;
  bool failed_ = false;
};

inline actor_recorder::scope actor_recorder::measure(caf::scheduled_actor* self) noexcept {
  return scope{*this, self};
}

} // namespace kis
