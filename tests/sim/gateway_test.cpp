// The simulator's KIS front door, request by request (no sockets): credentials, tokens, tr_ids,
// the rate limit, JSON shapes, paging, bad input and the fault switches.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "kis/kst.hpp"
#include "gateway_fixture.hpp"

namespace {

using namespace std::chrono_literals;
using namespace kis::sim;
namespace json = boost::json;
using kis::api::environment;

using test::balance_path;
using test::body_of;
using test::ccld_path;
using test::chart_path;
using test::header_of;
using test::order_path;
using test::price_path;
using test::revise_path;
using test::str;

struct SimGateway : test::gateway_fixture {
  std::chrono::milliseconds gap{60}; // between helper calls, inside any budget

  void make(environment env = environment::real, int rate = 0) {
    opts.env = env;
    opts.rate_limit = rate;
    opts.clock = clock;
    opts.symbols.clear();
    gw = std::make_unique<gateway>(opts);
    gap = env == environment::paper ? 1001ms : 60ms;
    auto r = oauth("/oauth2/tokenP", {{"grant_type", "client_credentials"},
                                      {"appkey", opts.cred.app_key},
                                      {"appsecret", opts.cred.app_secret}});
    ASSERT_EQ(r.status, 200) << r.body;
    token = str(body_of(r), "access_token");
  }
  void SetUp() override { make(); }

  http_response oauth(const std::string& path, const json::object& body) {
    return gw->handle(
        {"POST", path, {{"content-type", "application/json"}}, json::serialize(body)});
  }
  http_response get(const std::string& tr, const std::string& path, const std::string& query,
                    std::map<std::string, std::string> extra = {}) {
    clock->advance(gap);
    auto h = headers(tr);
    for (auto& [k, v] : extra)
      h[k] = v;
    return gw->handle({"GET", path + "?" + query, std::move(h), {}});
  }
  http_response post(const std::string& tr, const std::string& path, const std::string& body,
                     std::map<std::string, std::string> extra = {}) {
    clock->advance(gap);
    auto h = headers(tr);
    for (auto& [k, v] : extra)
      h[k] = v;
    return gw->handle({"POST", path, std::move(h), body});
  }
  std::string tr(kis::endpoint_id id) {
    return std::string{*kis::api::tr_id(kis::api::lookup(id), opts.env)};
  }
  http_response price(const std::string& symbol = "005930") {
    return get("FHKST01010100", price_path, "FID_COND_MRKT_DIV_CODE=J&FID_INPUT_ISCD=" + symbol);
  }
  http_response market_buy(const std::string& symbol, int qty) {
    return post(tr(kis::endpoint_id::order_cash_buy), order_path,
                R"({"CANO":"50000000","ACNT_PRDT_CD":"01","PDNO":")" + symbol +
                    R"(","ORD_DVSN":"01","ORD_QTY":")" + std::to_string(qty) +
                    R"(","ORD_UNPR":"0","EXCG_ID_DVSN_CD":"KRX"})");
  }
  std::string balance_query(const std::string& nk = "") {
    return "CANO=50000000&ACNT_PRDT_CD=01&AFHR_FLPR_YN=N&OFL_YN=&INQR_DVSN=02&UNPR_DVSN=01"
           "&FUND_STTL_ICLD_YN=N&FNCG_AMT_AUTO_RDPT_YN=N&PRCS_DVSN=00&CTX_AREA_FK100="
           "&CTX_AREA_NK100=" +
           nk;
  }
  std::string ccld_query(const std::string& nk = "") {
    auto d = std::to_string(20260101);
    return "CANO=50000000&ACNT_PRDT_CD=01&INQR_STRT_DT=" + d + "&INQR_END_DT=" + d +
           "&SLL_BUY_DVSN_CD=00&INQR_DVSN=00&PDNO=&CCLD_DVSN=00&ORD_GNO_BRNO=&ODNO="
           "&INQR_DVSN_3=00&INQR_DVSN_1=&EXCG_ID_DVSN_CD=KRX&CTX_AREA_FK100=&CTX_AREA_NK100=" +
           nk;
  }
};

