// kis-sim as real clients hear KIS (issue #19), request by request: what live KIS accepts
// that a stricter double used to refuse (no custtype, old tr_ids), what it refuses that a
// lenient double let through (lower-case body keys, priced market orders, real-only TRs on
// paper), the statuses of gateway errors, the paper acks, and the endpoints clients call.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "gateway_fixture.hpp"

namespace {

using namespace std::chrono_literals;
using namespace kis::sim;
namespace json = boost::json;
using kis::api::environment;

constexpr const char* quotes = "/uapi/domestic-stock/v1/quotations/";
constexpr const char* trading = "/uapi/domestic-stock/v1/trading/";

using test::body_of;
using test::ccld_path;
using test::order_path;
using test::price_path;
using test::revise_path;
using test::str;

struct SimKisRules : test::gateway_fixture {

  void make(environment env = environment::real, bool strict = true) {
    opts.env = env;
    opts.clock = clock;
    opts.strict_params = strict;
    gw = std::make_unique<gateway>(opts);
    clock->advance(61s); // past any earlier token's spacing
    auto r = test::token_reply(*gw, opts);
    ASSERT_EQ(r.status, 200) << r.body;
    token = str(body_of(r), "access_token");
  }
  void SetUp() override { make(); }

  http_response send(std::string method, std::string target, std::map<std::string, std::string> h,
                     std::string body = {}) {
    clock->advance(opts.env == environment::paper ? 1001ms : 60ms);
    return gw->handle({std::move(method), std::move(target), std::move(h), std::move(body)});
  }
  http_response get(const std::string& tr, const std::string& target) {
    return send("GET", target, headers(tr));
  }
  http_response post(const std::string& tr, const std::string& path, const std::string& body) {
    return send("POST", path, headers(tr), body);
  }
  static std::string order(const std::string& dvsn, std::int64_t qty, std::int64_t price) {
    return R"({"CANO":"50000000","ACNT_PRDT_CD":"01","PDNO":"005930","ORD_DVSN":")" + dvsn +
           R"(","ORD_QTY":")" + std::to_string(qty) + R"(","ORD_UNPR":")" + std::to_string(price) +
           R"(","EXCG_ID_DVSN_CD":"KRX"})";
  }
  static std::string cancel(const std::string& odno) {
    return R"({"CANO":"50000000","ACNT_PRDT_CD":"01","KRX_FWDG_ORD_ORGNO":"06010","ORGN_ODNO":")" +
           odno +
           R"(","ORD_DVSN":"00","RVSE_CNCL_DVSN_CD":"02","ORD_QTY":"0","ORD_UNPR":"0","QTY_ALL_ORD_YN":"Y"})";
  }
  std::string ccld_query() const {
    return std::string{ccld_path} +
           "?CANO=50000000&ACNT_PRDT_CD=01&INQR_STRT_DT=20260101&INQR_END_DT=20260101"
           "&SLL_BUY_DVSN_CD=00&INQR_DVSN=00&PDNO=&CCLD_DVSN=00&ORD_GNO_BRNO=&ODNO="
           "&INQR_DVSN_3=00&INQR_DVSN_1=&CTX_AREA_FK100=&CTX_AREA_NK100=";
  }
  std::int64_t low() { return lower_limit(gw->quote("005930").base_price); }
};

TEST_F(SimKisRules, AMissingCusttypeIsAnIndividual) {
  auto h = headers("FHKST01010100");
  h.erase("custtype");
  auto r =
      send("GET", std::string{price_path} + "?FID_COND_MRKT_DIV_CODE=J&FID_INPUT_ISCD=005930", h);
  EXPECT_EQ(r.status, 200) << r.body;
  for (auto wrong : {"X", "B"}) { // B: a corporate customer type on an individual's account
    h["custtype"] = wrong;
    r = send("GET", std::string{price_path} + "?FID_COND_MRKT_DIV_CODE=J&FID_INPUT_ISCD=005930", h);
    EXPECT_EQ(r.status, 500);
    EXPECT_EQ(str(body_of(r), "msg_cd"), "EGW00208");
  }
}

TEST_F(SimKisRules, GatewayErrorsComeBackAs500) {
  auto h = headers("TTTC0012U");
  h["content-type"] = "text/plain";
  auto r = send("POST", order_path, h, order("01", 1, 0));
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(str(body_of(r), "msg_cd"), "EGW00132");
  h = headers("TTTC0012U");
  h["hashkey"] = std::string(64, '0');
  r = send("POST", order_path, h, order("01", 1, 0));
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(str(body_of(r), "msg_cd"), "EGW00131");
  EXPECT_EQ(gw->stats().orders_received, 0u);
}

