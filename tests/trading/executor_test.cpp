// The order executor under the deterministic test coordinator, against a fake gateway:
// priority, back-pressure, every risk refusal, journal-before-send, reconciliation of unknown
// outcomes, restart with open journal entries, notices and P&L, drain.
#include "support/caf_gtest.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include <sqlite3.h>

#include "actors/trading/order_executor.hpp"
#include "actors/trading/order_journal.hpp"
#include "support/metrics_probe.hpp"
#include "support/temp_path.hpp"
#include "tests/trading/fakes.hpp"

using namespace std::chrono_literals;

namespace {

using kis::signal; // not ::signal from <csignal>

struct outcome {
  bool ok = false;
  kis::signal_ack ack;
  kis::error_view err;
};

// The journal row of a client id as another process would read it (status, order number).
std::pair<int, std::string> journal_row(const std::string& path, const std::string& cid) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "SELECT status, order_no FROM orders WHERE client_id = ?", -1, &st,
                     nullptr);
  sqlite3_bind_text(st, 1, cid.c_str(), -1, SQLITE_TRANSIENT);
  std::pair<int, std::string> out{-1, ""};
  if (sqlite3_step(st) == SQLITE_ROW)
    out = {sqlite3_column_int(st, 0), reinterpret_cast<const char*>(sqlite3_column_text(st, 1))};
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

struct ExecutorTest : ::testing::Test, test_coordinator_fixture<> {
  std::shared_ptr<kis::test::gateway_record> gw = std::make_shared<kis::test::gateway_record>();
  std::shared_ptr<kis::test::strategy_record> strat =
      std::make_shared<kis::test::strategy_record>();
  kis::rest_gateway_impl_actor gateway;
  kis::strategy_actor strategy;
  kis::order_executor_impl_actor exec;
  kis::executor_config cfg;
  std::string path;

  void SetUp() override {
    auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path = kis::test::unique_temp_path(std::string{"kis-exec-"} + info->name(), ".sqlite").string();
    for (auto ext : {"", "-wal", "-shm"})
      std::filesystem::remove(path + ext);
    cfg.journal_path = path;
    cfg.journal_detached = false; // the journal actor runs on the test coordinator too
    cfg.check_buyable = false;
    cfg.max_in_flight = 1;
    cfg.clock = std::make_shared<kis::manual_wall_clock>(); // 2026-01-01 09:00 KST
    gateway = kis::test::spawn_fake_gateway(sys, gw);
    strategy = kis::test::spawn_fake_strategy(sys, strat);
  }

  void start() {
    auto e = kis::spawn_order_executor(sys, cfg, gateway, kis::ws_feed_actor{});
    ASSERT_TRUE(e) << sys.render(e.error());
    exec = *e;
    self->send(exec, kis::follow_atom_v, std::string{"s1"}, strategy);
    sched.run();
  }

  void TearDown() override {
    for (auto a : {caf::actor_cast<caf::actor>(exec), caf::actor_cast<caf::actor>(gateway),
                   caf::actor_cast<caf::actor>(strategy)})
      if (a)
        caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    sched.run();
  }

  static signal sig(std::string sym, kis::side dir, std::int64_t qty, std::int64_t px,
                    std::int32_t prio = 0) {
    signal s;
    s.strategy_id = "s1";
    s.symbol = std::move(sym);
    s.dir = dir;
    s.qty = qty;
    s.price = px;
    s.priority = prio;
    return s;
  }

  auto ask(const signal& s) { return self->request(exec, caf::infinite, s); }

  template <class Handle>
  static outcome take(Handle& h) {
    outcome o;
    h.receive(
        [&](kis::signal_ack& a) {
          o = {true, a, {}};
        },
        [&](caf::error& e) { o.err = kis::view(e); });
    return o;
  }

  // Sends all signals before the executor runs, then collects every answer.
  std::vector<outcome> submit(const std::vector<signal>& sigs) {
    std::vector<decltype(ask(sigs[0]))> handles;
    for (const auto& s : sigs)
      handles.push_back(ask(s));
    sched.run();
    std::vector<outcome> out;
    for (auto& h : handles)
      out.push_back(take(h));
    return out;
  }

  outcome submit_one(signal s) { return submit({std::move(s)})[0]; }

