// The simulator's frame encoder on its own: field counts and positions after KIS-PROTOCOL.md
// §6.7-6.9 and the §8 captures, notice encryption, and the control JSON both ways.
#include <cctype>
#include <random>
#include <span>
#include <stdexcept>

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "client_side.hpp"
#include "kis/kst.hpp"
#include "sim/frames.hpp"

namespace kis::sim {
namespace {

using test::split;

std::int64_t kst_ns(std::string_view date, std::string_view time) {
  auto r = api::kst::parse_date_time(date, time);
  EXPECT_TRUE(r.ok());
  return r.ok() ? *r : 0;
}

// The §8 H0STCNT0 capture's trade, as the market hands it over.
trade_tick captured_trade() {
  trade_tick t;
  t.symbol = "005930";
  t.exchange_ns = kst_ns("20260724", "115214");
  t.price = 250500;
  t.change = -19500;
  t.sign = price_sign::down;
  t.qty = 2;
  t.acc_volume = 11701513;
  t.acc_turnover = 3013709268750;
  t.vwap = 257548;
  t.open = 266000;
  t.high = 266500;
  t.low = 248500;
  t.ask1 = 250500;
  t.bid1 = 250000;
  t.side = aggressor::buy;
  t.session = "20";
  return t;
}

order_book ten_level_book() {
  order_book b;
  b.symbol = "005930";
  b.exchange_ns = kst_ns("20260724", "145856");
  b.hour_class = "0";
  for (std::int64_t i = 0; i < 10; ++i) {
    b.asks.push_back({358500 + 500 * i, 1000 + i});
    b.bids.push_back({358000 - 500 * i, 2000 + i});
  }
  b.total_ask_qty = 796206;
  b.total_bid_qty = 227494;
  b.acc_volume = 25970877;
  return b;
}

TEST(SimFrames, DataFrameHeaderHasThreeDigitCount) {
  EXPECT_EQ(frames::data_frame(false, "H0STCNT0", 4, "a^b"), "0|H0STCNT0|004|a^b");
  EXPECT_EQ(frames::data_frame(true, "H0STCNI9", 1, "QUJD"), "1|H0STCNI9|001|QUJD");
}

TEST(SimFrames, TradeRecordFollowsTheCapturedLayout) {
  auto book = ten_level_book();
  book.asks[0].qty = 8930;
  book.bids[0].qty = 67892;
  book.total_ask_qty = 101158;
  book.total_bid_qty = 466092;
  frames::trade_tape tape;
  std::string payload;
  const auto t = captured_trade();
  tape.append(payload, std::span{&t, 1}, &book);

  const auto f = split(payload, '^');
  ASSERT_EQ(f.size(), frames::trade_fields);
  EXPECT_EQ(f[0], "005930");
  EXPECT_EQ(f[1], "115214");
  EXPECT_EQ(f[2], "250500");
  EXPECT_EQ(f[3], "5");
  EXPECT_EQ(f[4], "-19500");
  EXPECT_EQ(f[5], "-7.22");
  EXPECT_EQ(f[7], "266000");
  EXPECT_EQ(f[8], "266500");
  EXPECT_EQ(f[9], "248500");
  EXPECT_EQ(f[10], "250500");
  EXPECT_EQ(f[11], "250000");
  EXPECT_EQ(f[12], "2");
  EXPECT_EQ(f[13], "11701513");
  EXPECT_EQ(f[14], "3013709268750");
  EXPECT_EQ(f[21], "1"); // buy-initiated
  EXPECT_EQ(f[25], "5");
  EXPECT_EQ(f[26], "-15500"); // versus the open, signed as in the capture
  EXPECT_EQ(f[29], "-16000");
  EXPECT_EQ(f[33], "20260724");
  EXPECT_EQ(f[34], "20");
  EXPECT_EQ(f[35], "N");
  EXPECT_EQ(f[36], "8930");
  EXPECT_EQ(f[37], "67892");
  EXPECT_EQ(f[38], "101158");
  EXPECT_EQ(f[39], "466092");
  EXPECT_EQ(f[43], "0");
  EXPECT_EQ(f[44], "");
  EXPECT_EQ(f[45], "266000");
}

TEST(SimFrames, TapeTalliesBuysAndSellsAcrossRecords) {
  frames::trade_tape tape;
  auto buy = captured_trade();
  auto sell = captured_trade();
  sell.side = aggressor::sell;
  sell.qty = 6;
  const std::vector<trade_tick> two{buy, sell};
  std::string payload;
  tape.append(payload, two, nullptr);

  const auto f = split(payload, '^');
  ASSERT_EQ(f.size(), 2 * frames::trade_fields);
  const auto* second = &f[frames::trade_fields];
  EXPECT_EQ(second[15], "1");     // sell trades
  EXPECT_EQ(second[16], "1");     // buy trades
  EXPECT_EQ(second[17], "0");     // net
  EXPECT_EQ(second[18], "33.33"); // 체결강도: buy volume / sell volume
  EXPECT_EQ(second[19], "6");     // sell volume
  EXPECT_EQ(second[20], "2");     // buy volume
  EXPECT_EQ(second[21], "5");     // sell-initiated
  EXPECT_EQ(second[36], "0");     // no book given
}

TEST(SimFrames, BookRecordHas59FieldsOr62WhenWide) {
  const auto book = ten_level_book();
  const auto narrow = split(frames::book_record(book, frames::book_fields, nullptr), '^');
  ASSERT_EQ(narrow.size(), frames::book_fields);
  EXPECT_EQ(narrow[0], "005930");
  EXPECT_EQ(narrow[1], "145856");
  EXPECT_EQ(narrow[2], "0");
  EXPECT_EQ(narrow[3], "358500");  // ASKP1
  EXPECT_EQ(narrow[12], "363000"); // ASKP10
  EXPECT_EQ(narrow[13], "358000"); // BIDP1
  EXPECT_EQ(narrow[23], "1000");   // ASKP_RSQN1
  EXPECT_EQ(narrow[33], "2000");   // BIDP_RSQN1
  EXPECT_EQ(narrow[43], "796206");
  EXPECT_EQ(narrow[44], "227494");
  EXPECT_EQ(narrow[53], "25970877");
  EXPECT_EQ(narrow[54], "0"); // no previous snapshot: no change

  auto later = book;
  later.total_ask_qty += 50;
  later.total_bid_qty -= 7;
  const auto wide = split(frames::book_record(later, frames::wide_book_fields, &book), '^');
  ASSERT_EQ(wide.size(), frames::wide_book_fields);
  EXPECT_EQ(wide[54], "50");
  EXPECT_EQ(wide[55], "-7");
  EXPECT_EQ(wide[59], "358250"); // KMID_PRC, the mid as in the capture
}

TEST(SimFrames, NextradeBooksHave65FieldsWithBothMids) {
  auto book = ten_level_book();
  book.krx_mid_price = 358300; // the KRX mid of a combined book, when the source knows it
  const auto f = split(frames::book_record(book, frames::nxt_book_fields, nullptr), '^');
  ASSERT_EQ(f.size(), frames::nxt_book_fields);
  EXPECT_EQ(f[3], "358500");
  EXPECT_EQ(f[59], "358300"); // KMID_PRC
  EXPECT_EQ(f[62], "358250"); // NMID_PRC: the book's own mid when none is given
  EXPECT_EQ(f[64], "1");
  EXPECT_EQ(frames::market_tr_of("H0NXASP0")->market, kis::market_code::nxt);
  EXPECT_TRUE(frames::market_tr_of("H0UNCNT0").has_value());
  EXPECT_FALSE(frames::market_tr_of("H0UNCNT0")->book);
  EXPECT_FALSE(frames::market_tr_of("H0STCNI0"));
  EXPECT_EQ(frames::tr_of(true, kis::market_code::combined), "H0UNASP0");
}

TEST(SimFrames, ShortBookIsPaddedWithZeros) {
  order_book b;
  b.symbol = "000660";
  b.asks = {{201000, 5}};
  const auto f = split(frames::book_record(b, frames::book_fields, nullptr), '^');
  ASSERT_EQ(f.size(), frames::book_fields);
  EXPECT_EQ(f[3], "201000");
  EXPECT_EQ(f[4], "0");
  EXPECT_EQ(f[13], "0");
  EXPECT_EQ(f[23], "5");
}

execution_notice sample_notice() {
  execution_notice n;
  n.hts_id = "simuser";
  n.account = "5012345601";
  n.order_no = "0000006555";
  n.orig_order_no = "";
  n.dir = side::buy;
  n.order_kind_code = "00";
  n.symbol = "005930";
  n.qty = 3;
  n.price = 70100;
  n.time = "101500";
  n.is_fill = true;
  n.accept_state = 2;
  n.branch = "06590";
  n.order_qty = 10;
  n.name = "삼성전자";
  n.order_price = 70100;
  return n;
}

TEST(SimFrames, NoticeEncryptsToTwentySixFields) {
  const auto plain = frames::notice_record(sample_notice(), "홍길동");
  const std::string key = "0123456789abcdefghijABCDEFGHIJ01";
  const std::string iv = "ivivivivivivivi1";
  const auto b64 = frames::encrypt(plain, key, iv);
  EXPECT_EQ(b64.find('^'), std::string::npos);

  const auto back = test::decrypt_notice(b64, key, iv);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, plain);
  const auto f = split(*back, '^');
  ASSERT_EQ(f.size(), frames::notice_fields);
  EXPECT_EQ(f[0], "simuser");
  EXPECT_EQ(f[2], "0000006555");
  EXPECT_EQ(f[4], "02"); // buy
  EXPECT_EQ(f[8], "005930");
  EXPECT_EQ(f[9], "3");
  EXPECT_EQ(f[10], "70100");
  EXPECT_EQ(f[12], "0"); // not rejected
  EXPECT_EQ(f[13], "2"); // a fill
  EXPECT_EQ(f[14], "2");
  EXPECT_EQ(f[16], "10");
  EXPECT_EQ(f[17], "홍길동"); // ACNT_NAME
  EXPECT_EQ(f[24], "삼성전자");
  EXPECT_EQ(f[25], "70100");

