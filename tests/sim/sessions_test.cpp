// The simulated market and exchange on the calendar (issue #14): venues print only while they
// trade, a closed night costs nothing and rolls the day, SOR goes to the better book, orders
// wait for trading and expire with their session.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>

#include "kis/kst.hpp"
#include "sim/exchange.hpp"

namespace {

using namespace std::chrono_literals;
using namespace kis::sim;
using kis::venue;

std::int64_t at(const std::string& kst) {
  return *kis::api::kst::parse_datetime(kst.size() == 16 ? kst + ":00" : kst);
}

// A manual clock standing at a KST instant.
std::shared_ptr<kis::manual_wall_clock> clock_at(const std::string& kst) {
  return std::make_shared<kis::manual_wall_clock>(kis::wall_time{
      std::chrono::duration_cast<kis::wall_time::duration>(std::chrono::nanoseconds{at(kst)})});
}

// The first listed symbol Nextrade does not trade.
std::string not_on_nxt() {
  for (const auto& in : universe())
    if (!in.nxt)
      return in.symbol;
  return {};
}

struct OnTheCalendar : ::testing::Test {
  std::shared_ptr<kis::manual_wall_clock> clock;
  std::unique_ptr<market> m;
  std::unique_ptr<exchange> ex;
  std::vector<kis::execution_notice> notices;