  kis::executor_summary status() {
    kis::executor_summary out;
    auto h = self->request(exec, caf::infinite, kis::status_atom_v);
    sched.run();
    h.receive([&](kis::executor_summary& s) { out = s; }, [](caf::error&) {});
    return out;
  }

  // The newest update the strategy heard about an order (accepted signals report this way).
  kis::order_update last_update(const std::string& cid) const {
    kis::order_update out;
    for (const auto& u : strat->updates)
      if (u.client_id == cid)
        out = u;
    return out;
  }

  static std::uint64_t count(const std::vector<kis::count_by>& xs, const std::string& name) {
    for (const auto& x : xs)
      if (x.name == name)
        return x.count;
    return 0;
  }

  kis::fill_record ccld_row(const kis::order_request& o, std::string odno, std::int64_t filled) {
    kis::fill_record r;
    r.org_no = "06010";
    r.order_no = std::move(odno);
    r.symbol = o.symbol;
    r.dir = o.dir;
    r.order_qty = o.qty;
    r.order_price = o.price;
    r.order_time = "090000";
    r.filled_qty = filled;
    r.avg_price = o.price;
    r.filled_amount = filled * o.price;
    r.remaining_qty = o.qty - filled;
    return r;
  }
};

TEST_F(ExecutorTest, SendsInPriorityThenTimeOrder) {
  start();
  auto res = submit({sig("A", kis::side::buy, 1, 10000, 0), sig("B", kis::side::buy, 1, 10000, 1),
                     sig("C", kis::side::buy, 1, 10000, 5), sig("D", kis::side::buy, 1, 10000, 3),
                     sig("E", kis::side::buy, 1, 10000, 3)});
  for (const auto& r : res)
    EXPECT_TRUE(r.ok) << r.err.message;
  std::vector<std::string> order;
  for (const auto& o : gw->orders)
    order.push_back(o.symbol);
  EXPECT_EQ(order, (std::vector<std::string>{"A", "C", "D", "E", "B"}));
}

TEST_F(ExecutorTest, FullQueueAnswersQueueFullAndCountsIt) {
  cfg.queue_capacity = 2;
  start();
  gw->hold_quotes = true; // the first signal stays in flight
  for (const char* sym : {"A", "B", "C"})
    ask(sig(sym, kis::side::buy, 1, 10000));
  auto d = ask(sig("D", kis::side::buy, 1, 10000));
  sched.run();
  auto res = take(d);
  ASSERT_FALSE(res.ok);
  EXPECT_EQ(res.err.code, kis::errc::queue_full);
  auto s = status();
  EXPECT_EQ(count(s.refused, "queue_full"), 1u);
  EXPECT_EQ(s.queue_depth, 2u);
  EXPECT_EQ(s.signals, 4u);
}

TEST_F(ExecutorTest, RefusesEachRiskRuleWithItsReason) {
  cfg.risk.max_order_qty = 100;
  cfg.risk.max_order_notional = 600'000;
  cfg.risk.max_position_qty = 70;
  start();
  struct refusal_case {
    signal s;
    kis::errc code;
    const char* words;
  };
  std::vector<refusal_case> cases{
      {sig("A", kis::side::buy, 101, 10000), kis::errc::risk_refused, "max_order_qty"},
      {sig("A", kis::side::buy, 1, 10005), kis::errc::risk_refused, "tick grid"},
      {sig("A", kis::side::buy, 0, 10000), kis::errc::invalid_argument, "positive"},
      {sig("A", kis::side::buy, 1, 13500), kis::errc::risk_refused, "upper limit"},
      {sig("A", kis::side::sell, 1, 6900), kis::errc::risk_refused, "lower limit"},
      {sig("A", kis::side::buy, 1, 10600), kis::errc::risk_refused, "collar"},
      {sig("A", kis::side::buy, 61, 10000), kis::errc::risk_refused, "max_order_notional"},
      {sig("A", kis::side::sell, 1, 10000), kis::errc::risk_refused, "free position"},
  };
  // What needs only the signal is refused at intake; what needs the market is accepted at once
  // and then reported rejected, with the rule, as an order update.
  for (const auto& c : cases) {
    auto r = submit_one(c.s);
    const bool at_intake = r.ok == false;
    std::string why = at_intake ? r.err.message : last_update(r.ack.client_id).reason;
    if (at_intake) {
      EXPECT_EQ(r.err.code, c.code) << c.words;
    } else {
      EXPECT_EQ(last_update(r.ack.client_id).status, kis::order_status::rejected) << c.words;
      EXPECT_NE(why.find(kis::to_string(c.code)), std::string::npos) << why;
    }
    EXPECT_NE(why.find(c.words), std::string::npos) << why;
  }
  EXPECT_TRUE(submit_one(sig("A", kis::side::buy, 50, 10000)).ok);
  auto r = submit_one(sig("A", kis::side::buy, 21, 10000)); // 50 open + 21 > 70
  ASSERT_TRUE(r.ok);
  auto up = last_update(r.ack.client_id);
  EXPECT_EQ(up.status, kis::order_status::rejected);
  EXPECT_NE(up.reason.find("max_position_qty"), std::string::npos) << up.reason;
  EXPECT_EQ(gw->orders.size(), 1u);
}