  EXPECT_EQ(f[19], "1"); // ORD_EXG_GB: KRX when the notice does not say
  auto routed = sample_notice();
  routed.executed_on = exec_venue::sor_nxt;
  EXPECT_EQ(split(frames::notice_record(routed, "홍길동"), '^').at(19), "4");

  const auto wrong = test::decrypt_notice(b64, "X123456789abcdefghijABCDEFGHIJ01", iv);
  EXPECT_TRUE(!wrong || *wrong != plain);
  EXPECT_THROW((void)frames::encrypt(plain, "short", iv), std::invalid_argument);
}

TEST(SimFrames, RandomCharsAreAlphanumericAndSeeded) {
  std::mt19937_64 a{7}, b{7};
  const auto x = frames::random_chars(a, 32);
  EXPECT_EQ(x.size(), 32u);
  EXPECT_EQ(x, frames::random_chars(b, 32));
  for (char c : x)
    EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)));
}

std::string subscribe_json(std::string_view tr_type, std::string_view custtype = "P") {
  return std::string{R"({"header":{"approval_key":"k1","custtype":")"} + std::string{custtype} +
         R"(","tr_type":")" + std::string{tr_type} +
         R"(","content-type":"utf-8"},"body":{"input":{"tr_id":"H0STCNT0","tr_key":"005930"}}})";
}

