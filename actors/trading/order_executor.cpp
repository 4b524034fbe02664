#include "actors/trading/order_executor.hpp"

#include <algorithm>
#include <map>
#include <optional>

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include "actors/trading/executor_report.hpp"
#include "actors/observability/instrumentation.hpp"
#include "actors/trading/open_orders.hpp"
#include "actors/trading/order_journal.hpp"
#include "actors/trading/order_records.hpp"
#include "actors/trading/risk_checks.hpp"
#include "actors/trading/signal_queue.hpp"
#include "kis/kst.hpp"
#include "messages/errors.hpp"

namespace kis {
namespace {

using steady_time = caf::actor_clock::time_point;

class executor final : public order_executor_impl_actor::base {
public:
  executor(caf::actor_config& ac, executor_config cfg, std::shared_ptr<order_journal> journal,
           rest_gateway_actor gateway, ws_feed_actor feed)
      : order_executor_impl_actor::base(ac)
      , cfg_(std::move(cfg))
      , journal_(std::move(journal))
      , gateway_(std::move(gateway))
      , feed_(std::move(feed))
      , clock_(cfg_.clock ? cfg_.clock : default_wall_clock())
      , risk_(cfg_.risk)
      , dups_(cfg_.dedup_window)
      , queue_(cfg_.queue_capacity) {}

  const char* name() const override { return "order_executor"; }

  behavior_type make_behavior() override {
    rec_.on_publish([this](actor_sample& s) { add_figures(s); });
    // A quiet executor still reports its last order or fill: an anonymous status_atom pokes it.
    rec_.on_idle([this](caf::timespan d) {
      caf::delayed_anon_send(caf::actor_cast<order_executor_impl_actor>(this), d, status_atom_v);
    });
    restore();
    subscribe_notices();
    return {
        [this](signal& s) -> caf::result<signal_ack> {
          auto m = rec_.measure(this);
          return on_signal(std::move(s));
        },
        [this](execution_notice& n) {
          auto m = rec_.measure(this);
          on_notice(n);
        },
        [this](follow_atom, const std::string& id, strategy_actor st) {
          auto m = rec_.measure(this);
          strategies_[id] = std::move(st);
        },
        [this](kill_atom, bool on, const std::string& why) {
          auto m = rec_.measure(this);
          set_kill(on, why);
        },
        [this](drain_atom) -> caf::result<executor_summary> {
          auto m = rec_.measure(this);
          return on_drain();
        },
        [this](status_atom) {
          if (!current_sender()) { // the recorder's trailing publish
            rec_.publish(this);
            return summary();
          }
          auto m = rec_.measure(this);
          return summary();
        },
        [this](poll_atom) {
          auto m = rec_.measure(this);
          timer_armed_ = false;
          work();
        },
    };
  }

private:
  // --- intake -------------------------------------------------------------------------------

  caf::result<signal_ack> on_signal(signal s) {
    ++signals_;
    if (s.created_ns == 0)
      s.created_ns = clock_->now_ns();
    if (draining_)
      return refused(make_kis_error(errc::shutting_down, "draining: no new signals"));
    if (killed_)
      return refused(make_kis_error(errc::kill_switch, "kill switch on: " + kill_reason_));
    if (auto err = risk_.check_signal(s))
      return refused(std::move(err));
    if (dups_.seen(s, clock().now()))
      return refused(make_kis_error(errc::duplicate, "same signal inside the " +
                                                         std::to_string(cfg_.dedup_window.count()) +
                                                         " ms window"));
    if (queue_.full())
      return refused(make_kis_error(errc::queue_full, "signal queue full (" +
                                                          std::to_string(cfg_.queue_capacity) +
                                                          " waiting)"));
    auto rp = make_response_promise<signal_ack>();
    queue_.push(queued_signal{std::move(s), rp});
    dispatch();
    return rp;
  }

  caf::error refused(caf::error err) {
    ++refused_[to_string(view(err).code)];
    return err;
  }

  void dispatch() {
    while (ready_ && !queue_.empty() && in_flight_ < cfg_.max_in_flight) {
      auto q = queue_.pop();
      ++in_flight_;
      queue_.stage(q.sig, +1);
      check_market(std::move(q));
    }
  }

