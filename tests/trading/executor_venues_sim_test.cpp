// The executor's venues and sessions against kis-sim on its market clock (issue #14): an
// after-market hour (19:30 on a Tuesday, only Nextrade open) where KRX orders are refused
// before any call, NXT orders of an eligible symbol fill there and every fill is learnt
// through inquire-daily-ccld (ALL venues, no notices); SOR orders in the main session report
// where they executed (ORD_EXG_GB) in the journal; paper refuses NXT and SOR before any order
// call and sends KRX.
#include "tests/trading/sim_engine.hpp"

#include "kis/sessions.hpp"
#include "sim/universe.hpp"

namespace {

using namespace sim_engine_testing;
using kis::signal; // not ::signal from <csignal>

constexpr const char* nxt_symbol = "005930"; // Samsung Electronics: on Nextrade

class VenuesAgainstSim : public ::testing::Test {
protected:
  // The market clock at `hh:mm` KST on Tuesday 2026-03-10 (before KRX's own extension).
  void start_sim(int hh, int mm, kis::api::environment env = kis::api::environment::real) {
    kis::sim::options so;
    so.seed = 7;
    so.env = env;
    so.market_step = 100ms;
    so.ws.push_interval = 100ms;
    so.start_ns = kis::sessions::kst_instant(20260310, kis::sessions::clock_s(hh, mm));
    sim_ = std::make_unique<kis::sim::server>(so);
    sim_->start();
  }

  void SetUp() override {
    auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           (std::string{"kis-venuesim-"} + info->name() + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "cache");
    journal_ = (dir_ / "journal.sqlite").string();
  }

  void TearDown() override {
    if (sim_)
      sim_->stop();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // The executor on the simulator's market clock, with the 2026 calendar enforced.
  std::unique_ptr<engine> start(bool notices,
                                kis::api::environment env = kis::api::environment::real) {
    auto clock = sim_->market_clock();
    return std::make_unique<engine>(
        *sim_, journal_, dir_ / "cache", notices,
        [clock](kis::executor_config& ec) {
          ec.clock = clock;
          ec.venues.calendar =
              std::make_shared<const kis::sessions::calendar>(kis::sessions::calendar::year_2026());
        },
        env);
  }

  std::string not_on_nxt() const {
    for (const auto& s : sim_->symbols())
      for (const auto& in : kis::sim::universe())
        if (in.symbol == s && !in.nxt)
          return s;
    return {};
  }

  // A buy limit a few percent above the KRX price: marketable on either venue.
  signal buy(const std::string& symbol, std::int64_t qty, kis::venue v) const {
    auto px = sim_->quote(symbol).price * 103 / 100;
    px -= px % kis::krx_tick_size(px);
    signal s;
    s.strategy_id = "venuesim";
    s.symbol = symbol;
    s.dir = kis::side::buy;
    s.qty = qty;
    s.price = px;
    s.kind = kis::order_kind::limit;
    s.route = v;
    return s;
  }

  std::unique_ptr<kis::sim::server> sim_;
  std::filesystem::path dir_;
  std::string journal_;
};

TEST_F(VenuesAgainstSim, AfterMarketOrdersGoToNextradeAndEveryFillIsReconciled) {
  start_sim(19, 30);
  auto e = start(false); // no notices: fills only through inquire-daily-ccld
  auto [no_ack, krx_err] = e->submit(buy(nxt_symbol, 1, kis::venue::krx));
  ASSERT_FALSE(no_ack);
  EXPECT_EQ(kis::view(krx_err).code, kis::errc::session_closed);
  std::vector<std::string> ids;
  for (std::int64_t qty : {1, 2, 3})
    ids.push_back(e->accepted(buy(nxt_symbol, qty, kis::venue::nxt)));
  const auto other = not_on_nxt();
  ASSERT_FALSE(other.empty());
  const auto refused = e->accepted(buy(other, 1, kis::venue::nxt));
  auto es = settled_journal(journal_, [&](const auto& all) {
    std::size_t filled = 0;
    for (const auto& x : all)
      filled += x.symbol == nxt_symbol && x.status == kis::order_status::filled ? 1 : 0;
    return filled == 3;
  });
  for (const auto& x : es) {
    if (x.client_id == refused) {
      EXPECT_EQ(x.status, kis::order_status::rejected) << e->dump();
      continue;
    }
    EXPECT_EQ(x.status, kis::order_status::filled) << e->dump();
    EXPECT_EQ(x.route, kis::venue::nxt);
  }
  EXPECT_EQ(es.size(), 3u) << "the refused one never reached the journal: " << e->dump();
  const auto orders = sim_->orders();
  ASSERT_EQ(orders.size(), 3u);
  for (const auto& o : orders) {
    EXPECT_EQ(o.symbol, nxt_symbol);
    EXPECT_EQ(o.venue, "NXT");
  }
  auto s = e->status();
  EXPECT_EQ(s.fills, 3u);
  EXPECT_EQ(position_of(s, nxt_symbol), 6);
  EXPECT_EQ(count_of(s.refused, "session_closed"), 1u);
  expect_no_duplicate(orders);
}

TEST_F(VenuesAgainstSim, SorOrdersReportWhereTheyExecuted) {
  start_sim(10, 0);
  auto e = start(true);
  ASSERT_TRUE(eventually([&] { return e->status().orders.empty(); }));
  const auto other = not_on_nxt();
  const auto on_both = e->accepted(buy(nxt_symbol, 2, kis::venue::sor));
  const auto krx_only = e->accepted(buy(other, 1, kis::venue::sor));
  auto es = settled_journal(journal_, [](const auto& all) {
    return all.size() == 2 && all_filled(all) &&
           std::all_of(all.begin(), all.end(),
                       [](const auto& x) { return x.executed_on != kis::exec_venue::unknown; });
  });
  ASSERT_EQ(es.size(), 2u) << e->dump();
  for (const auto& x : es) {
    EXPECT_EQ(x.route, kis::venue::sor);
    if (x.client_id == krx_only) {
      EXPECT_EQ(x.executed_on, kis::exec_venue::sor_krx) << "SOR sends KRX-only names to KRX";
    } else {
      EXPECT_EQ(x.client_id, on_both);
      EXPECT_TRUE(x.executed_on == kis::exec_venue::sor_krx ||
                  x.executed_on == kis::exec_venue::sor_nxt);
    }
  }
  for (const auto& o : sim_->orders())
    EXPECT_EQ(o.venue, "SOR");
}

TEST_F(VenuesAgainstSim, PaperRefusesNextradeAndSorBeforeAnyOrderCall) {
  start_sim(10, 0, kis::api::environment::paper);
  auto e = start(false, kis::api::environment::paper);
  for (auto v : {kis::venue::nxt, kis::venue::sor}) {
    auto [ack, err] = e->submit(buy(nxt_symbol, 1, v));
    ASSERT_FALSE(ack);
    EXPECT_EQ(kis::view(err).code, kis::errc::venue_refused);
  }
  EXPECT_TRUE(sim_->orders().empty());
  e->accepted(buy(nxt_symbol, 1, kis::venue::krx));
  ASSERT_TRUE(eventually([&] { return sim_->orders().size() == 1; })) << e->dump();
  EXPECT_EQ(sim_->orders()[0].venue, "KRX");
  EXPECT_EQ(count_of(e->status().refused, "venue_refused"), 2u);
}

} // namespace