// Near the account view's limit KIS decides (inquire-psbl-order); well inside it the view
// alone does, and a buy far beyond the free cash is refused without a call.
TEST_F(ExecutorTest, RefusesWhatTheAccountCannotBuy) {
  cfg.check_buyable = true;
  gw->account.deposit = 60'000;
  gw->buy.max_qty_no_margin = 5;
  start();
  EXPECT_EQ(gw->balance_queries, 1); // the account view starts from KIS's balance
  auto r = submit_one(sig("A", kis::side::buy, 6, 10000)); // 60,000 of 60,000: ask KIS
  ASSERT_TRUE(r.ok);
  auto up = last_update(r.ack.client_id);
  EXPECT_EQ(up.status, kis::order_status::rejected);
  EXPECT_NE(up.reason.find("buyable"), std::string::npos) << up.reason;
  EXPECT_EQ(std::count(gw->calls.begin(), gw->calls.end(), "buyable:A"), 1);
  auto far = submit_one(sig("A", kis::side::buy, 9, 10000)); // 90,000: refused by the view
  EXPECT_EQ(last_update(far.ack.client_id).status, kis::order_status::rejected);
  EXPECT_NE(last_update(far.ack.client_id).reason.find("free cash"), std::string::npos);
  EXPECT_EQ(std::count(gw->calls.begin(), gw->calls.end(), "buyable:A"), 1);
  auto covered = submit_one(sig("A", kis::side::buy, 5, 10000)); // 50,000: the view covers it
  EXPECT_EQ(last_update(covered.ack.client_id).status, kis::order_status::sent);
  EXPECT_EQ(std::count(gw->calls.begin(), gw->calls.end(), "buyable:A"), 1); // no new call
}

TEST_F(ExecutorTest, SuppressesDuplicatesInsideTheWindow) {
  start();
  EXPECT_TRUE(submit_one(sig("A", kis::side::buy, 1, 10000)).ok);
  EXPECT_EQ(submit_one(sig("A", kis::side::buy, 1, 10000)).err.code, kis::errc::duplicate);
  sched.advance_time(cfg.dedup_window);
  EXPECT_TRUE(submit_one(sig("A", kis::side::buy, 1, 10000)).ok);
  EXPECT_EQ(gw->orders.size(), 2u);
}

TEST_F(ExecutorTest, ManualKillSwitchRefusesUntilReleased) {
  start();
  self->send(exec, kis::kill_atom_v, true, std::string{"operator"});
  auto r = submit_one(sig("A", kis::side::buy, 1, 10000));
  EXPECT_EQ(r.err.code, kis::errc::kill_switch);
  EXPECT_NE(r.err.message.find("operator"), std::string::npos);
  EXPECT_TRUE(status().killed);
  self->send(exec, kis::kill_atom_v, false, std::string{});
  EXPECT_TRUE(submit_one(sig("A", kis::side::buy, 1, 10000)).ok);
}