TEST_F(SimGateway, QuoteHasTheKisFieldsAsStrings) {
  auto r = price();
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(header_of(r, "tr_id"), "FHKST01010100");
  auto b = body_of(r);
  EXPECT_EQ(str(b, "rt_cd"), "0");
  EXPECT_EQ(str(b, "msg_cd"), "MCA00000");
  const auto& out = b.at("output").as_object();
  for (auto k : {"stck_prpr",
                 "prdy_vrss",
                 "prdy_vrss_sign",
                 "prdy_ctrt",
                 "stck_oprc",
                 "stck_hgpr",
                 "stck_lwpr",
                 "stck_mxpr",
                 "stck_llam",
                 "stck_sdpr",
                 "acml_vol",
                 "acml_tr_pbmn",
                 "aspr_unit",
                 "hts_avls",
                 "per",
                 "pbr",
                 "eps",
                 "bps",
                 "w52_hgpr",
                 "w52_lwpr",
                 "temp_stop_yn",
                 "vi_cls_code",
                 "iscd_stat_cls_code",
                 "marg_rate",
                 "stck_shrn_iscd"})
    ASSERT_TRUE(out.contains(k) && out.at(k).is_string()) << k;
  EXPECT_EQ(str(out, "stck_prpr"), std::to_string(gw->quote("005930").price));
}

TEST_F(SimGateway, CredentialsAreCheckedAndNeverEchoed) {
  auto h = headers("FHKST01010100");
  h["appkey"] = "PSwrongwrongwrongwrongwrongwrongwron";
  auto r = gw->handle(
      {"GET", std::string{price_path} + "?FID_COND_MRKT_DIV_CODE=J&FID_INPUT_ISCD=005930", h, {}});
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(str(body_of(r), "msg_cd"), "EGW00103");
  EXPECT_EQ(r.body.find("PSwrong"), std::string::npos);
  h = headers("FHKST01010100");
  h.erase("appsecret");
  r = gw->handle({"GET", std::string{price_path} + "?FID_INPUT_ISCD=005930", h, {}});
  EXPECT_EQ(str(body_of(r), "msg_cd"), "EGW00104");

  auto t = oauth("/oauth2/tokenP", {{"grant_type", "client_credentials"},
                                    {"appkey", opts.cred.app_key},
                                    {"appsecret", "not-the-secret"}});
  EXPECT_EQ(t.status, 403);
  EXPECT_EQ(str(body_of(t), "error_code"), "EGW00105");
  EXPECT_EQ(t.body.find("not-the-secret"), std::string::npos);
  EXPECT_GE(gw->stats().auth_failures, 3u);
}

TEST_F(SimGateway, TokenIsRequiredAndCanExpire) {
  auto saved = token;
  token = "forged";
  auto r = price();
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(str(body_of(r), "msg_cd"), "EGW00121");
  token = saved;
  EXPECT_EQ(price().status, 200);
  gw->expire_tokens();
  r = price();
  EXPECT_EQ(str(body_of(r), "rt_cd"), "1");
  EXPECT_EQ(str(body_of(r), "msg_cd"), "EGW00123");
}

TEST_F(SimGateway, TokenIssueSpacingAndReuse) {
  json::object req{{"grant_type", "client_credentials"},
                   {"appkey", opts.cred.app_key},
                   {"appsecret", opts.cred.app_secret}};
  clock->advance(30s);
  auto r = oauth("/oauth2/tokenP", req);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(
      r.body,
      R"j({"error_description":"접근토큰 발급 잠시 후 다시 시도하세요(1분당 1회)","error_code":"EGW00133"})j");
  clock->advance(31s);
  r = oauth("/oauth2/tokenP", req);
  ASSERT_EQ(r.status, 200);
  auto b = body_of(r);
  EXPECT_EQ(str(b, "access_token"), token); // inside six hours: the same token
  EXPECT_EQ(str(b, "token_type"), "Bearer");
  EXPECT_EQ(str(b, "access_token_token_expired").size(), 19u);
  auto s = gw->stats();
  EXPECT_EQ(s.token_requests, 3u);
  EXPECT_EQ(s.token_issues, 1u);
  EXPECT_EQ(s.token_too_soon, 1u);
}

