// The order executor under the deterministic test coordinator, against a fake gateway:
// priority, back-pressure, every risk refusal, journal-before-send, reconciliation of unknown
// outcomes, restart with open journal entries, notices and P&L, drain.
#include "tests/trading/executor_fixture.hpp"

#include "support/metrics_probe.hpp"

namespace {

using namespace executor_testing;
using kis::signal; // not ::signal from <csignal>

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
  auto r = lost_answer_found_in_daily_fills(1, 1);
  ASSERT_TRUE(r.ok);
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
    auto crashed = intent_of("A"); // intent written, then kill -9 before the answer
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

// kill -9 after an order on the same terms had already filled in an earlier run: that order's
// row in inquire-daily-ccld is not the crashed intent's, so it stays unclaimed and ends "not
// placed" instead of one order number in two journal rows.
TEST_F(ExecutorTest, RestartDoesNotHandASettledOrdersNumberToAnUnknownOnTheSameTerms) {
  cfg.reconcile_attempts = 2;
  auto settled = intent_of("A");
  {
    kis::order_journal j;
    ASSERT_FALSE(j.open(path));
    ASSERT_FALSE(j.record_intent(settled));
    settled.status = kis::order_status::filled;
    settled.order_no = "0000000041";
    settled.filled_qty = 2;
    ASSERT_FALSE(j.update(settled));
    kis::journal_entry crashed = settled; // a later run's intent, then kill -9
    crashed.seq = 0;
    crashed.client_id.clear();
    crashed.status = kis::order_status::journaled;
    crashed.order_no.clear();
    crashed.filled_qty = 0;
    crashed.intent_time = "090010";
    ASSERT_FALSE(j.record_intent(crashed));
  }
  kis::order_request a{"", "A", kis::side::buy, kis::order_kind::limit, 2, 10000};
  gw->ccld = {ccld_row(a, "0000000041", 2)};
  gw->ccld[0].order_time = "090001";
  auto e = kis::spawn_order_executor(sys, cfg, gateway, kis::ws_feed_actor{});
  ASSERT_TRUE(e);
  exec = *e;
  sched.run();
  for (int i = 0; i < 3; ++i) {
    sched.advance_time(cfg.reconcile_interval);
    sched.run();
  }
  kis::order_journal j;
  ASSERT_FALSE(j.open(path));
  auto all = j.all_entries();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].order_no, "0000000041");
  EXPECT_EQ(all[1].order_no, "");
  EXPECT_EQ(all[1].status, kis::order_status::rejected);
  EXPECT_NE(all[1].message.find("not placed"), std::string::npos);
  EXPECT_TRUE(gw->orders.empty());
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
  auto r = lost_answer_found_in_daily_fills(10, 4);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(journal_row(path, r.ack.client_id).first,
            static_cast<int>(kis::order_status::partially_filled));
  auto n = fill_notice("0000000777", 4, 10000); // the fill inquire-daily-ccld already showed
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
  auto n = fill_notice("0000000777", 4, 10000);
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
  self->send(gateway, kis::retry_atom_v, std::uint64_t{0}); // the answer: 0000000888
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
  auto n = fill_notice("0000000001", 10, 10000);
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
  auto n = fill_notice("0000000001", 10, 10000);
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
  EXPECT_EQ(find_value(s, m::signals_total), 3.0);
  EXPECT_EQ(find_value(s, "signals_accepted_total"), 2.0);
  EXPECT_EQ(find_value(s, m::signal_refusals_total, {{"reason", "invalid_argument"}}), 1.0);
  EXPECT_EQ(find_value(s, m::orders, {{"state", "filled"}}), 2.0);
  EXPECT_EQ(find_value(s, m::fills_total), 2.0);
  EXPECT_EQ(find_value(s, m::realized_pnl_krw), 2'000.0);
  EXPECT_EQ(find_value(s, "executor_orders_open"), 0.0);
  EXPECT_EQ(find_value(s, "executor_killed"), 0.0);
  EXPECT_GE(s.processed, 6u);
}

} // namespace

namespace {

// A strategy on another node goes with its node: its signals still waiting are settled (expired,
// never sent), the others' stay, and what was already on its way is left to run its course.
TEST_F(ExecutorTest, AStrategyThatGoesHasItsWaitingSignalsSettled) {
  start();
  auto other_rec = std::make_shared<kis::test::strategy_record>();
  auto other = kis::test::spawn_fake_strategy(sys, other_rec);
  self->send(exec, kis::follow_atom_v, std::string{"s2"}, other);
  sched.run();
  gw->hold_quotes = true; // the first signal stays in flight, the others wait in the queue
  auto s2 = sig("D", kis::side::buy, 1, 10000);
  s2.strategy_id = "s2";
  auto res = submit({sig("A", kis::side::buy, 1, 10000), sig("B", kis::side::buy, 1, 10000),
                     sig("C", kis::side::buy, 1, 10000), s2});
  for (const auto& r : res)
    EXPECT_TRUE(r.ok) << r.err.message;
  EXPECT_EQ(status().queue_depth, 3u);
  caf::anon_send_exit(strategy, caf::exit_reason::kill);
  sched.run();
  auto s = status();
  EXPECT_EQ(s.strategies_lost, 1u);
  EXPECT_EQ(s.signals_settled, 2u); // B and C; A is in flight
  EXPECT_EQ(s.queue_depth, 1u);     // D, of the strategy that stays
  EXPECT_EQ(count(s.orders, "expired"), 2u);
  caf::anon_send_exit(other, caf::exit_reason::user_shutdown);
}

} // namespace
