// The real-time frame parser on the captured frames of KIS-PROTOCOL.md §8, multi-record
// frames, both notice layouts, and malformed input: typed errors, never a crash.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "frame_helpers.hpp"
#include "kis/realtime_frames.hpp"

namespace {

using namespace kis;
using namespace kis::api;

// Verbatim from KIS-PROTOCOL.md §8.
const std::string captured_trade =
    "0|H0STCNT0|001|005930^115214^250500^5^-19500^-7.22^257548.62^266000^266500^248500^250500^"
    "250000^2^11701513^3013709268750^113664^103131^-10533^60.51^7129195^4313943^1^0.37^73.08^"
    "090025^5^-15500^090025^5^-16000^114825^2^2000^20260724^20^N^8930^67892^101158^466092^0.20^"
    "8331745^140.44^0^^266000";
const std::string captured_book =
    "0|H0STASP0|001|005930^145856^0^358500^359000^359500^360000^360500^361000^361500^362000^"
    "362500^363000^358000^357500^357000^356500^356000^355500^355000^354500^354000^353500^53949^"
    "91247^124706^311138^36136^50040^21635^48345^14697^44313^40154^39078^38644^26290^25867^9410^"
    "17975^5281^14389^10406^796206^227494^0^0^0^0^529267^-346500^5^-100.00^25970877^-979^95^0^0^"
    "0^358250^4^1";

using kis::api::test::fields_in;
using kis::api::test::join;
using kis::api::test::notice_26;
using kis::api::test::payload_of;

std::vector<std::string> notice_23() {
  return {"hts1",   "12345678", "0000012346", "",       "01", "0",        "00",   "0",
          "005930", "5",        "",           "093016", "0",  "1",        "1",    "06590",
          "5",      "홍길동",   "삼성전자",   "",       "",   "삼성전자", "70000"};
}

TEST(SplitFrame, SplitsCapturedTradeFrame) {
  auto f = split_frame(captured_trade);
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_FALSE(f->encrypted);
  EXPECT_EQ(f->tr_id, "H0STCNT0");
  EXPECT_EQ(f->count, 1u);
  EXPECT_EQ(f->payload.substr(0, 13), "005930^115214");
  EXPECT_EQ(f->payload.data(), captured_trade.data() + 15); // a view into the frame, no copy
  EXPECT_EQ(classify(captured_trade), frame_kind::data);
  EXPECT_EQ(classify("{\"header\":{}}"), frame_kind::control);
  EXPECT_EQ(classify("x"), frame_kind::unknown);
}

TEST(ParseTrades, CapturedFrameHas46FieldsAndSignedChanges) {
  auto f = split_frame(captured_trade);
  ASSERT_TRUE(f);
  std::vector<trade_tick> out;
  auto n = parse_trades(f->payload, f->count, 77, out);
  ASSERT_TRUE(n) << n.error().message;
  ASSERT_EQ(out.size(), 1u);
  const auto& t = out[0];
  EXPECT_EQ(t.symbol, "005930");
  EXPECT_EQ(t.price, 250500);
  EXPECT_EQ(t.change, -19500); // already signed; sign code 5 is not applied again
  EXPECT_EQ(t.sign, price_sign::down);
  EXPECT_EQ(t.vwap, 257548);
  EXPECT_EQ(t.open, 266000);
  EXPECT_EQ(t.high, 266500);
  EXPECT_EQ(t.low, 248500);
  EXPECT_EQ(t.ask1, 250500);
  EXPECT_EQ(t.bid1, 250000);
  EXPECT_EQ(t.qty, 2);
  EXPECT_EQ(t.acc_volume, 11701513);
  EXPECT_EQ(t.acc_turnover, 3013709268750);
  EXPECT_EQ(t.side, aggressor::buy);
  EXPECT_EQ(t.session, "20");
  EXPECT_FALSE(t.halted);
  EXPECT_EQ(t.received_ns, 77);
  // 2026-07-24 11:52:14 KST == 02:52:14 UTC
  EXPECT_EQ(t.exchange_ns, 1'784'861'534'000'000'000);
}

TEST(ParseTrades, FourRecordFrame) {
  auto rec = payload_of(captured_trade);
  std::string frame = "0|H0STCNT0|004|";
  for (auto sym : {"005930", "000660", "035420", "051910"}) {
    if (frame.back() != '|')
      frame += '^';
    frame += sym + rec.substr(6);
  }
  auto f = split_frame(frame);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->count, 4u);
  std::vector<trade_tick> out;
  auto n = parse_trades(f->payload, f->count, 0, out);
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(*n, 4u);
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[1].symbol, "000660");
  EXPECT_EQ(out[3].symbol, "051910");
  EXPECT_EQ(out[3].acc_volume, 11701513);
}