TEST_F(SimGateway, RevokeAndApproval) {
  auto a = oauth("/oauth2/Approval", {{"grant_type", "client_credentials"},
                                      {"appkey", opts.cred.app_key},
                                      {"appsecret", opts.cred.app_secret}});
  EXPECT_EQ(str(body_of(a), "error_code"), "EGW00104"); // Approval names it secretkey
  a = oauth("/oauth2/Approval", {{"grant_type", "client_credentials"},
                                 {"appkey", opts.cred.app_key},
                                 {"secretkey", opts.cred.app_secret}});
  ASSERT_EQ(a.status, 200);
  EXPECT_TRUE(gw->accept_approval_key(str(body_of(a), "approval_key")));
  EXPECT_FALSE(gw->accept_approval_key("made-up"));
  auto r =
      oauth("/oauth2/revokeP",
            {{"appkey", opts.cred.app_key}, {"appsecret", opts.cred.app_secret}, {"token", token}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(body_of(r).at("code").as_int64(), 200);
  EXPECT_EQ(str(body_of(price()), "msg_cd"), "EGW00121");
}

TEST_F(SimGateway, TrIdMustFitPathAndEnvironment) {
  auto r = get("VTTC8434R", balance_path, balance_query()); // paper TR on the real server
  EXPECT_EQ(str(body_of(r), "msg_cd"), "OPSQ0002");
  r = get("FHKST01010100", balance_path, balance_query()); // another path's TR
  EXPECT_EQ(str(body_of(r), "msg_cd"), "OPSQ0002");
  r = get("VTTC8001R", ccld_path, ccld_query()); // the old paper daily-fills TR, on real
  EXPECT_EQ(str(body_of(r), "msg_cd"), "OPSQ0002");
  make(environment::paper);
  r = get("TTTC8434R", balance_path, balance_query());
  EXPECT_EQ(str(body_of(r), "msg_cd"), "OPSQ0002");
  EXPECT_EQ(str(body_of(get("VTTC8434R", balance_path, balance_query())), "rt_cd"), "0");
}

TEST_F(SimGateway, RequestShapeChecks) {
  auto r = get("FHKST01010100", "/uapi/domestic-stock/v1/quotations/nowhere", "");
  EXPECT_EQ(r.status, 404);
  auto h = headers("FHKST01010100");
  r = gw->handle({"POST", price_path, h, "{}"});
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(str(body_of(r), "msg_cd"), "EGW00101");
  h = headers(tr(kis::endpoint_id::order_cash_buy));
  h["content-type"] = "text/plain";
  r = gw->handle({"POST", order_path, h, "{}"});
  EXPECT_EQ(str(body_of(r), "msg_cd"), "EGW00132");
  h = headers("FHKST01010100");
  h["custtype"] = "X";
  r = gw->handle({"GET", std::string{price_path} + "?FID_INPUT_ISCD=005930", h, {}});
  EXPECT_EQ(str(body_of(r), "msg_cd"), "EGW00208");
}

TEST_F(SimGateway, BurstOverTheLimitGetsEgw00201) {
  make(environment::real, 0); // the KIS figure: 18 a second
  int ok = 0, limited = 0;
  for (int i = 0; i < 25; ++i) {
    auto r =
        gw->handle({"GET",
                    std::string{price_path} + "?FID_COND_MRKT_DIV_CODE=J&FID_INPUT_ISCD=005930",
                    headers("FHKST01010100"),
                    {}});
    if (r.status == 200) {
      ++ok;
    } else {
      ++limited;
      EXPECT_EQ(r.status, 500);
      EXPECT_EQ(r.body,
                R"({"rt_cd":"1","msg_cd":"EGW00201","msg1":"초당 거래건수를 초과하였습니다."})");
    }
  }
  EXPECT_EQ(ok, 18);
  EXPECT_EQ(limited, 7);
  auto s = gw->stats();
  EXPECT_EQ(s.rate_rejections, 7u);
  EXPECT_EQ(s.max_calls_in_window, 25u);
  EXPECT_EQ(s.calls_by_tr_id.at("FHKST01010100"), 18u);
  clock->advance(1s);
  EXPECT_EQ(price().status, 200);
}

TEST_F(SimGateway, PaperBudgetIsOneASecondAndConfigurable) {
  make(environment::paper);
  EXPECT_EQ(price().status, 200);
  gap = 500ms;
  EXPECT_EQ(str(body_of(price()), "msg_cd"), "EGW00201");
  make(environment::paper, 3);
  gap = 0ms;
  clock->advance(2s);
  EXPECT_EQ(price().status, 200);
  EXPECT_EQ(price().status, 200);
  EXPECT_EQ(price().status, 200);
  EXPECT_EQ(price().status, 500);
}

TEST_F(SimGateway, OrderAnswersInKisShapes) {
  auto r = market_buy("005930", 3);
  ASSERT_EQ(r.status, 200);
  auto b = body_of(r);
  ASSERT_EQ(str(b, "rt_cd"), "0") << r.body;
  const auto& out = b.at("output").as_object();
  EXPECT_EQ(str(out, "KRX_FWDG_ORD_ORGNO").size(), 5u);
  EXPECT_EQ(str(out, "ODNO"), "0000000001");
  EXPECT_EQ(str(out, "ORD_TMD").size(), 6u);

  auto limit = kis::sim::lower_limit(gw->quote("000660").base_price);
  r = post(
      tr(kis::endpoint_id::order_cash_buy), order_path,
      R"({"CANO":"50000000","ACNT_PRDT_CD":"01","PDNO":"000660","ORD_DVSN":"00","ORD_QTY":"2","ORD_UNPR":")" +
          std::to_string(limit) + R"("})");
  ASSERT_EQ(str(body_of(r), "rt_cd"), "0") << r.body;
  r = post(
      tr(kis::endpoint_id::order_revise_cancel), revise_path,
      R"({"CANO":"50000000","ACNT_PRDT_CD":"01","KRX_FWDG_ORD_ORGNO":"06010","ORGN_ODNO":"0000000002","ORD_DVSN":"00","RVSE_CNCL_DVSN_CD":"02","ORD_QTY":"0","ORD_UNPR":"0","QTY_ALL_ORD_YN":"Y"})");
  b = body_of(r);
  ASSERT_EQ(str(b, "rt_cd"), "0") << r.body;
  EXPECT_EQ(str(b.at("output").as_object(), "ODNO"), "0000000003");
  EXPECT_TRUE(b.at("output").as_object().contains("KRX_FWDG_ORD_ORGNO"));

  r = market_buy("005930", 1'000'000);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(str(body_of(r), "rt_cd"), "1");
  EXPECT_EQ(str(body_of(r), "msg_cd"), "APBK0952");

  auto log = gw->orders();
  ASSERT_EQ(log.size(), 4u);
  EXPECT_EQ(log[0].symbol, "005930");
  EXPECT_EQ(log[2].orig_order_no, "0000000002");
  EXPECT_EQ(log[2].symbol, "000660");
  EXPECT_TRUE(log[3].order_no.empty());
  auto s = gw->stats();
  EXPECT_EQ(s.orders_received, 4u);
  EXPECT_EQ(s.orders_rejected, 1u);
  EXPECT_EQ(s.fills, 1u);
}