TEST_F(ExecutorTest, JournalHoldsTheIntentWhenTheOrderReachesTheGateway) {
  start();
  std::pair<int, std::string> seen{-1, "?"};
  gw->on_order = [&](const kis::order_request& o) { seen = journal_row(path, o.client_id); };
  auto r = submit_one(sig("A", kis::side::buy, 1, 10000));
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(seen.first, static_cast<int>(kis::order_status::journaled));
  EXPECT_EQ(seen.second, "");
  auto after = journal_row(path, r.ack.client_id);
  EXPECT_EQ(after.first, static_cast<int>(kis::order_status::sent));
  EXPECT_EQ(after.second, "0000000001");
}

TEST_F(ExecutorTest, RejectionByKisIsJournaledAndReported) {
  start();
  gw->mode = kis::test::order_mode::reject;
  auto r = submit_one(sig("A", kis::side::buy, 1, 10000));
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(journal_row(path, r.ack.client_id).first,
            static_cast<int>(kis::order_status::rejected));
  ASSERT_FALSE(strat->updates.empty());
  EXPECT_EQ(strat->updates.back().status, kis::order_status::rejected);
  EXPECT_NE(strat->updates.back().reason.find("APBK0919"), std::string::npos);
}

TEST_F(ExecutorTest, UnknownOutcomeFoundInDailyFillsIsAdoptedNotResent) {
  start();
  gw->mode = kis::test::order_mode::unknown;
  gw->on_order = [&](const kis::order_request& o) { gw->ccld = {ccld_row(o, "0000000777", 1)}; };
  auto r = submit_one(sig("A", kis::side::buy, 1, 10000));
  ASSERT_TRUE(r.ok);
  sched.advance_time(cfg.reconcile_interval);
  sched.run();
  EXPECT_EQ(gw->orders.size(), 1u);
  auto row = journal_row(path, r.ack.client_id);
  EXPECT_EQ(row.first, static_cast<int>(kis::order_status::filled));
  EXPECT_EQ(row.second, "0000000777");
  auto s = status();
  ASSERT_EQ(s.positions.size(), 1u);
  EXPECT_EQ(s.positions[0].qty, 1);
}

TEST_F(ExecutorTest, UnknownOutcomeNeverSeenIsClosedAsNotPlacedWithoutResend) {
  cfg.reconcile_attempts = 3;
  start();
  gw->mode = kis::test::order_mode::unknown;
  auto r = submit_one(sig("A", kis::side::buy, 1, 10000));
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(journal_row(path, r.ack.client_id).first, static_cast<int>(kis::order_status::unknown));
  for (int i = 0; i < 4; ++i) {
    sched.advance_time(cfg.reconcile_interval);
    sched.run();
  }
  EXPECT_EQ(gw->orders.size(), 1u);
  EXPECT_GE(std::count(gw->calls.begin(), gw->calls.end(), "ccld"), 3);
  EXPECT_EQ(journal_row(path, r.ack.client_id).first,
            static_cast<int>(kis::order_status::rejected));
  ASSERT_FALSE(strat->updates.empty());
  EXPECT_NE(strat->updates.back().reason.find("not placed"), std::string::npos);
}

TEST_F(ExecutorTest, RestartReconcilesOpenEntriesBeforeSendingAnything) {
  {
    kis::order_journal j;
    ASSERT_FALSE(j.open(path));
    kis::journal_entry crashed; // intent written, then kill -9 before the answer
    crashed.strategy_id = "s1";
    crashed.symbol = "A";
    crashed.qty = 2;
    crashed.price = 10000;
    crashed.trading_day = 20260101;
    crashed.intent_time = "090000";
    ASSERT_FALSE(j.record_intent(crashed));
    kis::journal_entry live = crashed; // acknowledged, still working
    live.seq = 0;
    live.client_id.clear();
    live.symbol = "B";
    ASSERT_FALSE(j.record_intent(live));
    live.status = kis::order_status::sent;
    live.order_no = "0000000042";
    ASSERT_FALSE(j.update(live));
  }
  kis::order_request a{"", "A", kis::side::buy, kis::order_kind::limit, 2, 10000};
  kis::order_request b{"", "B", kis::side::buy, kis::order_kind::limit, 2, 10000};
  gw->ccld = {ccld_row(a, "0000000041", 0), ccld_row(b, "0000000042", 2)};
  gw->ccld[0].order_time = "090001";
  auto e = kis::spawn_order_executor(sys, cfg, gateway, kis::ws_feed_actor{});
  ASSERT_TRUE(e);
  exec = *e;
  auto h = self->request(exec, caf::infinite, sig("C", kis::side::buy, 1, 10000));
  sched.run();
  h.receive([](kis::signal_ack&) {}, [](caf::error&) { ADD_FAILURE(); });
  ASSERT_GE(gw->calls.size(), 2u);
  EXPECT_EQ(gw->calls[0], "ccld");  // reconciliation first
  ASSERT_EQ(gw->orders.size(), 1u); // only the new signal; nothing resent
  EXPECT_EQ(gw->orders[0].symbol, "C");
  auto s = status();
  EXPECT_EQ(count(s.orders, "filled"), 1u); // B
  EXPECT_EQ(count(s.orders, "sent"), 2u);   // A adopted as 0000000041, and C
  kis::order_journal j;
  ASSERT_FALSE(j.open(path));
  auto all = j.all_entries();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].order_no, "0000000041");
}