TEST(ParseTrades, LargeFramesBeyondTheStackBufferParse) {
  // 30 records x 46 fields: past the separators kept on the stack.
  auto rec = payload_of(captured_trade);
  std::string payload = rec;
  for (int i = 1; i < 30; ++i)
    payload += "^" + rec;
  std::vector<trade_tick> out;
  auto n = parse_trades(payload, 30, 0, out);
  ASSERT_TRUE(n) << n.error().message;
  ASSERT_EQ(out.size(), 30u);
  EXPECT_EQ(out[29].acc_volume, 11701513);
}

TEST(ParseTrades, ExtraTrailingFieldsPerRecordAreIgnored) {
  auto rec = payload_of(captured_trade) + "^extra1^extra2";
  std::vector<trade_tick> out;
  auto n = parse_trades(rec + "^" + rec, 2, 0, out);
  ASSERT_TRUE(n) << n.error().message;
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].price, 250500);
}

TEST(ParseBooks, Captured62FieldFrame) {
  auto f = split_frame(captured_book);
  ASSERT_TRUE(f);
  std::vector<order_book> out;
  auto n = parse_books(f->payload, f->count, "20260724", 5, out);
  ASSERT_TRUE(n) << n.error().message;
  ASSERT_EQ(out.size(), 1u);
  const auto& b = out[0];
  EXPECT_EQ(b.symbol, "005930");
  EXPECT_EQ(b.hour_class, "0");
  ASSERT_EQ(b.asks.size(), 10u);
  ASSERT_EQ(b.bids.size(), 10u);
  EXPECT_EQ(b.asks[0].price, 358500);
  EXPECT_EQ(b.asks[0].qty, 53949);
  EXPECT_EQ(b.asks[9].price, 363000);
  EXPECT_EQ(b.bids[0].price, 358000);
  EXPECT_EQ(b.bids[0].qty, 40154);
  EXPECT_EQ(b.asks[6].qty, 21635);
  EXPECT_EQ(b.bids[9].qty, 10406);
  EXPECT_EQ(b.total_ask_qty, 796206);
  EXPECT_EQ(b.total_bid_qty, 227494);
  EXPECT_EQ(b.acc_volume, 25970877);
  EXPECT_EQ(b.expected_price, 0); // regular session: expected-* fields are not read
  EXPECT_EQ(b.expected_qty, 0);
  EXPECT_EQ(b.exchange_ns, 1'784'872'736'000'000'000); // 14:58:56 KST
}

TEST(ParseBooks, FiftyNineFieldsAreEnoughFiftyEightAreNot) {
  auto p = payload_of(captured_book);
  auto cut = [&](std::size_t fields) {
    std::size_t pos = 0;
    for (std::size_t i = 0; i < fields; ++i)
      pos = p.find('^', pos) + 1;
    return p.substr(0, pos - 1);
  };
  std::vector<order_book> out;
  EXPECT_TRUE(parse_books(cut(59), 1, "20260724", 0, out));
  auto short_one = parse_books(cut(58), 1, "20260724", 0, out);
  ASSERT_FALSE(short_one);
  EXPECT_EQ(short_one.error().code, errc::malformed);
  EXPECT_EQ(out.size(), 1u);
}

TEST(ParseNotices, CurrentAndOlderLayoutsByFieldCount) {
  std::vector<execution_notice> out;
  auto n = parse_notices(join(notice_26()), 1, 3, out);
  ASSERT_TRUE(n) << n.error().message;
  n = parse_notices(join(notice_23()), 1, 4, out);
  ASSERT_TRUE(n) << n.error().message;
  ASSERT_EQ(out.size(), 2u);
  const auto& fill = out[0];
  EXPECT_EQ(fill.hts_id, "hts1");
  EXPECT_EQ(fill.order_no, "0000012345");
  EXPECT_EQ(fill.dir, side::buy);
  EXPECT_EQ(fill.symbol, "005930");
  EXPECT_TRUE(fill.is_fill);
  EXPECT_EQ(fill.qty, 10);
  EXPECT_EQ(fill.price, 70100);
  EXPECT_EQ(fill.time, "093015");
  EXPECT_EQ(fill.accept_state, 2);
  EXPECT_EQ(fill.order_qty, 10);
  EXPECT_EQ(fill.name, "삼성전자");
  EXPECT_EQ(fill.order_price, 70100);
  const auto& ack = out[1];
  EXPECT_EQ(ack.dir, side::sell);
  EXPECT_FALSE(ack.is_fill);
  EXPECT_EQ(ack.price, 0); // blank on an ack
  EXPECT_EQ(ack.name, "삼성전자");
  EXPECT_EQ(ack.order_price, 70000);
  EXPECT_EQ(ack.received_ns, 4);
}