  // Ends a dequeued signal that will not become an order.
  void refuse_staged(queued_signal& q, caf::error err) {
    queue_.stage(q.sig, -1);
    --in_flight_;
    q.rp.deliver(refused(std::move(err)));
    dispatch();
    maybe_finish_drain();
  }

  exposure exposure_of(const std::string& symbol) const {
    auto x = queue_.staged(symbol);
    x.position = ledger_.qty(symbol);
    book_.add_pending(symbol, x);
    return x;
  }

  // --- stages of one signal: quote, risk, buyable, journal, send ----------------------------

  void check_market(queued_signal q) {
    auto i = quotes_.find(q.sig.symbol);
    if (i != quotes_.end() && clock().now() - i->second.second <= cfg_.quote_max_age) {
      check_risk(std::move(q), i->second.first);
      return;
    }
    request(gateway_, cfg_.request_timeout, price_query{q.sig.symbol, "J", true})
        .then(
            [this, q](quote& qt) mutable {
              auto m = rec_.measure(this);
              quotes_[qt.symbol] = {qt, clock().now()};
              check_risk(std::move(q), qt);
            },
            [this, q](caf::error& err) mutable {
              auto m = rec_.measure(this);
              refuse_staged(q, make_kis_error(errc::risk_refused, "no quote for " + q.sig.symbol +
                                                                      ": " + describe(err)));
            });
  }

  void check_risk(queued_signal q, const quote& qt) {
    if (killed_)
      return refuse_staged(q, make_kis_error(errc::kill_switch, "kill switch on: " + kill_reason_));
    queue_.stage(q.sig, -1); // the signal's own exposure must not count against itself
    auto err = risk_.check_market(q.sig, qt, exposure_of(q.sig.symbol));
    queue_.stage(q.sig, +1);
    if (err)
      return refuse_staged(q, std::move(err));
    if (q.sig.dir != side::buy || !cfg_.check_buyable)
      return write_intent(std::move(q));
    buyable_query bq{q.sig.symbol, risk_checks::reference_price(q.sig, qt), 1};
    request(gateway_, cfg_.request_timeout, bq)
        .then(
            [this, q](buyable& b) mutable {
              auto m = rec_.measure(this);
              if (auto e = risk_.check_buyable(q.sig, b))
                return refuse_staged(q, std::move(e));
              write_intent(std::move(q));
            },
            [this, q](caf::error& failure) mutable {
              auto m = rec_.measure(this);
              refuse_staged(q, make_kis_error(errc::risk_refused,
                                              "buyable check failed: " + describe(failure)));
            });
  }

  void write_intent(queued_signal q) {
    if (killed_ || draining_)
      return refuse_staged(q, make_kis_error(killed_ ? errc::kill_switch : errc::shutting_down,
                                             "stopped before sending"));
    auto e = intent_entry(q.sig, clock_->now_ns());
    if (auto err = journal_->record_intent(e)) // never send what is not journaled
      return refuse_staged(q, std::move(err));
    queue_.stage(q.sig, -1);
    ++accepted_;
    auto cid = e.client_id;
    status_of_[cid] = e.status;
    book_.add(tracked_order{e, 0, false, 0, 0});
    q.rp.deliver(signal_ack{cid, queue_.size()});
    notify(e);
    order_request req{cid, e.symbol, e.dir, e.kind, e.qty, e.price};
    request(gateway_, cfg_.request_timeout, req)
        .then(
            [this, cid](order_ack& ack) {
              auto m = rec_.measure(this);
              --in_flight_;
              on_ack(cid, ack);
              dispatch();
            },
            [this, cid](caf::error& err) {
              auto m = rec_.measure(this);
              --in_flight_;
              on_send_error(cid, err);
              dispatch();
            });
  }

  // --- results ------------------------------------------------------------------------------