TEST_F(ExecutorTest, WithoutNoticesAnAcknowledgedOrderLearnsItsFillsByPolling) {
  start();
  auto r = submit_one(sig("A", kis::side::buy, 2, 10000));
  ASSERT_TRUE(r.ok);
  ASSERT_EQ(gw->orders.size(), 1u);
  gw->ccld = {ccld_row(gw->orders[0], "0000000001", 2)};
  sched.advance_time(cfg.fill_poll_interval);
  sched.run();
  EXPECT_EQ(std::count(gw->calls.begin(), gw->calls.end(), "ccld"), 1);
  EXPECT_EQ(journal_row(path, r.ack.client_id).first, static_cast<int>(kis::order_status::filled));
  auto s = status();
  ASSERT_EQ(s.positions.size(), 1u);
  EXPECT_EQ(s.positions[0].qty, 2);
  // Nothing open: polling stops.
  for (int i = 0; i < 3; ++i) {
    sched.advance_time(cfg.fill_poll_interval);
    sched.run();
  }
  EXPECT_EQ(std::count(gw->calls.begin(), gw->calls.end(), "ccld"), 1);
}

// A fill counted from inquire-daily-ccld while adopting an order is not counted again when
// its execution notice arrives late; later fills still count.
TEST_F(ExecutorTest, AFillSeenInDailyFillsAndAgainInALateNoticeCountsOnce) {
  start();
  gw->mode = kis::test::order_mode::unknown;
  gw->on_order = [&](const kis::order_request& o) { gw->ccld = {ccld_row(o, "0000000777", 4)}; };
  auto r = submit_one(sig("A", kis::side::buy, 10, 10000));
  ASSERT_TRUE(r.ok);
  sched.advance_time(cfg.reconcile_interval);
  sched.run();
  EXPECT_EQ(journal_row(path, r.ack.client_id).first,
            static_cast<int>(kis::order_status::partially_filled));
  kis::execution_notice n;
  n.order_no = "0000000777";
  n.symbol = "A";
  n.is_fill = true;
  n.qty = 4; // the fill inquire-daily-ccld already showed
  n.price = 10000;
  self->send(exec, n);
  sched.run();
  auto s = status();
  ASSERT_EQ(s.positions.size(), 1u);
  EXPECT_EQ(s.positions[0].qty, 4);
  EXPECT_EQ(s.fills, 1u);
  n.qty = 6; // a new fill
  n.price = 9990;
  self->send(exec, n);
  sched.run();
  s = status();
  EXPECT_EQ(s.positions[0].qty, 10);
  EXPECT_EQ(s.fills, 2u);
  EXPECT_EQ(journal_row(path, r.ack.client_id).first, static_cast<int>(kis::order_status::filled));
  kis::order_journal j;
  ASSERT_FALSE(j.open(path));
  std::int64_t journaled = 0;
  for (const auto& f : j.fills())
    journaled += f.qty;
  EXPECT_EQ(journaled, 10); // a restart rebuilds the same position
}