TEST_F(SimGateway, BadInputGetsAnErrorBodyNeverACrash) {
  const auto buy = tr(kis::endpoint_id::order_cash_buy);
  auto code = [&](const std::string& body) {
    return str(body_of(post(buy, order_path, body)), "msg_cd");
  };
  EXPECT_EQ(code("{not json"), "OPSQ9995");
  EXPECT_EQ(code("[1,2]"), "OPSQ9995");
  EXPECT_EQ(
      code(
          R"({"CANO":"50000000","ACNT_PRDT_CD":"01","ORD_DVSN":"01","ORD_QTY":"1","ORD_UNPR":"0"})"),
      "OPSQ2001");
  EXPECT_EQ(
      code(
          R"({"CANO":"50000000","ACNT_PRDT_CD":"01","PDNO":"005930","ORD_DVSN":"01","ORD_QTY":1,"ORD_UNPR":"0"})"),
      "OPSQ2002");
  EXPECT_EQ(
      code(
          R"({"CANO":"50000000","ACNT_PRDT_CD":"01","PDNO":"005930","ORD_DVSN":"01","ORD_QTY":"-1","ORD_UNPR":"0"})"),
      "OPSQ2002");
  EXPECT_EQ(
      code(
          R"({"CANO":"50000000","ACNT_PRDT_CD":"01","PDNO":"005930","ORD_DVSN":"01","ORD_QTY":"99999999999999999999","ORD_UNPR":"0"})"),
      "OPSQ2002");
  EXPECT_EQ(str(body_of(get("FHKST01010100", price_path,
                            "FID_COND_MRKT_DIV_CODE=J&FID_INPUT_ISCD=%FF%00")),
                "msg_cd"),
            "OPSQ2002");
  EXPECT_EQ(
      str(body_of(get(tr(kis::endpoint_id::inquire_balance), balance_path, "CANO=1")), "msg_cd"),
      "OPSQ2001");
  EXPECT_EQ(gw->stats().orders_received, 0u);
}

