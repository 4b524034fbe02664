// The Nextrade and combined real-time TRs (KIS-PROTOCOL.md §9.5) on golden frames: trades in
// the 46-field layout of H0STCNT0, books of 65 fields (59 + KMID_* + NMID_*), notices with
// ORD_EXG_GB. No live NXT capture is public: these frames follow the official column lists
// (open-trading-api ccnl_nxt.py / asking_price_nxt.py / *_total.py) field by field, with the
// values of the KRX captures of §8 moved to plausible NXT figures.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "frame_helpers.hpp"
#include "kis/realtime_frames.hpp"

namespace {

using namespace kis;
using namespace kis::api;

// H0NXCNT0, one record: 005930 at 12:10:05, 250,400 KRW, 3 shares, field 21 CNTG_CLS_CODE 5.
const std::string golden_nxt_trade =
    "0|H0NXCNT0|001|005930^121005^250400^5^-19600^-7.26^250611.37^251000^251500^249500^250500^"
    "250400^3^412870^103467210500^5120^4870^-250^95.12^201334^191522^5^48.75^6.12^"
    "080012^5^-600^081540^5^-1100^113002^2^900^20260724^20^N^310^1280^18201^20456^0.01^"
    "398211^103.68^0^^251000";

// H0NXASP0, two records of 65 fields: 59 documented, then KMID_PRC, KMID_TOTAL_RSQN,
// KMID_CLS_CODE, NMID_PRC, NMID_TOTAL_RSQN, NMID_CLS_CODE.
const std::string nxt_book_record =
    "005930^193012^0^250500^251000^251500^252000^252500^253000^253500^254000^254500^255000^"
    "250000^249500^249000^248500^248000^247500^247000^246500^246000^245500^1200^800^650^900^"
    "300^410^220^180^95^60^1500^900^700^430^390^280^150^120^80^40^4815^4590^0^0^0^0^0^0^3^"
    "0.00^412870^15^-20^0^0^0^250250^0^1^250250^120^1";

// The combined book (H0UNASP0) has the same 65 fields; its levels merge both venues.
const std::string un_book_record =
    "000660^101500^0^215000^215500^216000^216500^217000^217500^218000^218500^219000^219500^"
    "214500^214000^213500^213000^212500^212000^211500^211000^210500^210000^5100^6200^7300^"
    "8400^9500^1600^2700^3800^4900^5000^6100^7200^8300^9400^1500^2600^3700^4800^5900^6000^"
    "54500^55500^0^0^0^0^0^0^3^0.00^1234567^150^-75^0^0^0^214750^30^1^214750^12^1";

using kis::api::test::fields_in;
using kis::api::test::join;
using kis::api::test::notice_26;
using kis::api::test::payload_of;

TEST(VenueTrs, NamesAndFamilies) {
  EXPECT_EQ(tr_id_of(feed_channel::trades, market_code::nxt, false), "H0NXCNT0");
  EXPECT_EQ(tr_id_of(feed_channel::book, market_code::nxt, false), "H0NXASP0");
  EXPECT_EQ(tr_id_of(feed_channel::trades, market_code::combined, false), "H0UNCNT0");
  EXPECT_EQ(tr_id_of(feed_channel::book, market_code::combined, false), "H0UNASP0");
  EXPECT_EQ(tr_id_of(feed_channel::book, market_code::krx, true), "H0STASP0");
  EXPECT_EQ(tr_id_of(feed_channel::notices, market_code::nxt, true), "H0STCNI9");
  EXPECT_EQ(tr_id_of(feed_channel::trades, true), "H0STCNT0");
  auto d = describe_tr("H0UNASP0");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->channel, feed_channel::book);
  EXPECT_EQ(d->market, market_code::combined);
  EXPECT_EQ(describe_tr("H0NXCNT0")->market, market_code::nxt);
  EXPECT_EQ(describe_tr("H0STCNI9")->channel, feed_channel::notices);
  EXPECT_FALSE(describe_tr("H0NXMKO0")); // market status: not spoken
  EXPECT_FALSE(describe_tr(""));
}

TEST(VenueTrs, NextradeTradeParsesLikeKrxAndSaysItsMarket) {
  auto f = split_frame(golden_nxt_trade);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->tr_id, "H0NXCNT0");
  EXPECT_EQ(fields_in(payload_of(golden_nxt_trade)), trade_fields);
  std::vector<trade_tick> out;
  auto n = parse_trades(f->payload, f->count, 5, out, describe_tr(f->tr_id)->market);
  ASSERT_TRUE(n) << n.error().message;
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].market, market_code::nxt);
  EXPECT_EQ(out[0].price, 250400);
  EXPECT_EQ(out[0].qty, 3);
  EXPECT_EQ(out[0].side, aggressor::sell); // CNTG_CLS_CODE 5
  EXPECT_EQ(out[0].acc_volume, 412870);
  // A combined frame of two records parses into two ticks stamped combined.
  const auto rec = payload_of(golden_nxt_trade);
  const std::string un = "0|H0UNCNT0|002|" + rec + "^" + rec;
  auto g = split_frame(un);
  ASSERT_TRUE(g);
  std::vector<trade_tick> both;
  ASSERT_TRUE(parse_trades(g->payload, g->count, 0, both, market_code::combined));
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[1].market, market_code::combined);
}

