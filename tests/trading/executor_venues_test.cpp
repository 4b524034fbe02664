// The executor's venues and sessions (issue #14) under the test coordinator, against the fake
// gateway: paper refuses NXT and SOR before any call; NXT only for symbols search-stock-info
// says Nextrade trades (asked once a symbol a day); an order the venue's session forbids is a
// typed refusal before any call; the route reaches the order and the cancel; a notice's
// ORD_EXG_GB reaches the order update and the journal's fill; older journals gain the venue
// columns.
#include "tests/trading/executor_fixture.hpp"

#include "kis/sessions.hpp"

namespace {

using namespace executor_testing;
using kis::signal; // not ::signal from <csignal>

kis::wall_time at_kst(std::int32_t day, int h, int m) {
  return kis::wall_time{std::chrono::duration_cast<kis::wall_time::duration>(
      std::chrono::nanoseconds{kis::sessions::kst_instant(day, kis::sessions::clock_s(h, m))})};
}

struct ExecutorVenuesTest : ExecutorTest {
  std::shared_ptr<kis::manual_wall_clock> clock = std::make_shared<kis::manual_wall_clock>();

  void SetUp() override {
    ExecutorTest::SetUp();
    cfg.clock = clock;
    cfg.venues.calendar =
        std::make_shared<const kis::sessions::calendar>(kis::sessions::calendar::year_2026());
    clock->set(at_kst(20260310, 10, 0)); // a Tuesday, both venues in their main session
    gw->nxt_symbols = {"A"};
    cfg.dedup_window = 0ms; // the same order to several venues is not a duplicate here
  }

  static signal routed(std::string sym, kis::venue v, kis::order_kind k = kis::order_kind::limit) {
    const bool priced = k == kis::order_kind::limit || k == kis::order_kind::ioc_limit;
    auto s = sig(std::move(sym), kis::side::buy, 1, priced ? 10000 : 0);
    s.route = v;
    s.kind = k;
    return s;
  }

