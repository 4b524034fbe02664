// The order executor with the real rate governor, token keeper and REST gateway against
// kis-sim on 127.0.0.1 (the simulator's real limits): orders fill and the executor's positions
// and P&L match the simulator's account; a hung order response is reconciled through
// inquire-daily-ccld (adopted when the exchange executed it, "not placed" when it did not);
// a restart on the same journal after an abrupt stop reconciles the open entry first; a
// drain cancels open orders in the simulator. In every case the simulator's own record of
// order requests proves that nothing was sent twice.
#include "tests/trading/sim_engine.hpp"

namespace {

using namespace sim_engine_testing;
using kis::signal; // not ::signal from <csignal>

class ExecutorAgainstSim : public ::testing::Test {
protected:
  ExecutorAgainstSim()
      : sim_(make_options()) {}

  static kis::sim::options make_options() {
    kis::sim::options so;
    so.seed = 7;
    so.market_step = 100ms;
    so.ws.push_interval = 100ms;
    return so;
  }

  void SetUp() override {
    auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           (std::string{"kis-pipesim-"} + info->name() + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "cache");
    journal_ = (dir_ / "journal.sqlite").string();
    sim_.start();
    symbols_ = sim_.symbols();
    ASSERT_GE(symbols_.size(), 2u);
  }

  void TearDown() override {
    sim_.stop();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::unique_ptr<engine> start(bool notices = false,
                                const std::function<void(kis::executor_config&)>& tweak = {}) {
    return std::make_unique<engine>(sim_, journal_, dir_ / "cache", notices, tweak);
  }

  static signal market(const std::string& symbol, kis::side dir, std::int64_t qty) {
    signal s;
    s.strategy_id = "pipesim";
    s.symbol = symbol;
    s.dir = dir;
    s.qty = qty;
    s.kind = kis::order_kind::market;
    return s;
  }

  // A buy limit at the day's lower limit: valid, but the synthetic market never trades there
  // within a test, so the order rests.
  signal resting_buy(const std::string& symbol, std::int64_t qty) const {
    auto q = sim_.quote(symbol);
    auto px = q.lower_limit;
    if (auto tick = kis::krx_tick_size(px); px % tick != 0)
      px += tick - px % tick;
    signal s = market(symbol, kis::side::buy, qty);
    s.kind = kis::order_kind::limit;
    s.price = px;
    return s;
  }

  std::vector<kis::sim::order_log_entry> new_orders() const {
    std::vector<kis::sim::order_log_entry> out;
    for (const auto& o : sim_.orders())
      if (o.orig_order_no.empty())
        out.push_back(o);
    return out;
  }

  kis::sim::server sim_;
  std::filesystem::path dir_;
  std::string journal_;
  std::vector<std::string> symbols_;
};

// a) Orders placed through the executor fill in the simulator; positions and realised P&L
// match the simulator's holdings and cash; one request per order.
TEST_F(ExecutorAgainstSim, OrdersFillAndPositionsAndPnlMatchTheSimulator) {
  const auto& a = symbols_[0];
  const auto& b = symbols_[1];
  auto cash_before = sim_.cash();
  auto eng = start();
  eng->accepted(market(a, kis::side::buy, 10));
  eng->accepted(market(b, kis::side::buy, 5));
  ASSERT_TRUE(eventually([&] { return eng->orders_in("filled", 2); })) << eng->dump();
  eng->accepted(market(a, kis::side::sell, 10)); // needs the filled position
  ASSERT_TRUE(eventually([&] { return eng->orders_in("filled", 3); })) << eng->dump();

  auto s = eng->status();
  EXPECT_EQ(s.accepted, 3u);
  EXPECT_EQ(s.fills, 3u);
  auto log = sim_.orders();
  ASSERT_EQ(log.size(), 3u);
  expect_no_duplicate(log);
  EXPECT_EQ(sim_.stats().orders_received, 3u);

  std::int64_t open_cost = 0;
  for (const auto& h : sim_.holdings()) {
    EXPECT_EQ(position_of(s, h.symbol), h.qty) << h.symbol;
    for (const auto& p : s.positions)
      if (p.symbol == h.symbol && h.qty > 0) {
        EXPECT_EQ(p.avg_price, h.avg_price) << h.symbol;
        open_cost += p.qty * p.avg_price;
      }
  }
  EXPECT_EQ(position_of(s, a), 0);
  EXPECT_EQ(position_of(s, b), 5);
  // No fees in the simulator: what the round trip on `a` made is what cash shows beyond the
  // cost of what is still held.
  EXPECT_EQ(s.realized_pnl, sim_.cash() - cash_before + open_cost);

  // The journal agrees with the exchange's order numbers.
  auto entries = settled_journal(journal_, [](const auto& es) { return all_filled(es); });
  ASSERT_EQ(entries.size(), 3u);
  for (const auto& e : entries) {
    EXPECT_EQ(e.status, kis::order_status::filled);
    EXPECT_EQ(e.filled_qty, e.qty);
    EXPECT_EQ(std::count_if(log.begin(), log.end(),
                            [&](const auto& o) { return o.order_no == e.order_no; }),
              1)
        << e.client_id;
  }
}

// b) The simulator executes an order but never answers: the executor gets an unknown outcome,
// finds the order through inquire-daily-ccld and adopts it; nothing is sent again.
TEST_F(ExecutorAgainstSim, HungOrderThatExecutedIsAdoptedThroughInquireDailyCcld) {
  const auto& a = symbols_[0];
  auto eng = start();
  sim_.hang_next(buy_tr, 1, true);
  auto cid = eng->accepted(market(a, kis::side::buy, 3));
  ASSERT_TRUE(eventually([&] { return eng->orders_in("filled", 1); })) << eng->dump();

  auto log = sim_.orders();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(sim_.stats().hung_responses, 1u);
  EXPECT_EQ(sim_.stats().orders_received, 1u);
  auto entries = settled_journal(journal_, [](const auto& es) { return all_filled(es); });
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].client_id, cid);
  EXPECT_EQ(entries[0].order_no, log[0].order_no);
  EXPECT_EQ(entries[0].filled_qty, 3);
  EXPECT_NE(entries[0].message.find("inquire-daily-ccld"), std::string::npos) << entries[0].message;
  auto s = eng->status();
  EXPECT_EQ(s.fills, 1u);
  EXPECT_EQ(position_of(s, a), 3);
}