  void on_ack(const std::string& cid, const order_ack& ack) {
    auto* o = book_.find(cid);
    if (o == nullptr)
      return;
    adopt(*o, ack.org_no, ack.order_no, ack.message);
    replay_unmatched(ack.order_no);
    if (want_fill_poll()) // without notices nothing else would ever learn its fills
      arm(cfg_.fill_poll_interval);
    maybe_finish_drain();
  }

  void on_send_error(const std::string& cid, const caf::error& err) {
    auto* found = book_.find(cid);
    if (found == nullptr)
      return;
    auto& o = *found;
    auto v = view(err);
    bool definite = err.category() == caf::atom("kis") && v.code != errc::outcome_unknown;
    o.e.message = describe(err);
    if (definite) { // KIS answered, or nothing left the machine: the order does not exist
      set_status(o, order_status::rejected);
    } else { // it may have reached KIS: find out, never resend
      o.reconcile_left = cfg_.reconcile_attempts;
      set_status(o, order_status::unknown);
      arm(std::chrono::milliseconds{0});
    }
    maybe_finish_drain();
  }

  void adopt(tracked_order& o, const std::string& org_no, const std::string& order_no,
             const std::string& msg) {
    o.e.org_no = org_no;
    o.e.order_no = order_no;
    if (!msg.empty())
      o.e.message = msg;
    book_.index(o);
    set_status(o, order_status::sent);
  }

  // Journals the new state, tells the strategy, and forgets the order once it is final.
  void set_status(tracked_order& o, order_status s, std::int64_t last_qty = 0,
                  std::int64_t last_px = 0) {
    o.e.status = s;
    o.e.updated_ns = clock_->now_ns();
    if (auto err = journal_->update(o.e))
      ++journal_errors_;
    status_of_[o.e.client_id] = s;
    notify(o.e, last_qty, last_px);
    if (final_status(s))
      book_.erase(o.e.client_id); // o dangles from here on
  }

  void notify(const journal_entry& e, std::int64_t last_qty = 0, std::int64_t last_px = 0) {
    auto i = strategies_.find(e.strategy_id);
    if (i == strategies_.end())
      return;
    send(i->second, update_of(e, last_qty, last_px, clock_->now_ns()));
  }

  void apply_fill(tracked_order& o, std::int64_t qty, std::int64_t price, const char* source) {
    qty = add_fill(o.e, qty, price);
    if (qty <= 0)
      return;
    if (auto err = journal_->record_fill(
            {o.e.client_id, o.e.symbol, o.e.dir, qty, price, clock_->now_ns(), source}))
      ++journal_errors_;
    ++fills_;
    ledger_.fill(o.e.symbol, o.e.dir, qty, price);
    auto s = o.e.filled_qty >= o.e.qty ? order_status::filled : order_status::partially_filled;
    set_status(o, s, qty, price);
    check_loss_limit();
  }

  void check_loss_limit() {
    if (!killed_ && cfg_.risk.daily_loss_limit > 0 &&
        -ledger_.realized() >= cfg_.risk.daily_loss_limit)
      set_kill(true, "daily loss limit reached (realised " + std::to_string(ledger_.realized()) +
                         " KRW)");
  }

  // --- execution notices ----------------------------------------------------------------------

  void on_notice(const execution_notice& n) {
    const auto& key =
        n.revise_cancel == 2 && !n.orig_order_no.empty() ? n.orig_order_no : n.order_no;
    const bool known = book_.known(key);
    tracked_order* o = nullptr;
    if (known) {
      o = book_.by_order_no(key);
    } else if (auto* u = book_.match_unknown(n.symbol, n.dir, n.order_qty, n.order_price, {})) {
      adopt(*u, n.branch, n.order_no, "found by execution notice");
      o = u;
    }
    if (o == nullptr) {
      if (!known)
        book_.park(n); // maybe the ack is still on its way
      return;
    }
    if (n.rejected)
      set_status(*o, order_status::rejected);
    else if (n.is_fill)
      fill_from_notice(*o, n.qty, n.price);
    else if (n.revise_cancel == 2 && n.accept_state >= 2)
      set_status(*o, order_status::cancelled);
    if (!known) // adopted just now: notices that came before it count too
      replay_unmatched(n.order_no);
    maybe_finish_drain();
  }

