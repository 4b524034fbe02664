// The executor's book of open orders on its own: lookup by client id and ODNO, matching KIS's
// reports to orders of unknown outcome, parked notices, and fill figures that count a fill
// once however often (and by which path) it is reported.
#include <gtest/gtest.h>

#include <string>

#include "actors/trading/open_orders.hpp"

namespace {

using kis::order_status;
using kis::side;

kis::tracked_order order(const std::string& cid, const std::string& order_no = "",
                         order_status st = order_status::sent, std::int64_t qty = 10,
                         std::int64_t price = 70000, const std::string& symbol = "005930",
                         side dir = side::buy) {
  kis::tracked_order o;
  o.e.client_id = cid;
  o.e.order_no = order_no;
  o.e.status = st;
  o.e.qty = qty;
  o.e.price = price;
  o.e.symbol = symbol;
  o.e.dir = dir;
  o.e.trading_day = 20240102;
  o.e.intent_time = "100000";
  return o;
}

kis::execution_notice notice(const std::string& order_no, std::int64_t qty) {
  kis::execution_notice n;
  n.order_no = order_no;
  n.qty = qty;
  n.is_fill = true;
  return n;
}

TEST(OpenOrders, FindsByClientIdAndOrderNumber) {
  kis::open_orders book;
  EXPECT_TRUE(book.empty());
  book.add(order("c1", "0001"));
  book.add(order("c2")); // no order number yet
  EXPECT_EQ(book.size(), 2u);
  ASSERT_NE(book.find("c1"), nullptr);
  EXPECT_EQ(book.find("nope"), nullptr);
  EXPECT_TRUE(book.known("0001"));
  EXPECT_FALSE(book.known("0002"));
  ASSERT_NE(book.by_order_no("0001"), nullptr);
  EXPECT_EQ(book.by_order_no("0001")->e.client_id, "c1");

  auto* c2 = book.find("c2");
  c2->e.order_no = "0002";
  book.index(*c2);
  EXPECT_TRUE(book.known("0002"));
  EXPECT_EQ(book.by_order_no("0002"), c2);
}

TEST(OpenOrders, ErasedOrderStaysKnownButIsNotOpen) {
  kis::open_orders book;
  book.add(order("c1", "0001"));
  book.erase("c1");
  EXPECT_TRUE(book.empty());
  EXPECT_EQ(book.find("c1"), nullptr);
  EXPECT_TRUE(book.known("0001")); // later reports about it are ignored, not matched anew
  EXPECT_EQ(book.by_order_no("0001"), nullptr);
}

TEST(OpenOrders, FinalStatuses) {
  EXPECT_TRUE(kis::final_status(order_status::filled));
  EXPECT_TRUE(kis::final_status(order_status::cancelled));
  EXPECT_TRUE(kis::final_status(order_status::rejected));
  EXPECT_FALSE(kis::final_status(order_status::sent));
  EXPECT_FALSE(kis::final_status(order_status::partially_filled));
  EXPECT_FALSE(kis::final_status(order_status::unknown));
  EXPECT_FALSE(kis::final_status(order_status::journaled));
}

TEST(OpenOrders, MatchesReportsOnlyToUnknownOrdersThatFit) {
  kis::open_orders book;
  book.add(order("sent", "0001", order_status::sent));
  book.add(order("u1", "", order_status::unknown));
  EXPECT_TRUE(book.any_unknown());
  auto* m = book.match_unknown("005930", side::buy, 10, 70000, "");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->e.client_id, "u1");
  // Symbol, side, quantity and price must all fit.
  EXPECT_EQ(book.match_unknown("000660", side::buy, 10, 70000, ""), nullptr);
  EXPECT_EQ(book.match_unknown("005930", side::sell, 10, 70000, ""), nullptr);
  EXPECT_EQ(book.match_unknown("005930", side::buy, 9, 70000, ""), nullptr);
  EXPECT_EQ(book.match_unknown("005930", side::buy, 10, 69900, ""), nullptr);
}