  void open_at(const std::string& kst,
               std::vector<std::string> symbols = {"005930", "000660", not_on_nxt()},
               bool paper = false) {
    clock = clock_at(kst);
    m = std::make_unique<market>(std::move(symbols), 5, clock, 250ms, 0.3,
                                 kis::sessions::calendar::year_2026());
    ex = std::make_unique<exchange>(*m, "50000000", "01", "kissim", 100'000'000, paper);
    ex->on_notice = [this](const kis::execution_notice& n) { notices.push_back(n); };
  }
  void advance(std::chrono::nanoseconds d) {
    clock->advance(d);
    ex->match();
  }
  order_answer buy(const std::string& s, std::int64_t qty, std::int64_t price, venue v,
                   std::string kind = "00") {
    return ex->place(
        {"TTTC0012U", "50000000", "01", s, kis::side::buy, std::move(kind), qty, price, v});
  }
  ccld_query today(kis::venue_scope scope = kis::venue_scope::all) {
    ccld_query q;
    q.from = q.to = m->session_date();
    q.side_code = "00";
    q.ccld_code = "00";
    q.scope = scope;
    return q;
  }
};

TEST_F(OnTheCalendar, AClosedNightPrintsNothingAndTheNextDayRollsTheBase) {
  open_at("2026-12-01 19:50");
  const auto base = m->info("005930").base_price;
  std::int64_t krx_cursor = m->current_step(), nxt_cursor = krx_cursor;
  clock->advance(5min);
  EXPECT_FALSE(m->trades_since("005930", krx_cursor).empty()); // KRX's after-market
  EXPECT_FALSE(m->trades_since("005930", nxt_cursor, venue::nxt).empty());
  clock->advance(5min);
  m->trades_since("005930", krx_cursor);
  m->trades_since("005930", nxt_cursor, venue::nxt);
  const auto krx_close = m->last_price("005930");
  const auto closed_quote = m->quote("005930");

  clock->advance(10h); // 06:00: everything shut all night
  EXPECT_FALSE(m->trading(venue::krx));
  EXPECT_FALSE(m->trading(venue::nxt));
  EXPECT_TRUE(m->trades_since("005930", krx_cursor).empty());
  EXPECT_TRUE(m->trades_since("005930", nxt_cursor, venue::nxt).empty());
  EXPECT_EQ(m->last_price("005930"), krx_close);
  EXPECT_EQ(m->quote("005930").received_ns, closed_quote.received_ns);

  clock->advance(90min); // 07:30: KRX's pre-market of the next day
  EXPECT_TRUE(m->trading(venue::krx));
  EXPECT_FALSE(m->trading(venue::nxt));
  auto morning = m->trades_since("005930", krx_cursor);
  ASSERT_FALSE(morning.empty());
  EXPECT_GE(morning.front().exchange_ns, at("2026-12-02 07:00"));
  EXPECT_EQ(morning.front().session, "10"); // before the regular session
  EXPECT_EQ(m->session_date(), 20261202);
  EXPECT_EQ(m->info("005930").base_price, krx_close); // yesterday's close is today's base
  EXPECT_NE(krx_close, base);
  auto bars = m->bars("005930", 20261201, 20261201, 'D');
  ASSERT_EQ(bars.size(), 1u);
  EXPECT_EQ(bars[0].close, krx_close);
  EXPECT_EQ(m->previous_day("005930").date, 20261201);
}

TEST_F(OnTheCalendar, NextradeTradesNearKrxAndOnItsOwnAfterKrxCloses) {
  open_at("2026-12-01 10:00");
  clock->advance(10min);
  const auto krx = m->last_price("005930"), nxt = m->last_price("005930", venue::nxt);
  const auto tick = tick_size(krx);
  EXPECT_LE(std::abs(krx - nxt), 5 * tick); // within a tick of KRX when it printed last
  EXPECT_EQ(m->quote("005930", venue::nxt).base_price, m->info("005930").base_price);
  const auto other = not_on_nxt();
  open_at("2026-12-01 15:35");
  EXPECT_FALSE(m->trading(venue::krx));
  EXPECT_FALSE(m->trading(venue::nxt)); // order entry only until 15:40
  clock->advance(10min);
  EXPECT_TRUE(m->trading(venue::nxt));
  EXPECT_GT(m->quote("005930", venue::nxt).volume, 0);
  EXPECT_EQ(m->quote(other, venue::nxt).price, 0); // Nextrade does not trade it
  EXPECT_TRUE(m->book(other, venue::nxt).asks.empty());
  EXPECT_EQ(m->book("005930", venue::nxt).market, kis::market_code::nxt);
}

TEST_F(OnTheCalendar, SorGoesToTheBetterBookAndKrxForOtherSymbols) {
  std::vector<std::string> symbols;
  for (std::size_t i = 0; i < 30; ++i)
    symbols.push_back(universe()[i].symbol);
  symbols.push_back(not_on_nxt());
  open_at("2026-12-01 10:00", symbols);
  clock->advance(5min);
  int to_nxt = 0, to_krx = 0;
  for (const auto& s : symbols) {
    const auto [krx_bid, krx_ask] = m->top_of_book(s, venue::krx);
    const auto [nxt_bid, nxt_ask] = m->top_of_book(s, venue::nxt);
    const auto expect = m->info(s).nxt && nxt_ask < krx_ask ? venue::nxt : venue::krx;
    notices.clear();
    auto a = buy(s, 1, 0, venue::sor, "03"); // best limit: at the chosen book's ask
    ASSERT_TRUE(a.v.ok) << s << ": " << a.v.msg1;
    ASSERT_FALSE(notices.empty());
    const auto went = kis::venue_of(notices.front().executed_on);
    EXPECT_EQ(went, expect) << s;
    EXPECT_EQ(notices.front().executed_on,
              expect == venue::nxt ? kis::exec_venue::sor_nxt : kis::exec_venue::sor_krx);
    (went == venue::nxt ? to_nxt : to_krx) += 1;
  }
  EXPECT_GT(to_nxt, 0);
  EXPECT_GT(to_krx, 0);
  // Every SOR order is listed as SOR, not under the venue it went to.
  EXPECT_EQ(ex->fills_page(today(kis::venue_scope::sor), 0, 100).rows.size(), symbols.size());
  EXPECT_TRUE(ex->fills_page(today(kis::venue_scope::krx), 0, 100).rows.empty());
}

TEST_F(OnTheCalendar, OrdersExpireWithTheirSession) {
  open_at("2026-12-01 19:58");
  const auto low = lower_limit(m->info("005930").base_price);
  ASSERT_TRUE(buy("005930", 3, low, venue::nxt).v.ok);
  ASSERT_TRUE(buy("005930", 2, low, venue::krx).v.ok);
  EXPECT_EQ(ex->revisable_page(0, 50).rows.size(), 2u);
  advance(3min); // past 20:00: both sessions end
  auto rows = ex->fills_page(today(), 0, 50).rows;
  ASSERT_EQ(rows.size(), 2u);
  for (const auto& r : rows) {
    EXPECT_EQ(r.remaining_qty, 0) << r.order_no;
    EXPECT_EQ(r.expired_qty, r.order_qty);
    EXPECT_EQ(r.filled_qty, 0);
  }
  EXPECT_TRUE(ex->revisable_page(0, 50).rows.empty());
  EXPECT_EQ(ex->orderable_cash(), 100'000'000); // the reservation is released

  open_at("2026-12-01 10:00");
  ASSERT_TRUE(buy("005930", 1, lower_limit(m->info("005930").base_price), venue::krx).v.ok);
  advance(5h); // 15:00: still the regular session
  EXPECT_EQ(ex->revisable_page(0, 50).rows.size(), 1u);
  advance(31min); // 15:31: a KRX day order ends with the closing auction
  EXPECT_TRUE(ex->revisable_page(0, 50).rows.empty());
}

TEST_F(OnTheCalendar, AMarketOrderInTheAuctionWaitsForTheOpen) {
  open_at("2026-12-01 08:59:50");
  auto a = buy("005930", 2, 0, venue::krx, "01");
  ASSERT_TRUE(a.v.ok) << a.v.msg1;
  ASSERT_EQ(notices.size(), 1u); // the ack only: no trading in the auction
  advance(15s);
  ASSERT_EQ(notices.size(), 2u);
  EXPECT_TRUE(notices[1].is_fill);
  EXPECT_EQ(notices[1].qty, 2);
  EXPECT_EQ(notices[1].price, m->last_price("005930"));
}

TEST_F(OnTheCalendar, SessionsRefuseWhatTheyDoNotTake) {
  open_at("2026-12-01 16:30"); // KRX and NXT after-markets
  auto market_krx = buy("005930", 1, 0, venue::krx, "01");
  EXPECT_EQ(market_krx.v.msg_cd, "APBK3013");
  EXPECT_EQ(market_krx.v.msg1, "[애프터마켓]지정가 및 최유리/최우선지정가 주문만 가능합니다.");
  EXPECT_EQ(buy("005930", 1, 0, venue::nxt, "01").v.msg_cd, "APBK3013");
  EXPECT_TRUE(buy("005930", 1, m->last_price("005930"), venue::krx).v.ok);
  EXPECT_EQ(buy(not_on_nxt(), 1, 1'000, venue::nxt).v.msg_cd, "40390000");

  open_at("2026-12-01 08:10"); // NXT's pre-market; KRX shut
  EXPECT_EQ(buy("005930", 1, m->last_price("005930"), venue::krx).v.msg_cd, "40580000");
  EXPECT_EQ(buy("005930", 1, 0, venue::nxt, "01").v.msg1,
            "[프리마켓]지정가 및 최유리/최우선지정가 주문만 가능합니다.");
  notices.clear();
  ASSERT_TRUE(buy("005930", 1, 0, venue::sor, "04").v.ok); // SOR: to the venue that is open
  EXPECT_EQ(notices.front().executed_on, kis::exec_venue::sor_nxt);
  EXPECT_EQ(buy(not_on_nxt(), 1, 0, venue::sor, "04").v.msg_cd, "40580000"); // KRX: shut

  open_at("2026-12-01 10:00");
  // Nextrade never takes market orders; what it answers in its main session is a guess.
  EXPECT_EQ(buy("005930", 1, 0, venue::nxt, "01").v.msg_cd, "APBK1943");
  EXPECT_TRUE(buy("005930", 1, 0, venue::krx, "01").v.ok);
  open_at("2026-12-05 10:00"); // a Saturday
  EXPECT_EQ(buy("005930", 1, 0, venue::krx, "01").v.msg_cd, "40580000");
}

TEST_F(OnTheCalendar, ReviseAndCancelNeedTheOriginalVenue) {
  open_at("2026-12-01 10:00");
  const auto low = lower_limit(m->info("005930").base_price);
  auto nxt = buy("005930", 2, low, venue::nxt);
  auto sor = buy("005930", 2, low, venue::sor);
  ASSERT_TRUE(nxt.v.ok && sor.v.ok);
  auto cancel = [&](const order_answer& a, venue v) {
    return ex->revise(
        {"TTTC0013U", "50000000", "01", a.org_no, a.order_no, "00", true, true, 0, 0, v});
  };
  EXPECT_EQ(cancel(nxt, venue::krx).v.msg_cd, "40410000");
  EXPECT_TRUE(cancel(nxt, venue::nxt).v.ok);
  EXPECT_TRUE(cancel(sor, venue::sor).v.ok);
  auto rows = ex->fills_page(today(), 0, 50).rows;
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].route, venue::sor); // the SOR cancel record, newest first
  EXPECT_EQ(rows[1].route, venue::nxt);
}

TEST_F(OnTheCalendar, PaperTakesKrxOnly) {
  open_at("2026-12-01 10:00", {"005930"}, true);
  EXPECT_EQ(buy("005930", 1, 0, venue::nxt, "03").v.msg_cd, "40570000");
  EXPECT_EQ(buy("005930", 1, 0, venue::sor, "03").v.msg_cd, "40570000");
  auto krx = buy("005930", 1, lower_limit(m->info("005930").base_price), venue::krx);
  ASSERT_TRUE(krx.v.ok);
  EXPECT_EQ(krx.v.msg_cd, "40600000");
  EXPECT_EQ(ex->revise({"VTTC0013U", "50000000", "01", krx.org_no, krx.order_no, "00", true, true,
                        0, 0, venue::nxt})
                .v.msg_cd,
            "40570000");
}

} // namespace