const frames::parse_refusal* refused(const frames::inbound& in) {
  return std::get_if<frames::parse_refusal>(&in);
}

TEST(SimFrames, ParsesRegisterAndUnregister) {
  auto in = frames::parse_inbound(subscribe_json("1"));
  const auto* q = std::get_if<frames::request>(&in);
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->approval_key, "k1");
  EXPECT_EQ(q->tr_id, "H0STCNT0");
  EXPECT_EQ(q->tr_key, "005930");
  EXPECT_TRUE(q->subscribe);
  auto out = frames::parse_inbound(subscribe_json("2"));
  ASSERT_NE(std::get_if<frames::request>(&out), nullptr);
  EXPECT_FALSE(std::get<frames::request>(out).subscribe);
  EXPECT_TRUE(std::holds_alternative<frames::pingpong_echo>(
      frames::parse_inbound(frames::pingpong(kst_ns("20241011", "121818")))));
}

TEST(SimFrames, BadRequestsGetTheirOpspCode) {
  struct expectation {
    std::string text;
    std::string_view code;
  };
  const std::vector<expectation> cases{
      {"{not json", "OPSP9999"},
      {"[1,2]", "OPSP9999"},
      {"", "OPSP9999"},
      {R"({"body":{"input":{"tr_id":"H0STCNT0","tr_key":"005930"}}})", "OPSP9998"},
      {R"({"header":{"custtype":"P","tr_type":"1"},"body":{}})", "OPSP9996"},
      {R"({"header":{"approval_key":"k","tr_type":"1"},"body":{}})", "OPSP9997"},
      {subscribe_json("1", "X"), "OPSP8998"},
      {subscribe_json("3"), "OPSP8997"},
      {R"({"header":{"approval_key":"k","custtype":"P","tr_type":"1"}})", "OPSP9992"},
      {R"({"header":{"approval_key":"k","custtype":"P","tr_type":"1"},"body":{}})", "OPSP9991"},
      {R"({"header":{"approval_key":"k","custtype":"P","tr_type":"1"},"body":{"input":{}}})",
       "OPSP8991"},
      {R"({"header":{"approval_key":"k","custtype":"P","tr_type":"1"},"body":{"input":{"tr_id":"H0STCNT0"}}})",
       "OPSP9990"},
  };
  for (const auto& c : cases) {
    const auto in = frames::parse_inbound(c.text);
    const auto* r = refused(in);
    ASSERT_NE(r, nullptr) << c.text;
    EXPECT_EQ(r->why.code, c.code) << c.text;
  }
  // What was readable is kept, so the refusal names the TR.
  const auto r = frames::parse_inbound(subscribe_json("3"));
  EXPECT_EQ(refused(r)->tr_id, "H0STCNT0");
  EXPECT_EQ(refused(r)->tr_key, "005930");
}