TEST_F(SimGateway, HashkeyIsIssuedAndChecked) {
  const std::string order =
      R"({"CANO":"50000000","ACNT_PRDT_CD":"01","PDNO":"005930","ORD_DVSN":"01","ORD_QTY":"1","ORD_UNPR":"0"})";
  auto h = headers("");
  h.erase("tr_id");
  h.erase("authorization");
  clock->advance(gap);
  auto r = gw->handle({"POST", "/uapi/hashkey", h, order});
  ASSERT_EQ(r.status, 200) << r.body;
  auto hash = str(body_of(r), "HASH");
  EXPECT_EQ(hash.size(), 64u);
  EXPECT_EQ(body_of(r).at("BODY").as_object().at("PDNO").as_string(), "005930");
  const auto buy = tr(kis::endpoint_id::order_cash_buy);
  EXPECT_EQ(str(body_of(post(buy, order_path, order, {{"hashkey", hash}})), "rt_cd"), "0");
  auto bad = post(buy, order_path, order, {{"hashkey", std::string(64, '0')}});
  EXPECT_EQ(str(body_of(bad), "msg_cd"), "EGW00131");
}

TEST_F(SimGateway, ChartPagesBackHundredRowsAtATime) {
  std::int32_t to = 20260101;
  std::vector<std::int32_t> dates;
  for (int page = 0; page < 10; ++page) {
    auto r = get("FHKST03010100", chart_path,
                 "FID_COND_MRKT_DIV_CODE=J&FID_INPUT_ISCD=005930&FID_INPUT_DATE_1=20250101"
                 "&FID_INPUT_DATE_2=" +
                     std::to_string(to) + "&FID_PERIOD_DIV_CODE=D&FID_ORG_ADJ_PRC=0");
    auto b = body_of(r);
    ASSERT_EQ(str(b, "rt_cd"), "0") << r.body;
    EXPECT_EQ(str(b.at("output1").as_object(), "stck_shrn_iscd"), "005930");
    const auto& rows = b.at("output2").as_array();
    ASSERT_LE(rows.size(), 100u);
    for (const auto& row : rows)
      dates.push_back(std::stoi(str(row.as_object(), "stck_bsop_date")));
    if (rows.size() < 100)
      break;
    // KIS paging: the next end date is the day before the oldest row returned.
    to = kis::api::kst::add_days(dates.back(), -1);
  }
  ASSERT_EQ(dates.front(), 20260101); // today's bar (a weekday) comes first
  for (std::size_t i = 1; i < dates.size(); ++i)
    ASSERT_LT(dates[i], dates[i - 1]);
  EXPECT_GE(dates.back(), 20250101);
  EXPECT_GT(dates.size(), 250u);
}