TEST_F(SimKisRules, OldTrIdsAreAcceptedAndCounted) {
  EXPECT_EQ(str(body_of(post("TTTC0802U", order_path, order("00", 2, low()))), "rt_cd"), "0");
  EXPECT_EQ(str(body_of(post("TTTC0802U", order_path, order("01", 3, 0))), "rt_cd"), "0");
  EXPECT_EQ(str(body_of(post("TTTC0801U", order_path, order("01", 1, 0))), "rt_cd"), "0");
  EXPECT_EQ(str(body_of(post("TTTC0803U", revise_path, cancel("0000000001"))), "rt_cd"), "0");
  EXPECT_EQ(str(body_of(get("TTTC8001R", ccld_query())), "rt_cd"), "0");
  EXPECT_EQ(str(body_of(get("CTSC9215R", ccld_query())), "rt_cd"), "0"); // current, older range
  auto s = gw->stats();
  EXPECT_EQ(s.legacy_tr_calls, 5u);
  EXPECT_EQ(s.calls_by_tr_id.at("TTTC0802U"), 2u);
  EXPECT_EQ(s.orders_accepted, 4u);
  const auto log = gw->orders();
  EXPECT_EQ(log.at(2).dir, kis::side::sell);

  make(environment::paper);
  EXPECT_EQ(str(body_of(post("VTTC0802U", order_path, order("01", 1, 0))), "rt_cd"), "0");
  EXPECT_EQ(str(body_of(get("VTSC9215R", ccld_query())), "rt_cd"), "0");
  EXPECT_EQ(str(body_of(get("VTTC8001R", ccld_query())), "rt_cd"), "0");
  EXPECT_EQ(gw->stats().legacy_tr_calls, 2u);
}

TEST_F(SimKisRules, BodyKeysMustBeUpperCase) {
  const std::string lower =
      R"({"cano":"50000000","acnt_prdt_cd":"01","pdno":"005930","ord_dvsn":"01","ord_qty":"1","ord_unpr":"0"})";
  auto r = post("TTTC0012U", order_path, lower);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(str(body_of(r), "rt_cd"), "1");
  EXPECT_EQ(str(body_of(r), "msg_cd"), "OPSQ2001");
  EXPECT_EQ(str(body_of(r), "msg1"), "ERROR : INPUT_FIELD_NAME CANO");
  EXPECT_EQ(gw->stats().orders_received, 0u);
  make(environment::real, false); // the lenient double of old, on request
  EXPECT_EQ(str(body_of(post("TTTC0012U", order_path, lower)), "rt_cd"), "0");
}

TEST_F(SimKisRules, AMarketOrderCarriesNoPrice) {
  auto r = post("TTTC0012U", order_path, order("01", 1, 70'000));
  EXPECT_EQ(str(body_of(r), "rt_cd"), "1");
  EXPECT_EQ(str(body_of(r), "msg_cd"), "40370000");
  EXPECT_EQ(str(body_of(post("TTTC0012U", order_path, order("01", 1, 0))), "rt_cd"), "0");
}

TEST_F(SimKisRules, PaperAcksSayWhichKindOfOrder) {
  make(environment::paper);
  auto code = [&](const std::string& tr, const std::string& path, const std::string& body) {
    return str(body_of(post(tr, path, body)), "msg_cd");
  };
  EXPECT_EQ(code("VTTC0012U", order_path, order("01", 5, 0)), "40600000");
  EXPECT_EQ(code("VTTC0011U", order_path, order("01", 1, 0)), "40590000");
  EXPECT_EQ(code("VTTC0012U", order_path, order("00", 1, low())), "40600000"); // order 3 rests
  EXPECT_EQ(
      code(
          "VTTC0013U", revise_path,
          R"({"CANO":"50000000","ACNT_PRDT_CD":"01","KRX_FWDG_ORD_ORGNO":"06010","ORGN_ODNO":"0000000003","ORD_DVSN":"00","RVSE_CNCL_DVSN_CD":"01","ORD_QTY":"0","ORD_UNPR":")" +
              std::to_string(kis::sim::tick_up(low())) + R"(","QTY_ALL_ORD_YN":"Y"})"),
      "40620000");
  EXPECT_EQ(code("VTTC0013U", revise_path, cancel("0000000004")), "40630000");
  make(environment::real);
  EXPECT_EQ(code("TTTC0011U", order_path, order("01", 1, 0)), "40360000"); // nothing held
  EXPECT_EQ(code("TTTC0012U", order_path, order("01", 1, 0)), "APBK0013");
}

TEST_F(SimKisRules, RealOnlyTrsOnPaperAreEgw02006) {
  make(environment::paper);
  for (auto [tr, target] :
       {std::pair{"CTPF1002R",
                  std::string{quotes} + "search-stock-info?PRDT_TYPE_CD=300&PDNO=005930"},
        std::pair{"TTTC8408R", std::string{trading} +
                                   "inquire-psbl-sell?CANO=50000000&ACNT_PRDT_CD=01&PDNO=005930"},
        std::pair{"VTTC8408R", // as the official runner spells it on paper
                  std::string{trading} +
                      "inquire-psbl-sell?CANO=50000000&ACNT_PRDT_CD=01&PDNO=005930"}}) {
    auto r = get(tr, target);
    EXPECT_EQ(r.status, 500) << tr;
    EXPECT_EQ(str(body_of(r), "msg_cd"), "EGW02006") << tr;
    EXPECT_EQ(str(body_of(r), "msg1"), "모의투자 TR이 아닙니다.");
  }
}