TEST(VenueTrs, SixtyFiveFieldBooksCarryBothMidPrices) {
  ASSERT_EQ(fields_in(nxt_book_record), book_fields_nxt);
  const std::string frame = "0|H0NXASP0|002|" + nxt_book_record + "^" + nxt_book_record;
  auto f = split_frame(frame);
  ASSERT_TRUE(f);
  std::vector<order_book> out;
  auto n = parse_books(f->payload, f->count, "20260724", 9, out, market_code::nxt);
  ASSERT_TRUE(n) << n.error().message;
  ASSERT_EQ(out.size(), 2u);
  const auto& b = out[0];
  EXPECT_EQ(b.market, market_code::nxt);
  EXPECT_EQ(b.asks.at(0).price, 250500);
  EXPECT_EQ(b.bids.at(0).price, 250000);
  EXPECT_EQ(b.asks.at(0).qty, 1200);
  EXPECT_EQ(b.bids.at(9).qty, 40);
  EXPECT_EQ(b.total_ask_qty, 4815);
  EXPECT_EQ(b.total_bid_qty, 4590);
  EXPECT_EQ(b.acc_volume, 412870);
  EXPECT_EQ(b.krx_mid_price, 250250);
  EXPECT_EQ(b.nxt_mid_price, 250250);
  EXPECT_EQ(b.received_ns, 9);

  ASSERT_EQ(fields_in(un_book_record), book_fields_nxt);
  std::vector<order_book> un;
  ASSERT_TRUE(parse_books(un_book_record, 1, "20260724", 0, un, market_code::combined));
  EXPECT_EQ(un.at(0).market, market_code::combined);
  EXPECT_EQ(un.at(0).symbol, "000660");
  EXPECT_EQ(un.at(0).krx_mid_price, 214750);
  EXPECT_EQ(un.at(0).nxt_mid_price, 214750);
}

TEST(VenueTrs, TheWidthDecidesWhichMidsArePresent) {
  // 59 documented fields: no mids; 62: KMID only. The record is cut from the 65-field one.
  std::string rec59 = nxt_book_record;
  for (int i = 0; i < 6; ++i)
    rec59.erase(rec59.rfind('^'));
  ASSERT_EQ(fields_in(rec59), book_fields);
  std::string rec62 = rec59 + "^250250^0^1";
  std::vector<order_book> out;
  ASSERT_TRUE(parse_books(rec59, 1, "20260724", 0, out));
  ASSERT_TRUE(parse_books(rec62, 1, "20260724", 0, out));
  EXPECT_EQ(out[0].krx_mid_price, 0);
  EXPECT_EQ(out[0].market, market_code::krx);
  EXPECT_EQ(out[1].krx_mid_price, 250250);
  EXPECT_EQ(out[1].nxt_mid_price, 0);
  // An unreadable mid (its place is inferred on H0STASP0) costs the mid, not the book.
  std::string odd = rec59 + "^n/a^0^1";
  ASSERT_TRUE(parse_books(odd, 1, "20260724", 0, out));
  EXPECT_EQ(out[2].krx_mid_price, 0);
  EXPECT_EQ(out[2].asks.at(0).price, 250500);
}

TEST(VenueTrs, BrokenNextradeBooksNameTheirTr) {
  std::string rec = nxt_book_record;
  rec.replace(rec.find("^250500^"), 8, "^25x500^");
  std::vector<order_book> out;
  auto n = parse_books(rec, 1, "20260724", 0, out, market_code::nxt);
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().code, errc::malformed);
  EXPECT_EQ(n.error().message, "H0NXASP0: field 3 (ASKP) is not valid");
  EXPECT_TRUE(out.empty());
  // 65 fields do not split into 2 records of the frame's count 2 when one is short.
  std::string uneven = nxt_book_record + "^" + rec.substr(0, rec.rfind('^'));
  auto u = parse_books(uneven, 2, "20260724", 0, out, market_code::combined);
  ASSERT_FALSE(u);
  EXPECT_NE(u.error().message.find("H0UNASP0"), std::string::npos);
}

TEST(VenueTrs, NoticesSayWhereTheOrderExecuted) {
  std::vector<execution_notice> out;
  for (auto code : {"1", "2", "3", "4", "", "7"})
    ASSERT_TRUE(parse_notices(join(notice_26(code)), 1, 0, out));
  ASSERT_EQ(out.size(), 6u);
  EXPECT_EQ(out[0].executed_on, exec_venue::krx);
  EXPECT_EQ(out[1].executed_on, exec_venue::nxt);
  EXPECT_EQ(out[2].executed_on, exec_venue::sor_krx);
  EXPECT_EQ(out[3].executed_on, exec_venue::sor_nxt);
  EXPECT_EQ(out[4].executed_on, exec_venue::unknown);
  EXPECT_EQ(out[5].executed_on, exec_venue::unknown); // unknown code: the fill still counts
  EXPECT_TRUE(out[5].is_fill);
  EXPECT_EQ(out[5].qty, 10);
}

} // namespace