TEST_F(SimGateway, BalancePagesWithTrContAndContext) {
  auto symbols = gw->symbols();
  for (int i = 0; i < 55; ++i)
    ASSERT_EQ(str(body_of(market_buy(symbols[static_cast<std::size_t>(i)], 1)), "rt_cd"), "0");
  auto r = get(tr(kis::endpoint_id::inquire_balance), balance_path, balance_query());
  auto b = body_of(r);
  ASSERT_EQ(str(b, "rt_cd"), "0") << r.body;
  EXPECT_EQ(b.at("output1").as_array().size(), 50u);
  EXPECT_EQ(header_of(r, "tr_cont"), "F");
  auto nk = str(b, "ctx_area_nk100");
  EXPECT_FALSE(nk.empty());
  EXPECT_EQ(b.at("output2").as_array().size(), 1u);
  r = get(tr(kis::endpoint_id::inquire_balance), balance_path, balance_query(nk),
          {{"tr_cont", "N"}});
  b = body_of(r);
  EXPECT_EQ(b.at("output1").as_array().size(), 5u);
  EXPECT_EQ(header_of(r, "tr_cont"), "E");
  EXPECT_EQ(str(b.at("output2").as_array()[0].as_object(), "dnca_tot_amt"),
            std::to_string(gw->cash()));
}

TEST_F(SimGateway, PaperPagesAreSmaller) {
  make(environment::paper);
  for (int i = 0; i < 17; ++i)
    ASSERT_EQ(str(body_of(market_buy("005930", 1)), "rt_cd"), "0");
  std::size_t rows = 0;
  std::string nk, cont;
  for (int page = 0; page < 5; ++page) {
    auto r = get(tr(kis::endpoint_id::inquire_daily_fills), ccld_path, ccld_query(nk),
                 {{"tr_cont", cont}});
    auto b = body_of(r);
    ASSERT_EQ(str(b, "rt_cd"), "0") << r.body;
    rows += b.at("output1").as_array().size();
    EXPECT_LE(b.at("output1").as_array().size(), 15u);
    EXPECT_EQ(str(b.at("output2").as_object(), "tot_ord_qty"), "17");
    if (header_of(r, "tr_cont") == "D" || header_of(r, "tr_cont") == "E")
      break;
    nk = str(b, "ctx_area_nk100");
    cont = "N";
  }
  EXPECT_EQ(rows, 17u);
  EXPECT_EQ(str(body_of(market_buy("005930", 1)), "msg_cd"), "40600000");
}

TEST_F(SimGateway, FaultSwitches) {
  faults f;
  f.error_rate = 1.0;
  gw->set_faults(f);
  auto r = price();
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(str(body_of(r), "msg_cd"), "EGW00001");
  f.error_rate = 0;
  f.delay = 150ms;
  f.market_closed = true;
  gw->set_faults(f);
  EXPECT_EQ(price().delay, 150ms);
  EXPECT_EQ(str(body_of(market_buy("005930", 1)), "msg_cd"), "40580000");
  gw->set_faults({});
  // Hang the next order after executing it: the client never learns the order number.
  gw->hang_next(tr(kis::endpoint_id::order_cash_buy), 1, true);
  EXPECT_TRUE(market_buy("005930", 1).hang);
  EXPECT_EQ(gw->orders().back().order_no, "0000000001");
  EXPECT_FALSE(market_buy("005930", 1).hang);
  gw->hang_next("/oauth2/tokenP", 1, false);
  EXPECT_TRUE(oauth("/oauth2/tokenP", {}).hang);
  auto s = gw->stats();
  EXPECT_EQ(s.injected_errors, 1u);
  EXPECT_EQ(s.hung_responses, 2u);
}

