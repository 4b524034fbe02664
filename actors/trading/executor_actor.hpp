// The order executor's logic class, shared by its two source files (order_executor.cpp: intake,
// the stages of an order, views, drain, reports; executor_reconcile.cpp: notices, fills and
// reconciliation through inquire-daily-ccld, restart). Internal to actors/trading.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include "actors/observability/instrumentation.hpp"
#include "actors/observability/measured.hpp"
#include "actors/trading/account_view.hpp"
#include "actors/trading/executor_report.hpp"
#include "actors/trading/market_view.hpp"
#include "actors/trading/open_orders.hpp"
#include "actors/trading/order_journal.hpp"
#include "actors/trading/risk_checks.hpp"
#include "actors/trading/signal_queue.hpp"
#include "actors/trading/trading_config.hpp"
#include "actors/trading/venue_gate.hpp"
#include "messages/interfaces.hpp"

namespace kis {

// What the journal file held when the executor started.
struct journal_restore {
  std::vector<journal_entry> open;
  std::vector<journal_fill> fills;
  std::vector<std::pair<std::int32_t, std::string>> order_numbers; // (trading day, ODNO)
  std::int64_t next_seq = 1;
  std::string path;
};

// The logic needs only the typed interface of its actor, not the actor's state type.
using executor_self = measured<order_executor_impl_actor::base>*;

// The executor's logic; the actor's state owns it, so when the actor exits every handle it
// held goes with it (a handle kept by a dead executor would keep the detached journal thread,
// and the actor system's shutdown, waiting for as long as anyone held the executor).
class executor final {
public:
  using steady_time = caf::actor_clock::time_point;

  executor(executor_self self, executor_config cfg, journal_actor journal, journal_restore restored,
           rest_gateway_actor gateway, ws_feed_actor feed);

  order_executor_impl_actor::behavior_type make_behavior();

private:
  // --- intake and stages (order_executor.cpp) ---
  caf::result<signal_ack> on_signal(signal s);
  caf::error refused(caf::error err);
  void dispatch();
  void end_staged(queued_signal& q, order_status st, const std::string& why);
  exposure exposure_of(const std::string& symbol) const;
  caf::error venue_refusal(const signal& s) const;
  void check_venue(queued_signal q);
  void check_market(queued_signal q);
  void check_risk(queued_signal q, const quote& qt);
  void check_account(queued_signal q, const quote& qt);
  void write_intent(queued_signal q, std::int64_t hold_price);
  void send_order(const std::string& cid);
  void on_ack(const std::string& cid, const order_ack& ack);
  void on_send_error(const std::string& cid, const caf::error& err);
  void on_prices(const std::vector<price_update>& ups);
  void refresh_account();
  void expire_queued();
  void on_strategy_down(const caf::down_msg& dm);
  // --- the state of an order ---
  void adopt(tracked_order& o, const std::string& org_no, const std::string& order_no,
             const std::string& msg);
  void set_status(tracked_order& o, order_status s, std::int64_t last_qty = 0,
                  std::int64_t last_px = 0);
  void notify(const order_update& up);
  // Tells the feed which symbols hold orders or positions (they keep WebSocket slots) and how
  // many signals each got; sent when the pinned set changes or a signal arrived.
  void report_interest(bool signalled);
  void apply_fill(tracked_order& o, std::int64_t qty, std::int64_t price, const char* source);
  void release_hold(tracked_order& o, std::int64_t qty);
  void check_loss_limit();
  // --- notices, reconciliation, restart (executor_reconcile.cpp) ---
  void on_notice(const execution_notice& n);
  void replay_unmatched(const std::string& order_no);
  bool want_fill_poll() const;
  bool market_open() const; // a venue the engine trades is open (always without a calendar)
  void work();
  void arm(std::chrono::milliseconds delay);
  void query_fills();
  void poll_done();
  void apply_rows(const std::vector<fill_record>& rows);
  void update_from_row(tracked_order& o, const fill_record& r);
  void restore(journal_restore restored);
  void subscribe_notices();
  // --- kill switch, drain, reports (order_executor.cpp) ---
  void set_kill(bool on, const std::string& why);
  void end_queue(order_status st, const std::string& why);
  caf::result<executor_summary> on_drain();
  void cancel_open();
  void maybe_finish_drain();
  void add_figures(actor_sample& s) const;
  executor_summary summary() const;
  std::string describe(const caf::error& err) const;

  executor_self self_;
  executor_config cfg_;
  journal_actor journal_;
  std::string journal_path_;
  rest_gateway_actor gateway_;
  ws_feed_actor feed_;
  std::shared_ptr<const wall_clock> clock_;
  risk_checks risk_;
  venue_gate venues_; // venue, environment, Nextrade eligibility, session
  duplicate_window dups_;
  signal_queue queue_; // accepted signals waiting, and the exposure of those in the stages
  std::int64_t next_seq_ = 1;
  std::size_t in_flight_ = 0;
  open_orders book_; // open orders by client id and ODNO, parked notices
  std::map<std::string, order_status> status_of_; // every order of this run
  market_view market_;
  account_view account_;
  position_ledger ledger_;
  std::map<std::string, strategy_actor> strategies_;
  std::map<std::string, std::uint64_t> refused_;
  std::map<std::string, std::uint64_t> signals_by_symbol_;
  std::set<std::string> pinned_reported_;
  order_blotter blotter_; // the latest orders, for the console
  std::uint64_t signals_ = 0, accepted_ = 0, fills_ = 0, journal_errors_ = 0;
  std::uint64_t orders_sent_ = 0, pretrade_calls_ = 0;
  std::uint64_t strategies_lost_ = 0, strategy_settled_ = 0;
  bool ready_ = false, killed_ = false, draining_ = false, notices_ = false;
  bool timer_armed_ = false, poll_outstanding_ = false, balance_outstanding_ = false;
  std::string kill_reason_;
  steady_time next_poll_{}, drain_deadline_{}, next_balance_{}, armed_due_{};
  std::optional<caf::typed_response_promise<executor_summary>> drain_rp_;
  actor_recorder rec_{"order_executor", "order_executor"};
  histogram_handle signal_to_ack_ = rec_.histogram(metric_names::order_signal_to_ack_seconds);
};

struct executor_state {
  std::optional<executor> logic;
  static inline const char* name = "order_executor";
};
using executor_ptr =
    caf::stateful_actor<executor_state, measured<order_executor_impl_actor::base>>*;

} // namespace kis
