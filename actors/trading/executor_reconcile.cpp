// The order executor's side that listens to KIS: execution notices, inquire-daily-ccld rows
// for unknown outcomes and for fills when no notices come, and the restart from the journal.
//
// The rule for an unknown outcome (the gateway says outcome_unknown, or no answer came): the
// order is never sent again by the engine. The executor asks inquire-daily-ccld up to
// reconcile_attempts times (reconcile_interval apart) and listens to the notices meanwhile;
// an order that shows up there (same symbol, side, quantity and price, placed no earlier than
// a minute before our intent, not already claimed, and no request of ours on the same terms
// still waiting for its answer) is adopted with its ODNO; one that never
// shows up is journaled as rejected ("not placed") and its strategy is told, so that any new
// attempt is a fresh, deliberate signal.
#include <algorithm>

#include <caf/actor_cast.hpp>
#include <spdlog/spdlog.h>

#include "actors/trading/executor_actor.hpp"
#include "actors/trading/order_records.hpp"
#include "kis/kst.hpp"
#include "messages/errors.hpp"

namespace kis {

void executor::on_notice(const execution_notice& n) {
  const auto& key = n.revise_cancel == 2 && !n.orig_order_no.empty() ? n.orig_order_no : n.order_no;
  const bool known = book_.known(key);
  tracked_order* o = nullptr;
  if (known) {
    o = book_.by_order_no(key);
  } else if (book_.in_flight_like(n.symbol, n.dir, n.order_qty, n.order_price)) {
    // Parked below: the answer to our request on the same terms replays it.
  } else if (auto* u = book_.match_unknown(n.symbol, n.dir, n.order_qty, n.order_price, {})) {
    adopt(*u, n.branch, n.order_no, "found by execution notice");
    o = u;
  }
  if (o == nullptr) {
    if (!known)
      book_.park(n); // maybe the ack is still on its way
    return;
  }
  if (n.executed_on != exec_venue::unknown) // ORD_EXG_GB: where it executed (SOR resolved)
    o->e.executed_on = n.executed_on;
  if (n.rejected) {
    set_status(*o, order_status::rejected);
  } else if (n.is_fill) {
    if (auto delta = open_orders::fill_from_notice(*o, n.qty); delta > 0)
      apply_fill(*o, delta, n.price, "notice");
  } else if (n.revise_cancel == 2 && n.accept_state >= 2) {
    set_status(*o, order_status::cancelled);
  }
  if (!known) // adopted just now: notices that came before it count too
    replay_unmatched(n.order_no);
  maybe_finish_drain();
}

void executor::replay_unmatched(const std::string& order_no) {
  for (const auto& n : book_.take_parked(order_no))
    on_notice(n);
}

// --- reconciliation and fill polling --------------------------------------------------------

bool executor::want_fill_poll() const {
  return !notices_ && !book_.empty();
}

// The executor's timer: expired signals leave the queue, unknown outcomes and fills without
// notices are looked up, the account view is refreshed from KIS when it is due.
void executor::work() {
  expire_queued();
  dispatch();
  auto now = self_->clock().now();
  if ((book_.any_unknown() || want_fill_poll() || !ready_) && !poll_outstanding_ &&
      now >= next_poll_)
    query_fills();
  // No trading venue open: the account cannot move with the market, so no balance polling.
  const bool refresh_due = !account_.known() || (cfg_.balance_refresh.count() > 0 &&
                                                 now >= next_balance_ && market_open());
  if (refresh_due && !balance_outstanding_ && !draining_)
    refresh_account();
  maybe_finish_drain();
  auto next = cfg_.balance_refresh.count() > 0 ? cfg_.balance_refresh : std::chrono::hours{1};
  if (book_.any_unknown() || want_fill_poll() || drain_rp_)
    next = std::min({next, cfg_.reconcile_interval, cfg_.fill_poll_interval});
  if (!queue_.empty())
    next = std::min(next, std::chrono::milliseconds{1000}); // time to live of queued signals
  arm(next);
}

bool executor::market_open() const {
  static constexpr venue traded[] = {venue::krx, venue::nxt};
  const auto& cal = venues_.rules().calendar;
  return !cal || cal->any_open(traded, clock_->now_ns());
}

// Wakes the executor after delay unless an earlier wake-up is set. Timers cannot be cancelled
// in CAF 0.17: a later one still arrives and finds work() with nothing due, which is harmless.
void executor::arm(std::chrono::milliseconds delay) {
  const auto due = self_->clock().now() + delay;
  if (timer_armed_ && armed_due_ <= due)
    return;
  timer_armed_ = true;
  armed_due_ = due;
  self_->delayed_send(self_, delay, work_atom_v);
}

void executor::query_fills() {
  poll_outstanding_ = true;
  auto today = api::kst::date_of(clock_->now_ns());
  auto from = book_.earliest_day(today);
  self_->request(gateway_, cfg_.request_timeout, fills_query{from, today, "", "", 0})
      .then(
          [this](std::vector<fill_record>& rows) {
            apply_rows(rows); // open entries first, then (at start-up) new orders
            poll_done();
            work();
          },
          [this](caf::error&) {
            poll_done();
            work();
          });
}

void executor::poll_done() {
  poll_outstanding_ = false;
  next_poll_ = self_->clock().now() + std::min(cfg_.reconcile_interval, cfg_.fill_poll_interval);
  if (!ready_) { // the start-up pass is over: open entries are known or protected
    ready_ = true;
    dispatch();
  }
}

void executor::apply_rows(const std::vector<fill_record>& rows) {
  std::vector<const fill_record*> foreign;
  for (const auto& r : rows) {
    if (!book_.known(r.order_no)) {
      foreign.push_back(&r);
      continue;
    }
    if (auto* o = book_.by_order_no(r.order_no))
      update_from_row(*o, r);
  }
  for (const auto* r : foreign) {
    if (book_.known(r->order_no) ||
        book_.in_flight_like(r->symbol, r->dir, r->order_qty, r->order_price))
      continue; // claimed, or maybe the answer to a request still out: the next pass decides
    if (auto* o =
            book_.match_unknown(r->symbol, r->dir, r->order_qty, r->order_price, r->order_time)) {
      auto cid = o->e.client_id;
      adopt(*o, r->org_no, r->order_no, "found by inquire-daily-ccld");
      if (auto* again = book_.find(cid))
        update_from_row(*again, *r);
      replay_unmatched(r->order_no); // notices that came while its request was in flight
    }
  }
  std::vector<std::string> gone;
  for (auto& [cid, o] : book_.all())
    if (o.e.status == order_status::unknown && --o.reconcile_left <= 0)
      gone.push_back(cid);
  for (const auto& cid : gone) {
    auto& o = *book_.find(cid);
    o.e.message = "not placed: inquire-daily-ccld never showed it after " +
                  std::to_string(cfg_.reconcile_attempts) + " checks; not resent";
    set_status(o, order_status::rejected);
  }
}

void executor::update_from_row(tracked_order& o, const fill_record& r) {
  auto cid = o.e.client_id;
  // Only fills the notices have not told (yet).
  if (auto delta = open_orders::fill_from_ccld(o, r.filled_qty); delta > 0)
    apply_fill(o, delta, ccld_fill_price(o.e, r, delta), "ccld");
  auto* open = book_.find(cid);
  if (open == nullptr)
    return; // filled
  if (auto end = ccld_outcome(r))
    set_status(*open, *end);
}

// --- start-up -------------------------------------------------------------------------------

void executor::restore(journal_restore restored) {
  for (const auto& f : restored.fills)
    ledger_.fill(f.symbol, f.dir, f.qty, f.price);
  for (auto& e : restored.open) {
    tracked_order o{e, cfg_.reconcile_attempts, false, e.filled_qty, e.filled_qty};
    if (e.order_no.empty()) // the crash came between journal and answer
      o.e.status = order_status::unknown;
    status_of_[e.client_id] = o.e.status;
    book_.add(std::move(o));
  }
  // Numbers earlier runs already journaled (orders since settled included): an unknown outcome
  // whose terms match one of those orders is not that order.
  const auto from = book_.earliest_day(api::kst::date_of(clock_->now_ns()));
  for (const auto& [day, order_no] : restored.order_numbers)
    if (day >= from)
      book_.claim(order_no);
  ready_ = book_.empty(); // otherwise the first ccld pass (make_behavior) sets it
}

void executor::subscribe_notices() {
  if (!feed_ || cfg_.hts_id.empty())
    return;
  subscribe_request req{feed_channel::notices, cfg_.hts_id, 100};
  self_->request(feed_, cfg_.request_timeout, req, caf::actor_cast<notice_sink_actor>(self_))
      .then([this](subscription&) { notices_ = true; },
            [this](caf::error& err) {
              // Still correct without them (fills come from inquire-daily-ccld), but each open
              // order then costs a call every fill_poll_interval: the user should know.
              notices_ = false;
              spdlog::warn("order_executor: execution notices refused ({}); fills are polled "
                           "through inquire-daily-ccld every {} ms while orders are open",
                           describe(err), cfg_.fill_poll_interval.count());
            });
}

} // namespace kis