  void fill_from_notice(tracked_order& o, std::int64_t qty, std::int64_t price) {
    if (auto delta = open_orders::fill_from_notice(o, qty); delta > 0)
      apply_fill(o, delta, price, "notice");
  }

  void replay_unmatched(const std::string& order_no) {
    for (const auto& n : book_.take_parked(order_no))
      on_notice(n);
  }

  // --- reconciliation and fill polling --------------------------------------------------------

  bool any_unknown() const { return book_.any_unknown(); }

  bool want_fill_poll() const { return !notices_ && !book_.empty(); }

  void work() {
    dispatch();
    auto now = clock().now();
    if ((any_unknown() || want_fill_poll() || !ready_) && !poll_outstanding_ && now >= next_poll_)
      query_fills();
    maybe_finish_drain();
    if (any_unknown() || want_fill_poll() || drain_rp_)
      arm(std::min(cfg_.reconcile_interval, cfg_.fill_poll_interval));
  }

  void arm(std::chrono::milliseconds delay) {
    if (timer_armed_)
      return;
    timer_armed_ = true;
    delayed_send(this, delay, poll_atom_v);
  }

  void query_fills() {
    poll_outstanding_ = true;
    auto today = api::kst::date_of(clock_->now_ns());
    auto from = book_.earliest_day(today);
    request(gateway_, cfg_.request_timeout, fills_query{from, today, "", "", 0})
        .then(
            [this](std::vector<fill_record>& rows) {
              auto m = rec_.measure(this);
              apply_rows(rows); // open entries first, then (at start-up) new orders
              poll_done();
              work();
            },
            [this](caf::error&) {
              auto m = rec_.measure(this);
              poll_done();
              work();
            });
  }

  void poll_done() {
    poll_outstanding_ = false;
    next_poll_ = clock().now() + std::min(cfg_.reconcile_interval, cfg_.fill_poll_interval);
    if (!ready_) { // the start-up pass is over: open entries are known or protected
      ready_ = true;
      dispatch();
    }
  }