TEST_F(SimGateway, HeldAnswersAreExecutedAtOnceAndCountedAtArrival) {
  faults f;
  f.hold_rate = 1.0;
  f.hold_for = 20s;
  gw->set_faults(f);
  gap = 0ms;
  const auto arrived = clock->now_ns();
  auto r = market_buy("005930", 1);
  EXPECT_EQ(r.delay, 20s);
  EXPECT_EQ(str(body_of(r), "rt_cd"), "0");
  ASSERT_EQ(gw->orders().size(), 1u); // the order is placed before the answer is held
  EXPECT_EQ(gw->orders().back().order_no, "0000000001");
  // Calls that arrive while the first is held count in its second, where they arrived.
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(price().delay, 20s);
  auto s = gw->stats();
  EXPECT_EQ(s.held_responses, 5u);
  EXPECT_EQ(s.max_calls_in_window, 5u);
  const auto arrivals = gw->call_arrivals();
  ASSERT_EQ(arrivals.size(), 5u);
  EXPECT_EQ(arrivals.front(), arrived);

  // A share holds a seeded part of the calls, and the delay switch adds to the hold.
  f.hold_rate = 0.25;
  f.delay = 100ms;
  gw->set_faults(f);
  gap = 60ms;
  int held = 0;
  for (int i = 0; i < 200; ++i)
    held += price().delay == 20s + 100ms ? 1 : 0;
  EXPECT_GT(held, 25);
  EXPECT_LT(held, 75);
  EXPECT_EQ(gw->stats().held_responses, 5u + static_cast<std::uint64_t>(held));
}

TEST_F(SimGateway, ForgottenTokensAreInvalidAndTokenPKeepsItsSpacing) {
  json::object req{{"grant_type", "client_credentials"},
                   {"appkey", opts.cred.app_key},
                   {"appsecret", opts.cred.app_secret}};
  EXPECT_EQ(price().status, 200);
  const auto failures = gw->stats().auth_failures;
  gw->forget_tokens();
  auto r = price();
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(str(body_of(r), "msg_cd"), "EGW00121");
  EXPECT_EQ(str(body_of(r), "msg1"), "유효하지 않은 token 입니다.");
  EXPECT_EQ(gw->stats().auth_failures, failures + 1);
  // The first token was issued a moment ago: a new one only after the spacing.
  auto t = oauth("/oauth2/tokenP", req);
  EXPECT_EQ(t.status, 403);
  EXPECT_EQ(str(body_of(t), "error_code"), "EGW00133");
  clock->advance(61s);
  t = oauth("/oauth2/tokenP", req);
  ASSERT_EQ(t.status, 200);
  const auto fresh = str(body_of(t), "access_token");
  EXPECT_NE(fresh, token);
  EXPECT_EQ(str(body_of(price()), "msg_cd"), "EGW00121"); // the old one stays forgotten
  token = fresh;
  EXPECT_EQ(price().status, 200);
  EXPECT_EQ(gw->stats().token_issues, 2u);
}

TEST_F(SimGateway, NoticesForAcksAndFills) {
  std::vector<kis::execution_notice> seen;
  gw->notice_sink = [&](const kis::execution_notice& n) { seen.push_back(n); };
  ASSERT_EQ(str(body_of(market_buy("005930", 2)), "rt_cd"), "0");
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_FALSE(seen[0].is_fill);
  EXPECT_TRUE(seen[1].is_fill);
  EXPECT_EQ(seen[1].qty, 2);
  EXPECT_EQ(seen[1].account, "5000000001");
  EXPECT_EQ(seen[1].symbol, "005930");
}

TEST_F(SimGateway, RealtimeSourceServesTheSameMarket) {
  EXPECT_TRUE(gw->known_symbol("005930"));
  EXPECT_FALSE(gw->known_symbol("12345"));
  auto first = gw->trades("005930", kis::market_code::krx);
  ASSERT_GE(first.size(), 1u); // a new subscriber starts with the last step's prints
  ASSERT_LE(first.size(), 4u);
  gw->step_market(8);
  auto more = gw->trades("005930", kis::market_code::krx);
  EXPECT_GE(more.size(), 8u); // 005930 prints on every step, some steps several times
  EXPECT_EQ(more.back().price, gw->quote("005930").price);
  EXPECT_EQ(gw->book("005930", kis::market_code::krx).asks.size(), 10u);
}

} // namespace