TEST(OpenOrders, MarketOrderMatchesAnyPrice) {
  kis::open_orders book;
  book.add(order("u1", "", order_status::unknown, 10, 0));
  EXPECT_NE(book.match_unknown("005930", side::buy, 10, 70100, ""), nullptr);
}

TEST(OpenOrders, ReportPlacedBeforeOurIntentIsNotOurs) {
  kis::open_orders book;
  book.add(order("u1", "", order_status::unknown)); // intent at 10:00:00
  EXPECT_EQ(book.match_unknown("005930", side::buy, 10, 70000, "095859"), nullptr);
  EXPECT_NE(book.match_unknown("005930", side::buy, 10, 70000, "095900"), nullptr); // clock skew
  EXPECT_NE(book.match_unknown("005930", side::buy, 10, 70000, "100005"), nullptr);
}

TEST(OpenOrders, OldestUnknownMatchesFirst) { // client ids grow with age
  kis::open_orders book;
  book.add(order("c-002", "", order_status::unknown));
  book.add(order("c-001", "", order_status::unknown));
  auto* m = book.match_unknown("005930", side::buy, 10, 70000, "");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->e.client_id, "c-001");
}

TEST(OpenOrders, ParkedNoticesComeBackOncePerOrderNumber) {
  kis::open_orders book;
  book.park(notice("0001", 3));
  book.park(notice("0002", 1));
  book.park(notice("0001", 2));
  auto mine = book.take_parked("0001");
  ASSERT_EQ(mine.size(), 2u);
  EXPECT_EQ(mine[0].qty, 3);
  EXPECT_EQ(mine[1].qty, 2);
  EXPECT_TRUE(book.take_parked("0001").empty());
  EXPECT_EQ(book.take_parked("0002").size(), 1u);
}

TEST(OpenOrders, ParkingIsBounded) {
  kis::open_orders book;
  for (int i = 0; i < 1500; ++i)
    book.park(notice("0001", 1));
  EXPECT_EQ(book.take_parked("0001").size(), 1000u);
}

TEST(OpenOrders, FillSeenAsNoticeAndInCcldCountsOnce) {
  auto o = order("c1", "0001");
  auto counted = [&o](std::int64_t delta) {
    o.e.filled_qty += delta > 0 ? delta : 0; // what the executor records
    return delta;
  };
  EXPECT_EQ(counted(kis::open_orders::fill_from_notice(o, 3)), 3);
  EXPECT_EQ(counted(kis::open_orders::fill_from_ccld(o, 3)), 0);   // the same 3 units
  EXPECT_EQ(counted(kis::open_orders::fill_from_ccld(o, 5)), 2);   // 2 the notices missed
  EXPECT_EQ(counted(kis::open_orders::fill_from_notice(o, 2)), 0); // their late notice
  EXPECT_EQ(counted(kis::open_orders::fill_from_ccld(o, 4)), 0);   // an older cumulative
  EXPECT_EQ(counted(kis::open_orders::fill_from_notice(o, 1)), 1);
  EXPECT_EQ(o.e.filled_qty, 6);
  EXPECT_EQ(o.notice_filled, 6);
  EXPECT_EQ(o.ccld_filled, 5);
}

TEST(OpenOrders, PendingAndEarliestDay) {
  kis::open_orders book;
  auto a = order("c1", "0001", order_status::partially_filled, 10);
  a.e.filled_qty = 4;
  a.e.trading_day = 20231229;
  book.add(a);
  book.add(order("c2", "0002", order_status::sent, 5, 70000, "005930", side::sell));
  book.add(order("c3", "0003", order_status::sent, 7, 70000, "000660"));
  kis::exposure x;
  book.add_pending("005930", x);
  EXPECT_EQ(x.pending_buy, 6);
  EXPECT_EQ(x.pending_sell, 5);
  EXPECT_EQ(book.earliest_day(20240102), 20231229);
  EXPECT_EQ(kis::open_orders{}.earliest_day(20240102), 20240102);
}

} // namespace
