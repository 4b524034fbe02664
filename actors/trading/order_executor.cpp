#include "actors/trading/order_executor.hpp"

#include <algorithm>

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/send.hpp>

#include "actors/trading/executor_actor.hpp"
#include "actors/trading/executor_report.hpp"
#include "actors/trading/journal_writer.hpp"
#include "actors/trading/order_records.hpp"
#include "kis/kst.hpp"
#include "kis/venues.hpp"
#include "messages/errors.hpp"

namespace kis {

executor::executor(executor_self self, executor_config cfg, journal_actor journal,
                   journal_restore restored, rest_gateway_actor gateway, ws_feed_actor feed)
    : self_(self)
    , cfg_(std::move(cfg))
    , journal_(std::move(journal))
    , journal_path_(restored.path)
    , gateway_(std::move(gateway))
    , feed_(std::move(feed))
    , clock_(cfg_.clock ? cfg_.clock : default_wall_clock())
    , risk_(cfg_.risk)
    , venues_(cfg_.venues)
    , dups_(cfg_.dedup_window)
    , queue_(cfg_.queue_capacity)
    , next_seq_(restored.next_seq)
    , account_(cfg_.account_margin) {
  if (cfg_.initial_account)
    account_.seed(*cfg_.initial_account);
  restore(std::move(restored));
}

order_executor_impl_actor::behavior_type executor::make_behavior() {
  self_->measure_with(rec_);
  rec_.on_publish([this](actor_sample& s) { add_figures(s); });
  rec_.publish_when_idle(); // a quiet executor still reports its last order or fill
  self_->link_to(journal_); // the journal actor ends with its executor, after what it was sent
  self_->set_down_handler([this](caf::down_msg& dm) { on_strategy_down(dm); });
  subscribe_notices();
  if (!book_.empty())
    query_fills(); // reconcile before the first new order
  if (!account_.known())
    refresh_account(); // the account view starts from KIS's balance
  else
    next_balance_ = self_->clock().now() + cfg_.balance_refresh;
  if (cfg_.balance_refresh.count() > 0)
    arm(cfg_.balance_refresh);
  return {
      [this](signal& s) -> caf::result<signal_ack> { return on_signal(std::move(s)); },
      [this](const std::vector<price_update>& ups) { on_prices(ups); },
      [this](execution_notice& n) { on_notice(n); },
      [this](follow_atom, const std::string& id, strategy_actor st) {
        self_->monitor(st); // a strategy on another node may go with its node
        strategies_[id] = std::move(st);
      },
      [this](kill_atom, bool on, const std::string& why) { set_kill(on, why); },
      [this](drain_atom) -> caf::result<executor_summary> { return on_drain(); },
      [this](status_atom) { return summary(); },
      [this](publish_atom) { rec_.publish(self_); },
      [this](work_atom) {
        timer_armed_ = false;
        work();
      },
  };
}

// --- intake: an answer at once ---------------------------------------------------------------

caf::result<signal_ack> executor::on_signal(signal s) {
  ++signals_;
  if (!s.symbol.empty()) {
    ++signals_by_symbol_[s.symbol];
    report_interest(true);
  }
  if (s.created_ns == 0)
    s.created_ns = clock_->now_ns();
  if (draining_)
    return refused(make_kis_error(errc::shutting_down, "draining: no new signals"));
  if (killed_)
    return refused(make_kis_error(errc::kill_switch, "kill switch on: " + kill_reason_));
  if (auto err = risk_.check_signal(s))
    return refused(std::move(err));
  s.route = api::effective_venue(s.route); // the host applied the strategy's default
  if (auto err = venue_refusal(s))
    return refused(std::move(err));
  if (dups_.seen(s, self_->clock().now()))
    return refused(make_kis_error(errc::duplicate, "same signal inside the " +
                                                       std::to_string(cfg_.dedup_window.count()) +
                                                       " ms window"));
  if (queue_.full())
    return refused(
        make_kis_error(errc::queue_full,
                       "signal queue full (" + std::to_string(cfg_.queue_capacity) + " waiting)"));
  queued_signal q{std::move(s), "", next_seq_++};
  q.client_id = client_id_of(api::kst::date_of(clock_->now_ns()), q.seq);
  ++accepted_;
  status_of_[q.client_id] = order_status::queued;
  signal_ack ack{q.client_id, queue_.size() + 1};
  notify(update_of_signal(q.sig, q.client_id, order_status::queued, "", clock_->now_ns()));
  queue_.push(std::move(q));
  dispatch();
  return ack;
}

caf::error executor::refused(caf::error err) {
  ++refused_[to_string(view(err).code)];
  return err;
}

void executor::dispatch() {
  while (ready_ && !queue_.empty() && in_flight_ < cfg_.max_in_flight) {
    auto q = queue_.pop();
    if (q.sig.expires_ns != 0 && clock_->now_ns() >= q.sig.expires_ns) {
      queue_.stage(q.sig, +1);
      ++in_flight_;
      end_staged(q, order_status::expired, "not sent within its time to live");
      continue;
    }
    ++in_flight_;
    queue_.stage(q.sig, +1);
    check_venue(std::move(q));
  }
}

// Paper's KRX-only rule, the venue's order kinds, Nextrade eligibility known today and the
// venue's session now: a typed refusal, before any call.
caf::error executor::venue_refusal(const signal& s) const {
  if (auto e = venues_.check(s, clock_->now_ns()))
    return make_kis_error(e->code, e->kis_code, e->http_status, e->message);
  return caf::error{};
}

// A signal may have waited in the queue across a session boundary, and an NXT order needs
// Nextrade eligibility (search-stock-info, once a symbol a day) before it may leave.
void executor::check_venue(queued_signal q) {
  if (auto err = venue_refusal(q.sig)) {
    ++refused_[to_string(view(err).code)];
    return end_staged(q, order_status::rejected,
                      to_string(view(err).code) + ": " + view(err).message);
  }
  if (!venues_.needs_lookup(q.sig, clock_->now_ns()))
    return check_market(std::move(q));
  ++pretrade_calls_;
  self_->request(gateway_, cfg_.request_timeout, stock_info_query{q.sig.symbol})
      .then(
          [this, q](stock_info& si) mutable {
            venues_.learn(q.sig.symbol, si.nxt_eligible, clock_->now_ns());
            check_venue(std::move(q));
          },
          [this, q](caf::error& err) mutable {
            ++refused_[to_string(errc::venue_refused)];
            end_staged(q, order_status::rejected,
                       "venue_refused: Nextrade eligibility of " + q.sig.symbol +
                           " unknown: " + describe(err));
          });
}

// Ends an accepted signal that will not become an order: the strategy hears why.
void executor::end_staged(queued_signal& q, order_status st, const std::string& why) {
  queue_.stage(q.sig, -1);
  --in_flight_;
  status_of_[q.client_id] = st;
  notify(update_of_signal(q.sig, q.client_id, st, why, clock_->now_ns()));
  dispatch();
  maybe_finish_drain();
}

exposure executor::exposure_of(const std::string& symbol) const {
  auto x = queue_.staged(symbol);
  // KIS's holdings (with this run's fills) when the account view knows them, else our fills.
  x.position = account_.known() ? account_.shares(symbol) : ledger_.qty(symbol);
  book_.add_pending(symbol, x);
  return x;
}

// --- the stages of one accepted signal: market, risk, account, journal, send -----------------

void executor::check_market(queued_signal q) {
  if (auto fresh = market_.fresh(q.sig.symbol, self_->clock().now())) {
    check_risk(std::move(q), *fresh);
    return;
  }
  // Nothing fresh in the market view: one quote, in the class just below orders.
  ++pretrade_calls_;
  self_
      ->request(gateway_, cfg_.request_timeout,
                price_query{q.sig.symbol, "J", true, permit_class::pretrade})
      .then(
          [this, q](quote& qt) mutable {
            market_.apply_quote(qt, cfg_.quote_max_age, self_->clock().now());
            check_risk(std::move(q), qt);
          },
          [this, q](caf::error& err) mutable {
            ++refused_[to_string(errc::risk_refused)];
            end_staged(q, order_status::rejected,
                       "risk_refused: no quote for " + q.sig.symbol + ": " + describe(err));
          });
}

void executor::check_risk(queued_signal q, const quote& qt) {
  if (killed_)
    return end_staged(q, order_status::rejected, "kill_switch: kill switch on: " + kill_reason_);
  queue_.stage(q.sig, -1); // the signal's own exposure must not count against itself
  auto err = risk_.check_market(q.sig, qt, exposure_of(q.sig.symbol));
  queue_.stage(q.sig, +1);
  if (err) {
    ++refused_[to_string(view(err).code)];
    return end_staged(q, order_status::rejected,
                      to_string(view(err).code) + ": " + view(err).message);
  }
  check_account(std::move(q), qt);
}

// The account view decides when it can; near the limit (or without a view) KIS is asked.
void executor::check_account(queued_signal q, const quote& qt) {
  const auto price = risk_checks::reference_price(q.sig, qt);
  if (q.sig.dir == side::sell || !cfg_.check_buyable)
    return write_intent(std::move(q), price);
  switch (account_.buy(price * q.sig.qty)) {
  case coverage::covered:
    return write_intent(std::move(q), price);
  case coverage::uncovered:
    ++refused_[to_string(errc::risk_refused)];
    return end_staged(q, order_status::rejected,
                      "risk_refused: buy of " + std::to_string(price * q.sig.qty) +
                          " KRW exceeds the free cash " + std::to_string(account_.free_cash()));
  case coverage::ask_kis:
    break;
  }
  ++pretrade_calls_;
  self_->request(gateway_, cfg_.request_timeout, buyable_query{q.sig.symbol, price, 1})
      .then(
          [this, q, price](buyable& b) mutable {
            if (auto e = risk_.check_buyable(q.sig, b)) {
              ++refused_[to_string(errc::risk_refused)];
              return end_staged(q, order_status::rejected, "risk_refused: " + view(e).message);
            }
            write_intent(std::move(q), price);
          },
          [this, q](caf::error& failure) mutable {
            ++refused_[to_string(errc::risk_refused)];
            end_staged(q, order_status::rejected,
                       "risk_refused: buyable check failed: " + describe(failure));
          });
}

// The intent goes to the journal actor; the order leaves only once it is durable.
void executor::write_intent(queued_signal q, std::int64_t hold_price) {
  if (killed_ || draining_)
    return end_staged(q, killed_ ? order_status::rejected : order_status::cancelled,
                      killed_ ? "kill_switch: stopped before sending" : "draining: not sent");
  auto e = intent_entry(q.sig, clock_->now_ns());
  e.seq = q.seq;
  e.client_id = q.client_id;
  queue_.stage(q.sig, -1);
  auto& o = book_.add(tracked_order{e, 0, false, 0, 0, hold_price, q.sig.created_ns});
  account_.hold(e.symbol, e.dir, e.qty, hold_price * e.qty);
  status_of_[o.e.client_id] = order_status::queued; // journaled once durable
  self_->request(journal_, caf::infinite, intent_atom_v, e)
      .then(
          [this, cid = e.client_id](std::int64_t) {
            auto* found = book_.find(cid);
            if (found == nullptr)
              return;
            set_status(*found, order_status::journaled);
            send_order(cid);
          },
          [this, cid = e.client_id](caf::error& err) {
            ++journal_errors_;
            --in_flight_;
            if (auto* found = book_.find(cid)) { // never send what is not journaled
              found->e.message = "journal: " + describe(err);
              set_status(*found, order_status::rejected);
            }
            dispatch();
            maybe_finish_drain();
          });
}

void executor::send_order(const std::string& cid) {
  auto* o = book_.find(cid);
  if (o == nullptr)
    return;
  ++orders_sent_;
  order_request req{cid, o->e.symbol, o->e.dir, o->e.kind, o->e.qty, o->e.price, o->e.route};
  self_->request(gateway_, cfg_.request_timeout, req)
      .then(
          [this, cid](order_ack& ack) {
            --in_flight_;
            on_ack(cid, ack);
            dispatch();
          },
          [this, cid](caf::error& err) {
            --in_flight_;
            on_send_error(cid, err);
            dispatch();
          });
}

void executor::on_ack(const std::string& cid, const order_ack& ack) {
  auto* o = book_.find(cid);
  if (o == nullptr)
    return;
  if (o->signal_ns > 0) // the user's latency: queue, checks, journal, budget and the call
    rec_.observe(signal_to_ack_,
                 static_cast<double>(clock_->now_ns() - o->signal_ns) / 1'000'000'000.0);
  adopt(*o, ack.org_no, ack.order_no, ack.message);
  replay_unmatched(ack.order_no);
  if (want_fill_poll()) // without notices nothing else would ever learn its fills
    arm(cfg_.fill_poll_interval);
  maybe_finish_drain();
}

void executor::on_send_error(const std::string& cid, const caf::error& err) {
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

// --- views -----------------------------------------------------------------------------------

void executor::on_prices(const std::vector<price_update>& ups) {
  const auto now = self_->clock().now();
  for (const auto& u : ups)
    market_.apply(u, now);
}

void executor::refresh_account() {
  balance_outstanding_ = true;
  ++pretrade_calls_;
  self_->request(gateway_, cfg_.request_timeout, balance_query{})
      .then(
          [this](balance& b) {
            balance_outstanding_ = false;
            account_.reconcile(b);
            next_balance_ = self_->clock().now() + cfg_.balance_refresh;
            dispatch();
          },
          [this](caf::error&) {
            balance_outstanding_ = false;
            next_balance_ = self_->clock().now() +
                            std::max(cfg_.balance_refresh / 4, std::chrono::milliseconds{5000});
          });
}

void executor::expire_queued() {
  for (auto& q : queue_.take_expired(clock_->now_ns())) {
    status_of_[q.client_id] = order_status::expired;
    notify(update_of_signal(q.sig, q.client_id, order_status::expired,
                            "not sent within its time to live", clock_->now_ns()));
  }
}

// A strategy went (its node crashed, hung and was stopped, or left): its signals still waiting
// here are settled as expired, never sent, since nobody would hear of them; its orders already
// at KIS go on to their end in the journal and the position book like any other.
void executor::on_strategy_down(const caf::down_msg& dm) {
  for (auto i = strategies_.begin(); i != strategies_.end();) {
    if (i->second.address() != dm.source) {
      ++i;
      continue;
    }
    const auto id = i->first;
    i = strategies_.erase(i);
    for (auto& q : queue_.take_of(id)) {
      status_of_[q.client_id] = order_status::expired;
      ++strategy_settled_;
    }
    // A node stopping in order is no loss; a crash, a kill or a cut link is.
    if (dm.reason != caf::exit_reason::user_shutdown && dm.reason != caf::exit_reason::normal &&
        dm.reason)
      ++strategies_lost_;
  }
}

// --- the state of an order -------------------------------------------------------------------

void executor::adopt(tracked_order& o, const std::string& org_no, const std::string& order_no,
                     const std::string& msg) {
  o.e.org_no = org_no;
  o.e.order_no = order_no;
  if (!msg.empty())
    o.e.message = msg;
  book_.index(o);
  set_status(o, order_status::sent);
}

// Journals the new state, tells the strategy, and forgets the order once it is final.
void executor::set_status(tracked_order& o, order_status s, std::int64_t last_qty,
                          std::int64_t last_px) {
  o.e.status = s;
  o.e.updated_ns = clock_->now_ns();
  if (s != order_status::journaled) // the intent's committed row says so already
    self_->send(journal_, o.e);
  status_of_[o.e.client_id] = s;
  notify(update_of(o.e, last_qty, last_px, clock_->now_ns()));
  if (final_status(s)) {
    release_hold(o, o.e.qty - o.e.filled_qty);
    book_.erase(o.e.client_id); // o dangles from here on
  }
}

void executor::notify(const order_update& up) {
  auto i = strategies_.find(up.strategy_id);
  if (i != strategies_.end())
    self_->send(i->second, up);
  blotter_.note(up);
  report_interest(false);
}

void executor::report_interest(bool signalled) {
  if (!feed_)
    return;
  std::set<std::string> pinned;
  for (const auto& [cid, o] : book_.all())
    pinned.insert(o.e.symbol);
  for (const auto& p : ledger_.positions())
    if (p.qty != 0)
      pinned.insert(p.symbol);
  if (!signalled && pinned == pinned_reported_)
    return;
  interest_report r{"executor", {}};
  for (const auto& sym : pinned)
    r.symbols.push_back({sym, true, false, 0, 0, 0});
  for (const auto& [sym, n] : signals_by_symbol_) {
    auto it = std::find_if(r.symbols.begin(), r.symbols.end(),
                           [&](const symbol_interest& x) { return x.symbol == sym; });
    if (it == r.symbols.end())
      r.symbols.push_back({sym, false, false, 0, 0, n});
    else
      it->signals = n;
  }
  pinned_reported_ = std::move(pinned);
  self_->send(feed_, std::move(r));
}

void executor::release_hold(tracked_order& o, std::int64_t qty) {
  if (o.hold_price <= 0 || qty <= 0)
    return;
  account_.release(o.e.symbol, o.e.dir, qty, qty * o.hold_price);
}

void executor::apply_fill(tracked_order& o, std::int64_t qty, std::int64_t price,
                          const char* source) {
  qty = add_fill(o.e, qty, price);
  if (qty <= 0)
    return;
  // A notice's ORD_EXG_GB was copied to the entry just before; a ccld row says none.
  const auto where = std::string_view{source} == "notice" ? o.e.executed_on : exec_venue::unknown;
  self_->send(journal_, journal_fill{o.e.client_id, o.e.symbol, o.e.dir, qty, price,
                                     clock_->now_ns(), source, where});
  ++fills_;
  ledger_.fill(o.e.symbol, o.e.dir, qty, price);
  release_hold(o, qty);
  account_.fill(o.e.symbol, o.e.dir, qty, price);
  auto s = o.e.filled_qty >= o.e.qty ? order_status::filled : order_status::partially_filled;
  set_status(o, s, qty, price);
  check_loss_limit();
}

void executor::check_loss_limit() {
  if (!killed_ && cfg_.risk.daily_loss_limit > 0 &&
      -ledger_.realized() >= cfg_.risk.daily_loss_limit)
    set_kill(true,
             "daily loss limit reached (realised " + std::to_string(ledger_.realized()) + " KRW)");
}

// --- kill switch and drain -------------------------------------------------------------------

void executor::set_kill(bool on, const std::string& why) {
  killed_ = on;
  kill_reason_ = why;
  if (on)
    end_queue(order_status::rejected, "kill_switch: kill switch on: " + why);
}

void executor::end_queue(order_status st, const std::string& why) {
  for (auto& q : queue_.take_all()) {
    status_of_[q.client_id] = st;
    notify(update_of_signal(q.sig, q.client_id, st, why, clock_->now_ns()));
  }
}

caf::result<executor_summary> executor::on_drain() {
  draining_ = true;
  end_queue(order_status::cancelled, "draining: not sent");
  auto rp = self_->make_response_promise<executor_summary>();
  drain_rp_ = rp;
  drain_deadline_ = self_->clock().now() + cfg_.drain_timeout;
  if (cfg_.drain == drain_policy::cancel)
    cancel_open();
  arm(std::min(cfg_.drain_timeout, cfg_.reconcile_interval));
  maybe_finish_drain();
  return rp;
}

void executor::cancel_open() {
  for (auto& [cid, o] : book_.all()) {
    if (o.cancel_sent || o.e.order_no.empty() || o.e.status == order_status::unknown)
      continue;
    o.cancel_sent = true;
    // A cancel goes to the venue of the original order (EXCG_ID_DVSN_CD).
    revise_cancel_request rq{cid, o.e.org_no, o.e.order_no, revise_or_cancel::cancel, o.e.kind, 0,
                             0,   true,       o.e.route};
    self_->request(gateway_, cfg_.request_timeout, rq)
        .then(
            [this, id = cid](order_ack&) {
              if (auto* open = book_.find(id))
                set_status(*open, order_status::cancelled);
              maybe_finish_drain();
            },
            [this, id = cid](caf::error& err) {
              if (auto* open = book_.find(id))
                open->e.message = "cancel failed: " + describe(err);
              maybe_finish_drain();
            });
  }
}

void executor::maybe_finish_drain() {
  if (!drain_rp_)
    return;
  if (cfg_.drain == drain_policy::cancel)
    cancel_open(); // orders adopted since the drain began
  bool quiet = in_flight_ == 0 && book_.empty();
  if (!quiet && self_->clock().now() < drain_deadline_)
    return;
  auto rp = std::move(*drain_rp_);
  drain_rp_.reset();
  // Everything journaled so far is committed and folded into the file before the answer.
  self_->request(journal_, cfg_.drain_timeout, drain_atom_v)
      .then([this, rp](std::uint64_t) mutable { rp.deliver(summary()); },
            [this, rp](caf::error&) mutable {
              ++journal_errors_;
              rp.deliver(summary());
            });
}

// --- reporting -------------------------------------------------------------------------------

void executor::add_figures(actor_sample& s) const {
  add_executor_figures(s, summary(), {book_.size(), in_flight_, journal_errors_, &blotter_});
}

executor_summary executor::summary() const {
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
  s.journal_path = journal_path_;
  s.orders_sent = orders_sent_;
  s.pretrade_calls = pretrade_calls_;
  s.account_disagreements = account_.disagreements();
  s.strategies_lost = strategies_lost_;
  s.signals_settled = strategy_settled_;
  return s;
}

std::string executor::describe(const caf::error& err) const {
  return describe_error(self_->home_system(), err);
}

namespace {

order_executor_impl_actor::behavior_type
executor_behavior(executor_ptr self, executor_config cfg, journal_actor journal,
                  journal_restore restored, rest_gateway_actor gateway, ws_feed_actor feed) {
  return self->state.logic
      .emplace(self, std::move(cfg), std::move(journal), std::move(restored), std::move(gateway),
               std::move(feed))
      .make_behavior();
}

} // namespace

caf::expected<order_executor_impl_actor> spawn_order_executor(caf::actor_system& sys,
                                                              executor_config cfg,
                                                              rest_gateway_actor gateway,
                                                              ws_feed_actor feed) {
  if (cfg.journal_path.empty())
    return make_kis_error(errc::config, "executor: journal path is empty");
  if (cfg.queue_capacity == 0 || cfg.max_in_flight == 0)
    return make_kis_error(errc::config, "executor: queue_capacity and max_in_flight must be > 0");
  // The journal is read here, on the caller's thread; from then on only its actor touches it.
  auto journal = std::make_shared<order_journal>();
  if (auto err = journal->open(cfg.journal_path))
    return err;
  journal_restore restored{journal->open_entries(), journal->fills(),
                           journal->recent_order_numbers(), journal->next_seq(), journal->path()};
  auto writer = spawn_journal_writer(sys, journal, cfg.journal_detached, cfg.journal_linger);
  return sys.spawn(executor_behavior, std::move(cfg), std::move(writer), std::move(restored),
                   std::move(gateway), std::move(feed));
}

} // namespace kis