TEST(ParseNotices, TwoRecordsInOneFrame) {
  std::vector<execution_notice> out;
  auto n = parse_notices(join(notice_26()) + "^" + join(notice_26()), 2, 0, out);
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(out.size(), 2u);
}

TEST(ParseNotices, BadSideIsTypedErrorWithoutPersonalData) {
  auto f = notice_26();
  f[4] = "07";
  std::vector<execution_notice> out;
  auto n = parse_notices(join(f), 1, 0, out);
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().code, errc::malformed);
  EXPECT_EQ(n.error().message.find("hts1"), std::string::npos);
  EXPECT_EQ(n.error().message.find("12345678"), std::string::npos);
  EXPECT_TRUE(out.empty());
}

struct malformed_case {
  const char* name;
  std::string frame;
};

TEST(Malformed, EveryBadFrameIsATypedError) {
  auto p = payload_of(captured_trade);
  std::vector<malformed_case> cases = {
      {"no payload", "0|H0STCNT0|001|"},
      {"two parts", "0|H0STCNT0"},
      {"count not three digits", "0|H0STCNT0|01|" + p},
      {"count not numeric", "0|H0STCNT0|0a1|" + p},
      {"count zero", "0|H0STCNT0|000|" + p},
      {"bad flag", "2|H0STCNT0|001|" + p},
      {"wrong count", "0|H0STCNT0|002|" + p},
      {"indivisible", "0|H0STCNT0|002|" + p + "^x"},
      {"truncated", "0|H0STCNT0|001|" + p.substr(0, p.size() / 2)},
      {"non-numeric price", "0|H0STCNT0|001|005930^115214^25O500" + p.substr(20)},
      {"bad date", "0|H0STCNT0|001|" + std::string{p}.replace(p.find("20260724"), 8, "20261340")},
      {"bad time", "0|H0STCNT0|001|005930^1152" + p.substr(13)},
      // Found by realtime_frames_fuzz: a date past 2262 overflowed the nanosecond clock.
      {"date past 2262",
       "0|H0STCNT0|001|" + std::string{p}.replace(p.find("20260724"), 8, "60260724")},
  };
  for (const auto& c : cases) {
    std::vector<trade_tick> out;
    auto f = split_frame(c.frame);
    if (!f) {
      EXPECT_EQ(f.error().code, errc::malformed) << c.name;
      continue;
    }
    auto n = parse_trades(f->payload, f->count, 0, out);
    ASSERT_FALSE(n) << c.name;
    EXPECT_EQ(n.error().code, errc::malformed) << c.name;
    EXPECT_FALSE(n.error().message.empty()) << c.name;
    EXPECT_TRUE(out.empty()) << c.name;
  }
}

TEST(Malformed, PrefixesWithTooFewFieldsFailAndNothingCrashes) {
  // A cut inside the last fields may still hold every documented field: that parses.
  for (std::size_t len = 0; len < captured_trade.size(); ++len) {
    auto f = split_frame(std::string_view{captured_trade.data(), len});
    if (!f)
      continue;
    std::vector<trade_tick> out;
    auto n = parse_trades(f->payload, f->count, 0, out);
    if (fields_in(f->payload) < trade_fields) {
      EXPECT_FALSE(n) << len;
    }
  }
  for (std::size_t len = 0; len < captured_book.size(); ++len) {
    auto f = split_frame(std::string_view{captured_book.data(), len});
    if (!f)
      continue;
    std::vector<order_book> out;
    auto n = parse_books(f->payload, f->count, "20260724", 0, out);
    if (fields_in(f->payload) < book_fields) {
      EXPECT_FALSE(n) << len;
    }
  }
}

TEST(TrIds, ChannelsMapToTrIds) {
  EXPECT_EQ(tr_id_of(feed_channel::trades, false), "H0STCNT0");
  EXPECT_EQ(tr_id_of(feed_channel::book, true), "H0STASP0");
  EXPECT_EQ(tr_id_of(feed_channel::notices, false), "H0STCNI0");
  EXPECT_EQ(tr_id_of(feed_channel::notices, true), "H0STCNI9");
  EXPECT_TRUE(is_notice_tr("H0STCNI9"));
  EXPECT_FALSE(is_notice_tr("H0STCNT0"));
}

} // namespace