// A notice that arrives while the order's request is still in flight waits; when the order
// is adopted through inquire-daily-ccld it is replayed, and counts once with the ccld row.
TEST_F(ExecutorTest, NoticesBeforeAnAdoptionAreReplayedAndCountOnce) {
  start();
  gw->mode = kis::test::order_mode::hang;
  auto r = submit_one(sig("A", kis::side::buy, 10, 10000));
  ASSERT_TRUE(r.ok);
  ASSERT_EQ(gw->orders.size(), 1u);
  kis::execution_notice n;
  n.order_no = "0000000777";
  n.symbol = "A";
  n.is_fill = true;
  n.qty = 4;
  n.price = 10000;
  n.order_qty = 10;
  n.order_price = 10000;
  self->send(exec, n); // the order is not unknown yet: nothing to match
  sched.run();
  EXPECT_EQ(status().fills, 0u);
  gw->ccld = {ccld_row(gw->orders[0], "0000000777", 4)};
  sched.advance_time(cfg.request_timeout); // no answer: unknown, then reconciliation
  sched.run();
  sched.advance_time(cfg.reconcile_interval);
  sched.run();
  auto s = status();
  ASSERT_EQ(s.positions.size(), 1u);
  EXPECT_EQ(s.positions[0].qty, 4);
  EXPECT_EQ(s.fills, 1u);
  n.qty = 6;
  self->send(exec, n);
  sched.run();
  s = status();
  EXPECT_EQ(s.positions[0].qty, 10);
  EXPECT_EQ(count(s.orders, "filled"), 1u);
  EXPECT_EQ(gw->orders.size(), 1u);
}

// An order whose outcome is unknown, then a new one on the same terms whose answer is slow: the
// notice of the new order arrives before its answer and must not be handed to the unknown one
// (found by the crash test: two journal rows held one order number).
TEST_F(ExecutorTest, ANoticeRacingItsOwnAnswerIsNotAdoptedByAnOlderUnknownOrder) {
  cfg.reconcile_attempts = 5;
  start();
  gw->mode = kis::test::order_mode::unknown;
  auto older = submit_one(sig("A", kis::side::buy, 3, 10000));
  ASSERT_TRUE(older.ok);
  sched.advance_time(cfg.dedup_window);
  sched.run();
  gw->mode = kis::test::order_mode::hang;
  auto newer = submit_one(sig("A", kis::side::buy, 3, 10000));
  ASSERT_TRUE(newer.ok);
  ASSERT_EQ(gw->orders.size(), 2u);
  kis::execution_notice n;
  n.order_no = "0000000888";
  n.symbol = "A";
  n.order_qty = 3;
  n.order_price = 10000;
  self->send(exec, n); // the acceptance notice, before the REST answer
  sched.run();
  EXPECT_EQ(journal_row(path, older.ack.client_id).second, "");
  ASSERT_EQ(gw->hung.size(), 1u);
  gw->next_odno = 888;
  self->send(gateway, kis::poll_atom_v, std::uint64_t{0}); // the answer: 0000000888
  sched.run();
  EXPECT_EQ(journal_row(path, newer.ack.client_id).second, "0000000888");
  EXPECT_EQ(journal_row(path, older.ack.client_id).second, "");
  EXPECT_EQ(journal_row(path, older.ack.client_id).first,
            static_cast<int>(kis::order_status::unknown));
  EXPECT_EQ(gw->orders.size(), 2u);
}

