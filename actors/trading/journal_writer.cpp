#include "actors/trading/journal_writer.hpp"

#include <algorithm>
#include <optional>
#include <variant>
#include <vector>

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

struct pending_intent {
  journal_entry e;
  caf::typed_response_promise<std::int64_t> rp;
};

using pending_write = std::variant<pending_intent, journal_entry, journal_fill>;

struct writer_state {
  std::shared_ptr<order_journal> journal;
  std::vector<pending_write> batch;
  bool flush_urgent = false; // the immediate flush an intent asked for is on its way
  bool timer_out = false;    // the one linger timer is on its way
  // When the oldest write of the batch that is not an intent must be committed; none: no such
  // write waits (an intent's commit took them along).
  std::optional<caf::actor_clock::time_point> linger_due;
  std::chrono::milliseconds linger{0};
  std::uint64_t errors = 0;
  actor_recorder rec{"order_journal", "order_journal"};
  metric_handle commits = rec.counter(metric_names::journal_commits_total);
  metric_handle writes = rec.counter(metric_names::journal_writes_total);
  metric_handle failures = rec.counter(metric_names::journal_errors_total);
  metric_handle largest_batch =
      rec.gauge(metric_names::journal_batch_max); // writes per commit: see writes
  std::size_t largest = 0;                        // / commits for the mean
  static inline const char* name = "order_journal";

  writer_state() = default;
  writer_state(const writer_state&) = delete;
  writer_state& operator=(const writer_state&) = delete;
  // Lingering writes of an actor that goes without a drain (the system stops) still land.
  ~writer_state() {
    if (journal && !batch.empty())
      (void)commit(batch);
  }

  // One transaction for the whole batch: nothing of it is durable when this fails.
  caf::error commit(std::vector<pending_write>& ws);
};

using writer_ptr = caf::stateful_actor<writer_state, measured<journal_actor::base>>*;

// An intent flushes at once. Another write waits up to linger for an intent's commit to ride
// with; only if none comes does it get a commit of its own. One timer at most is out: when it
// fires early (an intent's commit took the writes it was set for, newer ones came since) it is
// set again for the rest, so a steady flow of orders never pays a commit that is not an intent's.
void arm_now(writer_ptr self) {
  auto& st = self->state;
  if (!st.flush_urgent) {
    st.flush_urgent = true;
    self->send(self, flush_atom_v);
  }
}

void arm_linger(writer_ptr self) {
  auto& st = self->state;
  if (st.linger.count() == 0)
    return arm_now(self);
  if (!st.linger_due)
    st.linger_due = self->clock().now() + st.linger;
  if (!st.timer_out) {
    st.timer_out = true;
    self->delayed_send(self, *st.linger_due - self->clock().now(), linger_atom_v);
  }
}

caf::error write_one(order_journal& j, pending_write& w) {
  if (auto* i = std::get_if<pending_intent>(&w))
    return j.record_intent(i->e);
  if (auto* e = std::get_if<journal_entry>(&w))
    return j.update(*e);
  return j.record_fill(std::get<journal_fill>(w));
}

caf::error writer_state::commit(std::vector<pending_write>& ws) {
  auto err = journal->begin();
  for (auto& w : ws)
    if (!err)
      err = write_one(*journal, w);
  if (!err)
    err = journal->commit();
  else
    journal->rollback();
  rec.add(commits);
  rec.add(writes, static_cast<double>(ws.size()));
  largest = std::max(largest, ws.size());
  rec.set(largest_batch, static_cast<double>(largest));
  if (err) {
    ++errors;
    rec.add(failures);
  }
  return err;
}

// Commits what has arrived; on failure every intent of it hears so (its order must not leave).
void flush(writer_ptr self) {
  auto& st = self->state;
  st.flush_urgent = false;
  st.linger_due.reset();
  if (st.batch.empty())
    return;
  auto batch = std::move(st.batch);
  st.batch.clear();
  auto err = st.commit(batch);
  for (auto& w : batch)
    if (auto* i = std::get_if<pending_intent>(&w)) {
      if (err)
        i->rp.deliver(err);
      else
        i->rp.deliver(i->e.seq);
    }
}

journal_actor::behavior_type writer(writer_ptr self) {
  self->measure_with(self->state.rec);
  return {
      [self](intent_atom, journal_entry& e) -> caf::result<std::int64_t> {
        auto rp = self->make_response_promise<std::int64_t>();
        self->state.batch.emplace_back(pending_intent{std::move(e), rp});
        arm_now(self);
        return rp;
      },
      [self](journal_entry& e) {
        self->state.batch.emplace_back(std::move(e));
        arm_linger(self);
      },
      [self](journal_fill& f) {
        self->state.batch.emplace_back(std::move(f));
        arm_linger(self);
      },
      [self](drain_atom) {
        flush(self);
        if (auto err = self->state.journal->checkpoint())
          ++self->state.errors;
        return self->state.errors;
      },
      [self](flush_atom) { flush(self); },
      [self](linger_atom) {
        auto& st = self->state;
        st.timer_out = false;
        if (!st.linger_due) // an intent's commit took them along
          return;
        if (self->clock().now() >= *st.linger_due)
          return flush(self);
        arm_linger(self); // newer writes wait: the rest of their linger
      },
      [self](publish_atom) {
        flush(self);
        self->state.rec.publish(self);
      },
  };
}

} // namespace

journal_actor spawn_journal_writer(caf::actor_system& sys, std::shared_ptr<order_journal> journal,
                                   bool detached, std::chrono::milliseconds linger) {
  auto init = [journal = std::move(journal), linger](writer_ptr self) mutable {
    self->state.journal = std::move(journal);
    self->state.linger = linger;
    self->state.rec.publish_when_idle(); // a burst ends well within the publish period
    return writer(self);
  };
  if (detached)
    return sys.spawn<caf::detached>(std::move(init));
  return sys.spawn(std::move(init));
}

} // namespace kis