  std::size_t calls_of(const std::string& prefix) const {
    std::size_t n = 0;
    for (const auto& c : gw->calls)
      n += c.rfind(prefix, 0) == 0 ? 1 : 0;
    return n;
  }
};

TEST_F(ExecutorVenuesTest, PaperRefusesNxtAndSorBeforeAnyCall) {
  cfg.venues.env = kis::api::environment::paper;
  start();
  for (auto v : {kis::venue::nxt, kis::venue::sor}) {
    auto r = submit_one(routed("A", v));
    ASSERT_FALSE(r.ok);
    EXPECT_EQ(r.err.code, kis::errc::venue_refused);
    EXPECT_NE(r.err.message.find("paper"), std::string::npos) << r.err.message;
  }
  EXPECT_TRUE(gw->calls.empty());
  ASSERT_TRUE(submit_one(routed("A", kis::venue::krx)).ok);
  ASSERT_EQ(gw->orders.size(), 1u);
  EXPECT_EQ(gw->orders[0].route, kis::venue::krx);
  EXPECT_EQ(count(status().refused, "venue_refused"), 2u);
}

TEST_F(ExecutorVenuesTest, NxtOnlyForEligibleSymbolsAskedOnceADay) {
  start();
  auto a = submit_one(routed("A", kis::venue::nxt));
  ASSERT_TRUE(a.ok);
  ASSERT_TRUE(submit_one(routed("A", kis::venue::nxt)).ok);
  auto b = submit_one(routed("B", kis::venue::nxt));
  ASSERT_TRUE(b.ok); // accepted: eligibility was not known yet; the lookup refuses it
  EXPECT_EQ(last_update(b.ack.client_id).status, kis::order_status::rejected);
  EXPECT_NE(last_update(b.ack.client_id).reason.find("venue_refused"), std::string::npos);
  ASSERT_EQ(gw->orders.size(), 2u);
  for (const auto& o : gw->orders)
    EXPECT_EQ(o.route, kis::venue::nxt);
  EXPECT_EQ(calls_of("stock_info:A"), 1u);
  EXPECT_EQ(calls_of("stock_info:B"), 1u);
  // Known today: a second NXT order of B is refused at once, without a call.
  auto again = submit_one(routed("B", kis::venue::nxt));
  ASSERT_FALSE(again.ok);
  EXPECT_EQ(again.err.code, kis::errc::venue_refused);
  EXPECT_EQ(calls_of("stock_info:B"), 1u);
  // A new day asks again.
  clock->set(at_kst(20260311, 10, 0));
  ASSERT_TRUE(submit_one(routed("A", kis::venue::nxt)).ok);
  EXPECT_EQ(calls_of("stock_info:A"), 2u);
  // SOR and KRX need no lookup; a signal naming no venue goes to KRX.
  ASSERT_TRUE(submit_one(routed("B", kis::venue::sor)).ok);
  ASSERT_TRUE(submit_one(routed("B", kis::venue::unset)).ok);
  EXPECT_EQ(gw->orders.at(gw->orders.size() - 2).route, kis::venue::sor);
  EXPECT_EQ(gw->orders.back().route, kis::venue::krx);
  EXPECT_EQ(last_update(gw->orders.back().client_id).route, kis::venue::krx);
}

TEST_F(ExecutorVenuesTest, AfterMarketTakesNxtLimitsAndRefusesTheRestBeforeAnyCall) {
  clock->set(at_kst(20260310, 19, 30)); // only Nextrade's after-market is open
  start();
  auto krx = submit_one(routed("A", kis::venue::krx));
  ASSERT_FALSE(krx.ok);
  EXPECT_EQ(krx.err.code, kis::errc::session_closed);
  // IOC: Nextrade takes it in its main session, not in the after-market.
  auto ioc = submit_one(routed("A", kis::venue::nxt, kis::order_kind::ioc_limit));
  ASSERT_FALSE(ioc.ok);
  EXPECT_EQ(ioc.err.code, kis::errc::session_closed);
  // A market order Nextrade never takes: the venue refuses it, whatever the hour.
  auto market = submit_one(routed("A", kis::venue::nxt, kis::order_kind::market));
  EXPECT_EQ(market.err.code, kis::errc::venue_refused);
  EXPECT_TRUE(gw->calls.empty());
  ASSERT_TRUE(submit_one(routed("A", kis::venue::nxt)).ok);
  ASSERT_TRUE(submit_one(routed("A", kis::venue::sor)).ok); // SOR: Nextrade takes it now
  ASSERT_EQ(gw->orders.size(), 2u);
  // Everything closed at night: refused, still no order call.
  clock->set(at_kst(20260310, 23, 0));
  auto night = submit_one(routed("A", kis::venue::nxt));
  EXPECT_EQ(night.err.code, kis::errc::session_closed);
  EXPECT_EQ(gw->orders.size(), 2u);
  EXPECT_EQ(count(status().refused, "session_closed"), 3u);
}

TEST_F(ExecutorVenuesTest, AQueuedSignalThatOutlivesItsSessionIsRefusedBeforeItLeaves) {
  clock->set(at_kst(20260310, 15, 19));
  start();
  gw->hold_quotes = true; // the first order's quote stays in flight; the second waits
  auto first = ask(routed("A", kis::venue::krx));
  auto second = ask(routed("B", kis::venue::krx, kis::order_kind::market));
  sched.run();
  clock->set(at_kst(20260310, 15, 45)); // KRX's day session is over
  self->send(gateway, kis::done_atom_v, kis::http_exchange{});
  sched.run();
  auto s = take(second);
  ASSERT_TRUE(s.ok);
  EXPECT_EQ(last_update(s.ack.client_id).status, kis::order_status::rejected);
  EXPECT_NE(last_update(s.ack.client_id).reason.find("session_closed"), std::string::npos);
  for (const auto& o : gw->orders)
    EXPECT_NE(o.symbol, "B");
  (void)take(first);
}

TEST_F(ExecutorVenuesTest, CancelGoesToTheVenueOfTheOriginal) {
  start();
  ASSERT_TRUE(submit_one(routed("A", kis::venue::nxt)).ok);
  ASSERT_TRUE(submit_one(routed("B", kis::venue::sor)).ok);
  auto h = self->request(exec, caf::infinite, kis::drain_atom_v);
  sched.run();
  ASSERT_EQ(gw->cancels.size(), 2u);
  std::map<std::string, kis::venue> by_order;
  for (const auto& c : gw->cancels)
    by_order[c.order_no] = c.route;
  EXPECT_EQ(by_order["0000000001"], kis::venue::nxt);
  EXPECT_EQ(by_order["0000000002"], kis::venue::sor);
  h.receive([](kis::executor_summary&) {}, [](caf::error&) { ADD_FAILURE(); });
}

TEST_F(ExecutorVenuesTest, NoticeVenueReachesTheUpdateAndTheJournalFill) {
  start();
  auto r = submit_one(routed("A", kis::venue::sor));
  ASSERT_TRUE(r.ok);
  auto n = fill_notice("0000000001", 1, 10000);
  n.executed_on = kis::exec_venue::sor_nxt;
  self->send(exec, n);
  sched.run();
  auto up = last_update(r.ack.client_id);
  EXPECT_EQ(up.status, kis::order_status::filled);
  EXPECT_EQ(up.route, kis::venue::sor);
  EXPECT_EQ(up.executed_on, kis::exec_venue::sor_nxt);
  kis::order_journal j;
  ASSERT_FALSE(j.open(path));
  auto fills = j.fills();
  ASSERT_EQ(fills.size(), 1u);
  EXPECT_EQ(fills[0].executed_on, kis::exec_venue::sor_nxt);
  auto entries = j.all_entries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].route, kis::venue::sor);
  EXPECT_EQ(entries[0].executed_on, kis::exec_venue::sor_nxt);
}