TEST_F(ExecutorTest, NoticesFillOrdersUpdatePnlAndTripTheLossLimit) {
  cfg.risk.daily_loss_limit = 5'000;
  start();
  auto buy = submit_one(sig("A", kis::side::buy, 10, 10000));
  ASSERT_TRUE(buy.ok);
  kis::execution_notice n;
  n.order_no = "0000000001";
  n.symbol = "A";
  n.is_fill = true;
  n.qty = 10;
  n.price = 10000;
  self->send(exec, n);
  sched.run();
  auto sell = submit_one(sig("A", kis::side::sell, 10, 9500));
  ASSERT_TRUE(sell.ok) << sell.err.message;
  n.order_no = "0000000002";
  n.dir = kis::side::sell;
  n.price = 9500;
  self->send(exec, n);
  sched.run();
  auto s = status();
  EXPECT_EQ(s.realized_pnl, -5'000);
  EXPECT_EQ(s.fills, 2u);
  EXPECT_TRUE(s.killed);
  EXPECT_EQ(submit_one(sig("A", kis::side::buy, 1, 10000)).err.code, kis::errc::kill_switch);
  ASSERT_GE(strat->updates.size(), 2u);
  auto filled = std::count_if(strat->updates.begin(), strat->updates.end(), [](const auto& u) {
    return u.status == kis::order_status::filled && u.last_fill_qty == 10;
  });
  EXPECT_EQ(filled, 2);
}

TEST_F(ExecutorTest, DrainCancelsOpenOrdersRefusesNewSignalsAndReports) {
  start();
  ASSERT_TRUE(submit_one(sig("A", kis::side::buy, 1, 10000)).ok);
  gw->hold_quotes = true;
  auto b = ask(sig("B", kis::side::buy, 1, 10000));
  auto c = ask(sig("C", kis::side::buy, 1, 10000));
  sched.run();
  auto h = self->request(exec, caf::infinite, kis::drain_atom_v);
  sched.run();
  self->send(gateway, kis::done_atom_v, kis::http_exchange{}); // B's quote arrives late
  sched.run();
  kis::executor_summary s;
  h.receive([&](kis::executor_summary& x) { s = x; }, [](caf::error&) { ADD_FAILURE(); });
  ASSERT_EQ(gw->cancels.size(), 1u);
  EXPECT_EQ(gw->cancels[0].order_no, "0000000001");
  // B and C were accepted; the drain stops them before they leave, and says so.
  auto tb = take(b), tc = take(c);
  ASSERT_TRUE(tb.ok);
  ASSERT_TRUE(tc.ok);
  EXPECT_EQ(last_update(tb.ack.client_id).status, kis::order_status::cancelled);
  EXPECT_NE(last_update(tb.ack.client_id).reason.find("draining"), std::string::npos);
  EXPECT_EQ(last_update(tc.ack.client_id).status, kis::order_status::cancelled);
  EXPECT_EQ(count(s.orders, "cancelled"), 3u); // A at KIS, B and C before they left
  EXPECT_EQ(gw->orders.size(), 1u);
  EXPECT_EQ(s.journal_path, path);
  EXPECT_EQ(submit_one(sig("D", kis::side::buy, 1, 10000)).err.code, kis::errc::shutting_down);
}

} // namespace

namespace {

TEST_F(ExecutorTest, ReportsQueueSignalsRefusalsOrdersFillsAndPnlToTheMetricsActor) {
  namespace m = kis::metric_names;
  using kis::test::find_value;
  kis::test::metrics_probe probe{sys};
  start();
  ASSERT_TRUE(submit_one(sig("A", kis::side::buy, 10, 10000)).ok);
  kis::execution_notice n;
  n.order_no = "0000000001";
  n.symbol = "A";
  n.is_fill = true;
  n.qty = 10;
  n.price = 10000;
  self->send(exec, n);
  sched.run();
  ASSERT_TRUE(submit_one(sig("A", kis::side::sell, 4, 10500)).ok);
  EXPECT_EQ(submit_one(sig("A", kis::side::buy, 0, 10000)).err.code, kis::errc::invalid_argument);
  n.order_no = "0000000002";
  n.dir = kis::side::sell;
  n.qty = 4;
  n.price = 10500;
  self->send(exec, n);
  sched.run();
  sched.advance_time(1s); // the next message publishes
  status();
  auto s = probe.sample_of(self, sched, "order_executor");
  EXPECT_EQ(s.role, "order_executor");
  EXPECT_EQ(find_value(s, m::executor_queue_depth), 0.0);
  EXPECT_EQ(find_value(s, m::signals), 3.0);
  EXPECT_EQ(find_value(s, "signals_accepted_total"), 2.0);
  EXPECT_EQ(find_value(s, m::signal_refusals, {{"reason", "invalid_argument"}}), 1.0);
  EXPECT_EQ(find_value(s, m::orders, {{"state", "filled"}}), 2.0);
  EXPECT_EQ(find_value(s, m::fills), 2.0);
  EXPECT_EQ(find_value(s, m::realized_pnl), 2'000.0);
  EXPECT_EQ(find_value(s, "executor_orders_open"), 0.0);
  EXPECT_EQ(find_value(s, "executor_killed"), 0.0);
  EXPECT_GE(s.processed, 6u);
}

} // namespace
