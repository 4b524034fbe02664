// The simulator's exchange: fills, order numbers, revise/cancel, rejections, paging.
#include <gtest/gtest.h>

#include <memory>

#include "sim/exchange.hpp"

namespace {

using namespace std::chrono_literals;
using namespace kis::sim;

struct SimExchange : ::testing::Test {
  std::shared_ptr<kis::manual_wall_clock> clock = std::make_shared<kis::manual_wall_clock>();
  market m{{"005930", "000660", "035720"}, 11, clock, 250ms};
  exchange ex{m, "50000000", "01", "kissim", 100'000'000, false};
  std::vector<kis::execution_notice> notices;

  void SetUp() override {
    ex.on_notice = [this](const kis::execution_notice& n) { notices.push_back(n); };
  }

  order_answer buy(const std::string& s, std::int64_t qty, std::int64_t price,
                   std::string kind = "00") {
    return ex.place(
        {"TTTC0012U", "50000000", "01", s, kis::side::buy, std::move(kind), qty, price});
  }
  order_answer sell(const std::string& s, std::int64_t qty, std::int64_t price,
                    std::string kind = "00") {
    return ex.place(
        {"TTTC0011U", "50000000", "01", s, kis::side::sell, std::move(kind), qty, price});
  }
  // A valid limit price `ticks` ticks away from the last trade.
  std::int64_t away(const std::string& s, int ticks) {
    auto p = m.last_price(s);
    for (; ticks > 0; --ticks)
      p = tick_up(p);
    for (; ticks < 0; ++ticks)
      p = tick_down(p);
    return p;
  }
  ccld_query all_today() {
    ccld_query q;
    q.from = q.to = m.session_date();
    q.side_code = "00";
    q.ccld_code = "00";
    return q;
  }
};

TEST_F(SimExchange, MarketOrderFillsAtOnceAtTheLastPrice) {
  const auto p = m.last_price("005930");
  auto a = buy("005930", 10, 0, "01");
  ASSERT_TRUE(a.v.ok) << a.v.msg1;
  EXPECT_EQ(a.v.msg_cd, "APBK0013");
  EXPECT_EQ(ex.deposit(), 100'000'000 - 10 * p);
  auto h = ex.holdings();
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].qty, 10);
  EXPECT_EQ(h[0].avg_price, p);
  ASSERT_EQ(notices.size(), 2u); // ack, then fill
  EXPECT_FALSE(notices[0].is_fill);
  EXPECT_EQ(notices[0].qty, 10);
  EXPECT_TRUE(notices[1].is_fill);
  EXPECT_EQ(notices[1].price, p);
  EXPECT_EQ(notices[1].order_no, a.order_no);
  EXPECT_EQ(notices[1].hts_id, "kissim");
}

TEST_F(SimExchange, OrderNumbersAreFiveAndTenDigitsAndIncrease) {
  auto a = buy("005930", 1, away("005930", -5));
  auto b = buy("000660", 1, away("000660", -5));
  ASSERT_TRUE(a.v.ok && b.v.ok);
  EXPECT_EQ(a.org_no.size(), 5u);
  EXPECT_EQ(a.order_no, "0000000001");
  EXPECT_EQ(b.order_no, "0000000002");
  EXPECT_EQ(a.time.size(), 6u);
}

TEST_F(SimExchange, RestingLimitFillsOnlyWhenTheMarketCrossesIt) {
  const auto limit = away("005930", -3);
  auto a = buy("005930", 5, limit);
  ASSERT_TRUE(a.v.ok);
  ex.match();
  EXPECT_EQ(ex.fills(), 0u);
  // Walk the market until a trade prints at or under the limit.
  std::int64_t cursor = m.current_step();
  bool crossed = false;
  for (int i = 0; i < 20'000 && ex.fills() == 0; ++i) {
    m.step(1);
    for (const auto& t : m.trades_since("005930", cursor))
      crossed = crossed || t.price <= limit;
    ex.match();
  }
  ASSERT_TRUE(crossed);
  ASSERT_GT(ex.fills(), 0u);
  EXPECT_EQ(notices.back().price, limit);
  auto q = all_today();
  auto rows = ex.fills_page(q, 0, 100).rows;
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_GT(rows[0].filled_qty, 0);
  EXPECT_EQ(rows[0].filled_qty + rows[0].remaining_qty, 5);
}

TEST_F(SimExchange, MarketableLimitFillsAtTheLastPrice) {
  const auto p = m.last_price("000660");
  auto a = buy("000660", 2, away("000660", 4));
  ASSERT_TRUE(a.v.ok);
  EXPECT_EQ(ex.fills(), 1u);
  EXPECT_EQ(ex.holdings()[0].avg_price, p);
}