TEST(OrderJournalVenues, AJournalFromBeforeVenuesGainsTheColumnsAsKrx) {
  auto path = kis::test::unique_temp_path("kis-journal-old", ".sqlite").string();
  std::filesystem::remove(path);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  const char* old_schema =
      "CREATE TABLE orders (seq INTEGER PRIMARY KEY, client_id TEXT NOT NULL UNIQUE, strategy_id "
      "TEXT NOT NULL, symbol TEXT NOT NULL, side INTEGER NOT NULL, kind INTEGER NOT NULL, qty "
      "INTEGER NOT NULL, price INTEGER NOT NULL, reason TEXT NOT NULL, status INTEGER NOT NULL, "
      "org_no TEXT NOT NULL DEFAULT '', order_no TEXT NOT NULL DEFAULT '', filled_qty INTEGER NOT "
      "NULL DEFAULT 0, avg_price INTEGER NOT NULL DEFAULT 0, message TEXT NOT NULL DEFAULT '', "
      "trading_day INTEGER NOT NULL, intent_time TEXT NOT NULL, created_ns INTEGER NOT NULL, "
      "updated_ns INTEGER NOT NULL);"
      "CREATE TABLE fills (id INTEGER PRIMARY KEY, client_id TEXT NOT NULL, symbol TEXT NOT NULL, "
      "side INTEGER NOT NULL, qty INTEGER NOT NULL, price INTEGER NOT NULL, at_ns INTEGER NOT "
      "NULL, source TEXT NOT NULL);"
      "INSERT INTO orders VALUES (1, 'K20260310-1', 's1', 'A', 0, 0, 1, 10000, '', 2, '06010', "
      "'0000000001', 0, 0, '', 20260310, '100000', 1, 1);";
  ASSERT_EQ(sqlite3_exec(db, old_schema, nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  kis::order_journal j;
  ASSERT_FALSE(j.open(path));
  auto open = j.open_entries();
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].route, kis::venue::krx);
  EXPECT_EQ(open[0].executed_on, kis::exec_venue::unknown);
  kis::order_journal again; // a second open finds the columns there
  EXPECT_FALSE(again.open(path));
}

} // namespace