TEST_F(SimKisRules, SearchStockInfoTellsWhetherNextradeTradesIt) {
  auto flag = [&](const std::string& code) {
    auto r =
        get("CTPF1002R", std::string{quotes} + "search-stock-info?PRDT_TYPE_CD=300&PDNO=" + code);
    const auto out = body_of(r).at("output").as_object();
    EXPECT_EQ(str(out, "pdno"), code);
    return str(out, "cptt_trad_tr_psbl_yn");
  };
  const auto codes = gw->symbols();
  ASSERT_EQ(codes.size(), universe_size);
  EXPECT_EQ(flag(codes.front()), "Y");
  EXPECT_EQ(flag(codes[799]), "Y");
  EXPECT_EQ(flag(codes[800]), "N");
  EXPECT_EQ(flag(codes.back()), "N");
  auto r = get("CTPF1604R", std::string{quotes} + "search-info?PDNO=005930&PRDT_TYPE_CD=300");
  EXPECT_EQ(str(body_of(r).at("output").as_object(), "std_pdno"), "KR7005930003"); // the ISIN
}

TEST_F(SimKisRules, RevisableOrdersAndSellableQuantity) {
  post("TTTC0012U", order_path, order("01", 10, 0));    // 1: bought 10
  post("TTTC0012U", order_path, order("00", 4, low())); // 2: rests
  post("TTTC0011U", order_path,                         // 3: a sell resting at the top
       order("00", 3, upper_limit(gw->quote("005930").base_price)));
  auto r = get("TTTC0084R", std::string{trading} +
                                "inquire-psbl-rvsecncl?CANO=50000000&ACNT_PRDT_CD=01"
                                "&CTX_AREA_FK100=&CTX_AREA_NK100=&INQR_DVSN_1=0&INQR_DVSN_2=0");
  const auto rows = body_of(r).at("output").as_array();
  ASSERT_EQ(rows.size(), 2u) << r.body;
  EXPECT_EQ(str(rows[0].as_object(), "odno"), "0000000002");
  EXPECT_EQ(str(rows[0].as_object(), "psbl_qty"), "4");
  EXPECT_EQ(str(rows[1].as_object(), "sll_buy_dvsn_cd"), "01");
  r = get("TTTC8408R",
          std::string{trading} + "inquire-psbl-sell?CANO=50000000&ACNT_PRDT_CD=01&PDNO=005930");
  const auto out = body_of(r).at("output").as_object();
  EXPECT_EQ(str(out, "cblc_qty"), "10");
  EXPECT_EQ(str(out, "ord_psbl_qty"), "7"); // three are held back by the resting sell
  EXPECT_EQ(str(out, "buy_qty"), "10");
}

TEST_F(SimKisRules, MinuteChartEndsAtTheAskedMinuteNewestFirst) {
  gw->step_market(4 * 60 * 45); // 45 minutes of trading from 09:00 KST
  auto r = get("FHKST03010200", std::string{quotes} +
                                    "inquire-time-itemchartprice?FID_COND_MRKT_DIV_CODE=J"
                                    "&FID_INPUT_ISCD=005930&FID_INPUT_HOUR_1=093000"
                                    "&FID_PW_DATA_INCU_YN=Y&FID_ETC_CLS_CODE=");
  const auto rows = body_of(r).at("output2").as_array();
  ASSERT_EQ(rows.size(), 30u) << r.body;
  EXPECT_EQ(str(rows[0].as_object(), "stck_cntg_hour"), "093000");
  EXPECT_EQ(str(rows[29].as_object(), "stck_cntg_hour"), "090100");
  std::int64_t volume = 0;
  for (const auto& row : rows)
    volume += std::stoll(str(row.as_object(), "cntg_vol"));
  EXPECT_GT(volume, 0);
  EXPECT_EQ(str(body_of(r).at("output1").as_object(), "hts_kor_isnm"), "삼성전자");
}

TEST_F(SimKisRules, QuotesLiveInTheRealPriceBands) {
  auto r = get("FHKST01010100",
               std::string{price_path} + "?FID_COND_MRKT_DIV_CODE=J&FID_INPUT_ISCD=005930");
  const auto out = body_of(r).at("output").as_object();
  EXPECT_EQ(str(out, "stck_sdpr"), "70000");
  EXPECT_EQ(str(out, "aspr_unit"), "100");
  EXPECT_EQ(str(out, "stck_mxpr"), "91000");
  EXPECT_EQ(str(out, "stck_llam"), "49000");
  EXPECT_NE(str(out, "prdy_vrss_vol_rate"), "");
  EXPECT_EQ(str(out, "bstp_kor_isnm"), "전기·전자");
}

} // namespace