  void apply_rows(const std::vector<fill_record>& rows) {
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
      if (book_.known(r->order_no))
        continue;
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

  void update_from_row(tracked_order& o, const fill_record& r) {
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

  void restore() {
    for (const auto& f : journal_->fills())
      ledger_.fill(f.symbol, f.dir, f.qty, f.price);
    for (auto& e : journal_->open_entries()) {
      tracked_order o{e, cfg_.reconcile_attempts, false, e.filled_qty, e.filled_qty};
      if (e.order_no.empty()) // the crash came between journal and answer
        o.e.status = order_status::unknown;
      status_of_[e.client_id] = o.e.status;
      book_.add(std::move(o));
    }
    ready_ = book_.empty();
    if (!ready_)
      query_fills(); // reconcile before the first new order
  }

  void subscribe_notices() {
    if (!feed_ || cfg_.hts_id.empty())
      return;
    subscribe_request req{feed_channel::notices, cfg_.hts_id, 100};
    request(feed_, cfg_.request_timeout, req, caf::actor_cast<notice_sink_actor>(this))
        .then([this](subscription&) { notices_ = true; },
              [this](caf::error&) { notices_ = false; });
  }

  // --- kill switch and drain ------------------------------------------------------------------

  void set_kill(bool on, const std::string& why) {
    killed_ = on;
    kill_reason_ = why;
    if (on)
      refuse_queue(errc::kill_switch, "kill switch on: " + why);
  }

  void refuse_queue(errc code, const std::string& why) {
    for (auto& q : queue_.take_all())
      q.rp.deliver(refused(make_kis_error(code, why)));
  }

  caf::result<executor_summary> on_drain() {
    draining_ = true;
    refuse_queue(errc::shutting_down, "draining: signal not sent");
    auto rp = make_response_promise<executor_summary>();
    drain_rp_ = rp;
    drain_deadline_ = clock().now() + cfg_.drain_timeout;
    if (cfg_.drain == drain_policy::cancel)
      cancel_open();
    arm(std::min(cfg_.drain_timeout, cfg_.reconcile_interval));
    maybe_finish_drain();
    return rp;
  }

  void cancel_open() {
    for (auto& [cid, o] : book_.all()) {
      if (o.cancel_sent || o.e.order_no.empty() || o.e.status == order_status::unknown)
        continue;
      o.cancel_sent = true;
      revise_cancel_request rq{cid, o.e.org_no, o.e.order_no, revise_or_cancel::cancel, o.e.kind,
                               0,   0,          true};
      request(gateway_, cfg_.request_timeout, rq)
          .then(
              [this, id = cid](order_ack&) {
                auto m = rec_.measure(this);
                if (auto* open = book_.find(id))
                  set_status(*open, order_status::cancelled);
                maybe_finish_drain();
              },
              [this, id = cid](caf::error& err) {
                auto m = rec_.measure(this);
                if (auto* open = book_.find(id))
                  open->e.message = "cancel failed: " + describe(err);
                maybe_finish_drain();
              });
    }
  }

  void maybe_finish_drain() {
    if (!drain_rp_)
      return;
    if (cfg_.drain == drain_policy::cancel)
      cancel_open(); // orders adopted since the drain began
    bool quiet = in_flight_ == 0 && book_.empty();
    if (!quiet && clock().now() < drain_deadline_)
      return;
    if (auto err = journal_->checkpoint())
      ++journal_errors_;
    drain_rp_->deliver(summary());
    drain_rp_.reset();
  }

  // --- reporting ------------------------------------------------------------------------------

  void add_figures(actor_sample& s) const {
    add_executor_figures(s, summary(), {book_.size(), in_flight_, journal_errors_});
  }

  executor_summary summary() const {
    executor_summary s;
    s.signals = signals_;
    s.accepted = accepted_;
    s.refused = count_list(refused_);
    s.orders = count_statuses(status_of_);
    s.fills = fills_;
    s.positions = ledger_.positions();
    s.realized_pnl = ledger_.realized();
    s.queue_depth = queue_.size();
    s.killed = killed_;
    s.journal_path = journal_->path();
    return s;
  }

  std::string describe(const caf::error& err) const { return describe_error(home_system(), err); }

  executor_config cfg_;
  std::shared_ptr<order_journal> journal_;
  rest_gateway_actor gateway_;
  ws_feed_actor feed_;
  std::shared_ptr<const wall_clock> clock_;
  risk_checks risk_;
  duplicate_window dups_;
  signal_queue queue_; // signals waiting, and the exposure of those between queue and journal
  std::size_t in_flight_ = 0;
  open_orders book_; // open orders by client id and ODNO, parked notices
  std::map<std::string, order_status> status_of_; // every order of this run
  std::map<std::string, std::pair<quote, steady_time>> quotes_;
  position_ledger ledger_;
  std::map<std::string, strategy_actor> strategies_;
  std::map<std::string, std::uint64_t> refused_;
  std::uint64_t signals_ = 0, accepted_ = 0, fills_ = 0, journal_errors_ = 0;
  bool ready_ = false, killed_ = false, draining_ = false, notices_ = false;
  bool timer_armed_ = false, poll_outstanding_ = false;
  std::string kill_reason_;
  steady_time next_poll_{}, drain_deadline_{};
  std::optional<caf::typed_response_promise<executor_summary>> drain_rp_;
  actor_recorder rec_{"order_executor", "order_executor"};
};

} // namespace

caf::expected<order_executor_impl_actor> spawn_order_executor(caf::actor_system& sys,
                                                              executor_config cfg,
                                                              rest_gateway_actor gateway,
                                                              ws_feed_actor feed) {
  if (cfg.journal_path.empty())
    return make_kis_error(errc::config, "executor: journal path is empty");
  if (cfg.queue_capacity == 0 || cfg.max_in_flight == 0)
    return make_kis_error(errc::config, "executor: queue_capacity and max_in_flight must be > 0");
  auto journal = std::make_shared<order_journal>();
  if (auto err = journal->open(cfg.journal_path))
    return err;
  return sys.spawn<executor>(std::move(cfg), std::move(journal), std::move(gateway),
                             std::move(feed));
}

} // namespace kis
