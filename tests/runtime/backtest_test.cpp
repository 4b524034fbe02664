// Backtest accounting and bars, without actors: costs (commission per side, tax on sells,
// slippage in ticks) computed by hand, round trips, drawdown, win rate, turnover, Sharpe;
// bars made into frames the engine's parser reads back; the bar cache; the history answers.
#include <cmath>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "kis/kst.hpp"
#include "kis/realtime_frames.hpp"
#include "kis/rest_codec.hpp"
#include "runtime/backtest.hpp"
#include "runtime/backtest_bars.hpp"
#include "runtime/backtest_report.hpp"
#include "runtime/replay_venue.hpp"

namespace {

using namespace kis;
using namespace kis::runtime;
namespace fs = std::filesystem;

constexpr std::int64_t day1 = 1'767'225'600'000'000'000; // 2026-01-01 00:00 UTC
constexpr std::int64_t minute = 60'000'000'000;

journal_fill fill(const std::string& sym, side d, std::int64_t qty, std::int64_t px,
                  std::int64_t at) {
  return {"K-" + std::to_string(at), sym, d, qty, px, at, "notice"};
}

mark_sample mark(std::int64_t at, std::int64_t px) {
  return {at, {{"005930", px}}};
}

TEST(BacktestAccount, CostsAreComputedPerSideWithTaxOnSells) {
  backtest_costs c{0.015, 0.20, 0, 10'000'000};
  std::vector<journal_fill> fills{fill("005930", side::buy, 10, 70'000, day1 + minute),
                                  fill("005930", side::sell, 10, 71'000, day1 + 2 * minute)};
  auto r = account(fills, {}, c);
  // buy 700,000: commission 105; sell 710,000: commission 106.5 -> 106, tax 1,420.
  EXPECT_EQ(r.summary.commission, 105 + 106);
  EXPECT_EQ(r.summary.tax, 1'420);
  ASSERT_EQ(r.trades.size(), 1u);
  EXPECT_FALSE(r.trades[0].open);
  EXPECT_EQ(r.trades[0].net_pnl, 10'000 - 105 - 106 - 1'420);
  EXPECT_EQ(r.summary.net_pnl, 10'000 - 105 - 106 - 1'420);
  EXPECT_EQ(r.summary.final_equity, 10'000'000 + r.summary.net_pnl);
  EXPECT_EQ(r.summary.trades, 1u);
  EXPECT_DOUBLE_EQ(r.summary.win_rate_pct, 100.0);
  EXPECT_DOUBLE_EQ(r.summary.turnover, 1'410'000.0 / 10'000'000.0);
}

TEST(BacktestAccount, SlippageMovesEveryFillAgainstTheTraderByWholeTicks) {
  backtest_costs c{0, 0, 2, 1'000'000};
  // 70,000 is in the 100-KRW band; 1,950 in the 1-KRW band.
  std::vector<journal_fill> fills{fill("005930", side::buy, 1, 70'000, day1),
                                  fill("005930", side::sell, 1, 70'000, day1 + 1),
                                  fill("000001", side::buy, 5, 1'950, day1 + 2),
                                  fill("000001", side::sell, 5, 1'950, day1 + 3)};
  auto r = account(fills, {}, c);
  EXPECT_EQ(r.summary.slippage, 200 + 200 + 10 + 10);
  EXPECT_EQ(r.summary.net_pnl, -420);
  EXPECT_DOUBLE_EQ(r.summary.win_rate_pct, 0.0);
}

TEST(BacktestAccount, OpenPositionsAreMarkedAndDrawdownFollowsThePeak) {
  backtest_costs c{0, 0, 0, 1'000'000};
  std::vector<journal_fill> fills{fill("005930", side::buy, 10, 10'000, day1 + minute / 2)};
  std::vector<mark_sample> marks{mark(day1 + minute, 11'000), mark(day1 + 2 * minute, 12'000),
                                 mark(day1 + 3 * minute, 9'000), mark(day1 + 4 * minute, 10'500)};
  auto r = account(fills, marks, c);
  ASSERT_EQ(r.trades.size(), 1u);
  EXPECT_TRUE(r.trades[0].open);
  EXPECT_EQ(r.trades[0].net_pnl, 5'000); // marked at 10,500
  EXPECT_EQ(r.summary.final_equity, 1'005'000);
  // Peak 1,020,000 (at 12,000), trough 990,000 (at 9,000).
  EXPECT_EQ(r.summary.max_drawdown_krw, -30'000);
  EXPECT_NEAR(r.summary.max_drawdown_pct, -100.0 * 30'000 / 1'020'000, 1e-9);
  EXPECT_EQ(r.summary.trades, 0u); // nothing closed
  EXPECT_FALSE(r.summary.sharpe_basis.empty());
}

TEST(BacktestAccount, SharpeUsesDailyReturnsAcrossDays) {
  backtest_costs c{0, 0, 0, 1'000'000};
  std::vector<journal_fill> fills{fill("005930", side::buy, 100, 10'000, day1)};
  std::vector<mark_sample> marks;
  const std::int64_t day = 24 * 60 * minute;
  std::int64_t px = 10'000;
  for (int d = 1; d <= 10; ++d) {
    px += d % 2 == 0 ? 100 : -50;
    marks.push_back(mark(day1 + d * day, px));
  }
  auto r = account(fills, marks, c);
  EXPECT_EQ(r.summary.sharpe_basis, "daily returns");
  EXPECT_GT(r.summary.sharpe, 0); // the walk drifts up
  EXPECT_TRUE(std::isfinite(r.summary.sharpe));
}

TEST(BacktestReport, FilesAndChartsHoldTheFigures) {
  backtest_costs c{0.0140527, 0.20, 1, 1'000'000};
  std::vector<journal_fill> fills{fill("005930", side::buy, 1, 70'000, day1 + minute),
                                  fill("005930", side::sell, 1, 72'000, day1 + 3 * minute)};
  std::vector<mark_sample> marks{mark(day1 + 2 * minute, 71'000)};
  auto r = account(fills, marks, c);
  auto csv = trades_csv(r);
  EXPECT_NE(csv.find("005930,2026-01-01 09:01:00,2026-01-01 09:03:00,1,"), std::string::npos)
      << csv;
  auto html = report_html(r, c, {"t <&>", "src", "abc"});
  EXPECT_NE(html.find("t &lt;&amp;&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(html.find("aria-label=\"equity curve\""), std::string::npos);
  EXPECT_NE(html.find("aria-label=\"drawdown\""), std::string::npos);
  EXPECT_NE(equity_svg(r).find("<polyline"), std::string::npos);
  EXPECT_NE(drawdown_svg(r).find("<polygon"), std::string::npos);
  auto dir = fs::temp_directory_path() / ("kis-bt-report-" + std::to_string(::getpid()));
  ASSERT_TRUE(write_backtest_outputs(dir, r, c, {"title", "src", "abc"}));
  for (auto f : {"trades.csv", "backtest.txt", "report.html"})
    EXPECT_GT(fs::file_size(dir / f), 50u) << f;
  fs::remove_all(dir);
}

TEST(BacktestBars, BarsBecomeFramesTheEngineParsesBack) {
  bar_series bars;
  bars["005930"] = {{"005930", 20260105, 70'000, 71'000, 69'500, 70'500, 4'000, 0},
                    {"005930", 20260106, 70'600, 70'900, 69'000, 69'200, 401, 0}};
  auto recs = bar_records(bars, 20260106, 20260106); // the first day is history only
  ASSERT_EQ(recs.size(), 4u);
  std::vector<std::int64_t> prices;
  for (const auto& r : recs) {
    auto f = api::split_frame(r.text);
    ASSERT_TRUE(f.ok());
    std::vector<trade_tick> ticks;
    ASSERT_TRUE(api::parse_trades(f->payload, f->count, 0, ticks).ok()) << r.text;
    ASSERT_EQ(ticks.size(), 1u);
    EXPECT_EQ(ticks[0].exchange_ns, r.recv_ns);
    EXPECT_EQ(ticks[0].change, ticks[0].price - 70'500); // against the previous close
    prices.push_back(ticks[0].price);
  }
  // A down day: open, high, low, close; the volume adds up.
  EXPECT_EQ(prices, (std::vector<std::int64_t>{70'600, 70'900, 69'000, 69'200}));
  EXPECT_EQ(api::kst::time_of(recs.front().recv_ns), "090000");
  EXPECT_EQ(api::kst::time_of(recs.back().recv_ns), "152959");
}

TEST(BacktestBars, TheCacheRoundTripsAndADamagedOneIsRefused) {
  auto file = fs::temp_directory_path() / ("kis-bars-" + std::to_string(::getpid())) / "x.csv";
  std::vector<daily_bar> bars{{"000660", 20260105, 1, 3, 1, 2, 10, 20},
                              {"000660", 20260106, 2, 4, 2, 3, 11, 30}};
  ASSERT_TRUE(write_bar_cache(file, bars));
  auto back = read_bar_cache(file, "000660");
  ASSERT_TRUE(back.has_value());
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[1].date, 20260106);
  EXPECT_EQ((*back)[1].turnover, 30);
  std::ofstream{file, std::ios::app} << "20260107,5,5\n";
  EXPECT_FALSE(read_bar_cache(file, "000660").has_value());
  fs::remove_all(file.parent_path());
}

TEST(BacktestBars, HistoryAnswersStopBeforeTheVirtualDay) {
  auto bars = std::make_shared<bar_series>();
  for (int d = 1; d <= 9; ++d)
    (*bars)["005930"].push_back({"005930", 20260100 + d, 100, 110, 90, 100 + d, 1000, 0});
  bar_answers answers{bars};
  std::vector<kis::field> params{{"FID_COND_MRKT_DIV_CODE", "J"},  {"FID_INPUT_ISCD", "005930"},
                                 {"FID_INPUT_DATE_1", "20260102"}, {"FID_INPUT_DATE_2", "20260109"},
                                 {"FID_PERIOD_DIV_CODE", "D"},     {"FID_ORG_ADJ_PRC", "0"}};
  auto key = replay_venue::answer_key("inquire_chart", params);
  auto now = *api::kst::parse_date_time("20260107", "100000");
  const auto* r = answers.answer(key, now);
  ASSERT_NE(r, nullptr);
  auto root = boost::json::parse(r->body).as_object();
  chart_query q{"005930", 20260102, 20260109, 'D', true, "J"};
  auto page = api::decode_chart(root, q);
  ASSERT_TRUE(page.ok()) << page.error().message;
  ASSERT_EQ(page->bars.size(), 5u); // the 2nd..6th: never the virtual day or later
  EXPECT_EQ(page->bars.front().date, 20260106);
  EXPECT_EQ(page->bars.back().date, 20260102);
  EXPECT_EQ(answers.answer("inquire_price|FID_INPUT_ISCD=005930", now), nullptr);
}

} // namespace