// b) The same with execution notices on: the notices of the hung order arrive while its
// request is still in flight, the order is adopted through inquire-daily-ccld, and its fill
// is counted once (the notice and the ccld row are the same fill).
TEST_F(ExecutorAgainstSim, HungOrderWithNoticesCountsItsFillOnce) {
  const auto& a = symbols_[0];
  auto eng = start(true);
  // Notices flow once the feed registered the HTS id; a first order shows it.
  ASSERT_TRUE(eventually([&] { return sim_.realtime_stats().registrations >= 1; }));
  sim_.hang_next(buy_tr, 1, true);
  eng->accepted(market(a, kis::side::buy, 4));
  ASSERT_TRUE(eventually([&] { return eng->orders_in("filled", 1); })) << eng->dump();
  eng->accepted(market(a, kis::side::sell, 4));
  ASSERT_TRUE(eventually([&] { return eng->orders_in("filled", 2); })) << eng->dump();
  // Barrier: every notice the simulator sent has been decoded by the feed, which handed it on to
  // the executor before the status request below (this engine registers notices only).
  ASSERT_TRUE(eventually([&] { return eng->feed().records >= sim_.realtime_stats().notices_sent; }))
      << "notices sent " << sim_.realtime_stats().notices_sent << ", decoded "
      << eng->feed().records;
  EXPECT_GE(sim_.realtime_stats().notices_sent, 4u); // an ack and a fill for each order

  auto s = eng->status();
  EXPECT_EQ(s.fills, 2u);
  EXPECT_EQ(position_of(s, a), 0);
  for (const auto& h : sim_.holdings())
    EXPECT_EQ(position_of(s, h.symbol), h.qty) << h.symbol;
  auto log = sim_.orders();
  EXPECT_EQ(log.size(), 2u);
  expect_no_duplicate(log);
  for (const auto& e : settled_journal(journal_, [](const auto& es) { return all_filled(es); }))
    EXPECT_EQ(e.filled_qty, e.qty) << e.client_id;
}

// b) The simulator swallows the request without executing it: after reconcile_attempts
// passes of inquire-daily-ccld the executor concludes "not placed" and does not resend; a
// new signal is a new order.
TEST_F(ExecutorAgainstSim, HungOrderThatNeverExecutedIsConcludedNotPlaced) {
  const auto& a = symbols_[0];
  auto eng = start();
  sim_.hang_next(buy_tr, 1, false);
  auto cid = eng->accepted(market(a, kis::side::buy, 3));
  ASSERT_TRUE(eventually([&] { return eng->orders_in("rejected", 1); })) << eng->dump();
  EXPECT_TRUE(sim_.orders().empty());
  EXPECT_EQ(sim_.stats().orders_received, 0u);
  auto entries = settled_journal(journal_, [](const auto& es) {
    return es.size() == 1 && es[0].status == kis::order_status::rejected;
  });
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].status, kis::order_status::rejected);
  EXPECT_TRUE(entries[0].order_no.empty());
  EXPECT_NE(entries[0].message.find("not placed"), std::string::npos) << entries[0].message;

  // Nothing more can leave for that order: the executor holds no open order and no queue.
  auto settled = eng->status();
  EXPECT_EQ(settled.queue_depth, 0u);
  std::uint64_t open = 0;
  for (const char* state : {"queued", "journaled", "sent", "partially_filled", "unknown"})
    open += count_of(settled.orders, state);
  EXPECT_EQ(open, 0u) << eng->dump();
  EXPECT_TRUE(sim_.orders().empty());

  eng->accepted(market(a, kis::side::buy, 2));
  ASSERT_TRUE(eventually([&] { return eng->orders_in("filled", 1); })) << eng->dump();
  auto log = sim_.orders();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].qty, 2);
  EXPECT_EQ(position_of(eng->status(), a), 2);
}