TEST_F(SimExchange, RejectionsSayWhy) {
  const auto base = m.info("005930").base_price;
  EXPECT_EQ(buy("005930", 0, away("005930", 0)).v.msg_cd, "40310000");
  EXPECT_EQ(buy("005930", 1, upper_limit(base) + tick_size(upper_limit(base))).v.msg_cd,
            "40330000");
  EXPECT_EQ(buy("005930", 1, lower_limit(base) - 1).v.msg_cd, "40330000");
  if (tick_size(base) > 1) {
    EXPECT_EQ(buy("005930", 1, base + 1).v.msg_cd, "40320000");
  }
  EXPECT_EQ(buy("005930", 1, base, "07").v.msg_cd, "40340000");
  EXPECT_EQ(buy("999999", 1, 1000).v.msg_cd, "40100000");
  EXPECT_EQ(sell("005930", 1, base).v.msg_cd, "40360000");
  EXPECT_EQ(buy("005930", 1'000'000'000, 0, "01").v.msg_cd, "APBK0952");
  auto wrong = ex.place({"TTTC0012U", "50000001", "01", "005930", kis::side::buy, "01", 1, 0});
  EXPECT_EQ(wrong.v.msg_cd, "OPSQ2000");
  ex.set_market_closed(true);
  EXPECT_EQ(buy("005930", 1, 0, "01").v.msg_cd, "40580000");
  EXPECT_TRUE(notices.empty());
  EXPECT_EQ(ex.deposit(), 100'000'000);
}

TEST_F(SimExchange, CashIsReservedByOpenBuys) {
  const auto limit = away("005930", -10);
  const auto before = ex.orderable_cash();
  ASSERT_TRUE(buy("005930", 100, limit).v.ok);
  EXPECT_EQ(ex.orderable_cash(), before - 100 * limit);
  EXPECT_EQ(ex.deposit(), 100'000'000);
  auto b = ex.buyable("005930", limit, "00");
  EXPECT_EQ(b.max_qty, ex.orderable_cash() / limit);
}

TEST_F(SimExchange, ReviseMovesTheRemainderToANewOrderAndCancelCloses) {
  auto a = buy("005930", 10, away("005930", -10));
  ASSERT_TRUE(a.v.ok);
  revise_input r{"TTTC0013U", "50000000", "01",  a.org_no, a.order_no,
                 "00",        false,      false, 4,        away("005930", -12)};
  auto rv = ex.revise(r);
  ASSERT_TRUE(rv.v.ok) << rv.v.msg1;
  EXPECT_EQ(rv.order_no, "0000000002");
  revise_input c{"TTTC0013U", "50000000", "01", a.org_no, "1", "00", true, true, 0, 0};
  auto cn = ex.revise(c); // the rest of the original, order number without leading zeros
  ASSERT_TRUE(cn.v.ok) << cn.v.msg1;
  EXPECT_EQ(ex.revise(c).v.msg_cd, "40350000"); // nothing left to cancel
  auto q = all_today();
  q.oldest_first = true;
  auto rows = ex.fills_page(q, 0, 100).rows;
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].remaining_qty, 0);
  EXPECT_EQ(rows[1].orig_order_no, a.order_no);
  EXPECT_EQ(rows[1].order_qty, 4);
  EXPECT_EQ(rows[1].remaining_qty, 4);
  EXPECT_TRUE(rows[2].cancelled);
  EXPECT_EQ(rows[2].order_qty, 6);
  EXPECT_EQ(notices.back().revise_cancel, 2);
}

TEST_F(SimExchange, SellAfterBuyRealisesCash) {
  ASSERT_TRUE(buy("035720", 10, 0, "01").v.ok);
  m.step(100);
  const auto p = m.last_price("035720");
  const auto cash = ex.deposit();
  ASSERT_TRUE(sell("035720", 4, 0, "01").v.ok);
  EXPECT_EQ(ex.deposit(), cash + 4 * p);
  EXPECT_EQ(ex.holdings()[0].qty, 6);
  EXPECT_EQ(ex.today_qty("035720"), (std::pair<std::int64_t, std::int64_t>{10, 4}));
}

TEST_F(SimExchange, DailyFillsPageInOrder) {
  for (int i = 0; i < 37; ++i)
    ASSERT_TRUE(buy("005930", 1, away("005930", -20)).v.ok);
  auto q = all_today();
  std::vector<std::string> seen;
  std::size_t offset = 0;
  for (int pages = 0; pages < 10; ++pages) {
    auto pg = ex.fills_page(q, offset, 15);
    for (const auto& r : pg.rows)
      seen.push_back(r.order_no);
    if (!pg.more)
      break;
    offset = pg.next;
  }
  ASSERT_EQ(seen.size(), 37u);
  EXPECT_EQ(seen.front(), "0000000037"); // newest first
  EXPECT_EQ(seen.back(), "0000000001");
  q.ccld_code = "01";
  EXPECT_TRUE(ex.fills_page(q, 0, 100).rows.empty());
  EXPECT_EQ(ex.fill_totals(all_today()).order_qty, 37);
}

} // namespace