TEST(SimFrames, ControlRepliesHaveKisShape) {
  auto a = boost::json::parse(frames::ack(frames::code::subscribed, "H0STCNI0", "simuser", true,
                                          "0123456789abcdef", std::string(32, 'k')))
               .as_object();
  EXPECT_EQ(a.at("header").at("tr_id").as_string(), "H0STCNI0");
  EXPECT_EQ(a.at("header").at("tr_key").as_string(), "simuser");
  EXPECT_EQ(a.at("header").at("encrypt").as_string(), "Y");
  EXPECT_EQ(a.at("body").at("rt_cd").as_string(), "0");
  EXPECT_EQ(a.at("body").at("msg_cd").as_string(), "OPSP0000");
  EXPECT_EQ(a.at("body").at("msg1").as_string(), "SUBSCRIBE SUCCESS");
  EXPECT_EQ(a.at("body").at("output").at("iv").as_string().size(), 16u);
  EXPECT_EQ(a.at("body").at("output").at("key").as_string().size(), 32u);

  auto r = boost::json::parse(frames::refusal(frames::code::wrong_hts_id, {}, {})).as_object();
  EXPECT_EQ(r.at("header").as_object().size(), 1u);
  EXPECT_EQ(r.at("header").at("tr_id").as_string(), "(null)");
  EXPECT_EQ(r.at("body").at("rt_cd").as_string(), "9");
  EXPECT_EQ(r.at("body").at("msg_cd").as_string(), "OPSP0017");
  EXPECT_FALSE(r.at("body").as_object().contains("output"));
}

TEST(SimFrames, PingpongCarriesKstDatetime) {
  auto p = boost::json::parse(frames::pingpong(kst_ns("20241011", "121818"))).as_object();
  EXPECT_EQ(p.at("header").at("tr_id").as_string(), "PINGPONG");
  EXPECT_EQ(p.at("header").at("datetime").as_string(), "20241011121818");
}

} // namespace
} // namespace kis::sim