// c) An engine stops abruptly while an order's response hangs; a new engine on the same
// journal reconciles the open entry before sending anything new, and nothing is sent twice.
TEST_F(ExecutorAgainstSim, RestartReconcilesTheOpenEntryFirstAndSendsNothingTwice) {
  const auto& a = symbols_[0];
  const auto& b = symbols_[1];
  std::string first_cid;
  {
    auto eng = start();
    sim_.hang_next(buy_tr, 1, true);
    first_cid = eng->accepted(market(a, kis::side::buy, 4));
    ASSERT_TRUE(eventually([&] { return sim_.orders().size() == 1; }));
    eng->stop_abruptly();
  }
  auto open = journal_entries(journal_);
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].status, kis::order_status::journaled);
  EXPECT_TRUE(open[0].order_no.empty());

  auto eng = start();
  auto second_cid = eng->accepted(market(b, kis::side::buy, 2));
  EXPECT_NE(second_cid, first_cid);
  ASSERT_TRUE(eventually([&] { return eng->orders_in("filled", 2); })) << eng->dump();

  auto log = sim_.orders();
  ASSERT_EQ(log.size(), 2u);
  expect_no_duplicate(log);
  EXPECT_EQ(log[0].symbol, a);
  EXPECT_EQ(log[0].qty, 4);
  EXPECT_EQ(log[1].symbol, b);
  EXPECT_EQ(log[1].qty, 2);
  std::map<std::string, kis::journal_entry> by_cid;
  for (auto& e : settled_journal(journal_, [](const auto& es) { return all_filled(es); }))
    by_cid[e.client_id] = e;
  ASSERT_EQ(by_cid.size(), 2u);
  const auto& adopted = by_cid[first_cid];
  const auto& fresh = by_cid[second_cid];
  EXPECT_EQ(adopted.order_no, log[0].order_no);
  EXPECT_EQ(adopted.status, kis::order_status::filled);
  EXPECT_EQ(fresh.order_no, log[1].order_no);
  // Reconciled first: the open entry was settled before the new signal was journaled.
  EXPECT_LT(adopted.updated_ns, fresh.created_ns);
  auto s = eng->status();
  EXPECT_EQ(position_of(s, a), 4);
  EXPECT_EQ(position_of(s, b), 2);
}

// d) Drain with the cancel policy: open orders are cancelled in the simulator, once each.
TEST_F(ExecutorAgainstSim, DrainCancelsOpenOrdersInTheSimulator) {
  const auto& a = symbols_[0];
  const auto& b = symbols_[1];
  auto eng = start();
  eng->accepted(resting_buy(a, 2));
  eng->accepted(resting_buy(b, 3));
  ASSERT_TRUE(eventually([&] { return eng->orders_in("sent", 2); })) << eng->dump();
  auto placed = sim_.orders();
  ASSERT_EQ(placed.size(), 2u);

  auto s = eng->drain();
  EXPECT_EQ(count_of(s.orders, "cancelled"), 2u);
  EXPECT_EQ(s.fills, 0u);
  auto log = sim_.orders();
  ASSERT_EQ(log.size(), 4u);
  expect_no_duplicate(log);
  for (const auto& p : placed)
    EXPECT_EQ(std::count_if(log.begin(), log.end(),
                            [&](const auto& o) {
                              return o.orig_order_no == p.order_no && o.tr_id == cancel_tr;
                            }),
              1)
        << p.order_no;
  for (const auto& r : eng->today_fills()) {
    if (r.orig_order_no.empty()) {
      EXPECT_EQ(r.remaining_qty, 0) << r.order_no;
      EXPECT_EQ(r.filled_qty, 0) << r.order_no;
    }
  }
  for (const auto& e : journal_entries(journal_))
    EXPECT_EQ(e.status, kis::order_status::cancelled) << e.client_id;
  auto [ack, err] = eng->submit(market(a, kis::side::buy, 1));
  EXPECT_FALSE(ack.has_value());
  EXPECT_EQ(err, kis::errc::shutting_down);
  EXPECT_TRUE(sim_.holdings().empty());
}

} // namespace
