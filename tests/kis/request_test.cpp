#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "kis/rest_codec.hpp"
#include "request_fixture.hpp"

namespace {

using namespace kis::api;
namespace bj = boost::json;
using kis::endpoint_id;
using kis::order_request;
using kis::revise_cancel_request;
using kis::api::test::ctx;
using kis::api::test::test_cred;

std::vector<std::string> header_names(const http_request& r) {
  std::vector<std::string> names;
  for (const auto& h : r.headers)
    names.push_back(h.name);
  return names;
}

std::string header(const http_request& r, std::string_view name) {
  for (const auto& h : r.headers)
    if (h.name == name)
      return h.value;
  return "<absent>";
}

TEST(BuildRequest, QueryCarriesExactlyTheKisHeaders) {
  auto params = price_params({"005930", "J", true});
  ASSERT_TRUE(params);
  auto r = build_request(endpoint_id::inquire_price, ctx(), *params, "");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->method, http_method::get);
  EXPECT_EQ(r->url, "https://openapi.example:9443/uapi/domestic-stock/v1/quotations/inquire-price"
                    "?FID_COND_MRKT_DIV_CODE=J&FID_INPUT_ISCD=005930");
  EXPECT_EQ(header_names(*r),
            (std::vector<std::string>{"content-type", "authorization", "appkey", "appsecret",
                                      "tr_id", "custtype", "tr_cont"}));
  EXPECT_EQ(header(*r, "content-type"), "application/json; charset=utf-8");
  EXPECT_EQ(header(*r, "authorization"), "Bearer tok.en");
  EXPECT_EQ(header(*r, "appkey"), test_cred().app_key);
  EXPECT_EQ(header(*r, "appsecret"), "secret-value");
  EXPECT_EQ(header(*r, "tr_id"), "FHKST01010100");
  EXPECT_EQ(header(*r, "custtype"), "P");
  EXPECT_EQ(header(*r, "tr_cont"), "");
  EXPECT_TRUE(r->body.empty());
}

TEST(BuildRequest, TrIdFollowsTheEnvironment) {
  order_request o{"c1", "005930", kis::side::buy, kis::order_kind::limit, 10, 70000};
  auto p = order_params(o, test_cred());
  ASSERT_TRUE(p);
  auto real = build_request(order_endpoint(kis::side::buy), ctx(), *p);
  auto paper = build_request(order_endpoint(kis::side::buy), ctx(environment::paper), *p);
  auto sell = build_request(order_endpoint(kis::side::sell), ctx(environment::paper), *p);
  ASSERT_TRUE(real && paper && sell);
  EXPECT_EQ(header(*real, "tr_id"), "TTTC0012U");
  EXPECT_EQ(header(*paper, "tr_id"), "VTTC0012U");
  EXPECT_EQ(header(*sell, "tr_id"), "VTTC0011U");
  auto quote_paper = build_request(endpoint_id::inquire_price, ctx(environment::paper), {});
  EXPECT_EQ(header(*quote_paper, "tr_id"), "FHKST01010100"); // market data: same TR on paper
  auto fills_paper = build_request(endpoint_id::inquire_daily_fills, ctx(environment::paper), {});
  EXPECT_EQ(header(*fills_paper, "tr_id"), "VTTC0081R");
}

TEST(BuildRequest, OrderBodyHasUpperCaseKeysAndStringValues) {
  order_request o{"c1", "005930", kis::side::sell, kis::order_kind::limit, 10, 70000};
  auto r = build_request(endpoint_id::order_cash_sell, ctx(), *order_params(o, test_cred()));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->method, http_method::post);
  EXPECT_EQ(r->url, "https://openapi.example:9443/uapi/domestic-stock/v1/trading/order-cash");
  EXPECT_EQ(r->body, R"({"CANO":"50000000","ACNT_PRDT_CD":"01","PDNO":"005930","ORD_DVSN":"00",)"
                     R"("ORD_QTY":"10","ORD_UNPR":"70000","EXCG_ID_DVSN_CD":"KRX"})");
}

TEST(BuildRequest, MarketTypeOrdersSendPriceZero) {
  for (auto kind : {kis::order_kind::market, kis::order_kind::best_limit,
                    kis::order_kind::ioc_market, kis::order_kind::fok_market}) {
    order_request o{"c", "005930", kis::side::buy, kind, 3, 71000};
    auto p = order_params(o, test_cred());
    ASSERT_TRUE(p);
    auto body = bj::parse(build_request(endpoint_id::order_cash_buy, ctx(), *p)->body).as_object();
    EXPECT_EQ(body.at("ORD_UNPR"), "0");
    EXPECT_EQ(body.at("ORD_DVSN").as_string(), ord_dvsn(kind));
  }
  EXPECT_EQ(ord_dvsn(kis::order_kind::market), "01");
  EXPECT_EQ(ord_dvsn(kis::order_kind::ioc_limit), "11");
}

TEST(BuildRequest, OrderValidation) {
  auto c = test_cred();
  auto code = [&](order_request o) {
    auto p = order_params(o, c);
    return p ? kis::errc::none : p.error().code;
  };
  EXPECT_EQ(code({"c", "005930", kis::side::buy, kis::order_kind::limit, 0, 100}),
            kis::errc::invalid_argument);
  EXPECT_EQ(code({"c", "005930", kis::side::buy, kis::order_kind::limit, 1, 0}),
            kis::errc::invalid_argument);
  EXPECT_EQ(code({"c", "005930", kis::side::buy, kis::order_kind::limit, 1, -5}),
            kis::errc::invalid_argument);
  EXPECT_EQ(code({"c", "00 5930", kis::side::buy, kis::order_kind::limit, 1, 5}),
            kis::errc::invalid_argument);
  EXPECT_EQ(code({"c", "005930", kis::side::buy, static_cast<kis::order_kind>(99), 1, 5}),
            kis::errc::invalid_argument);
  c.account_no = "1234";
  EXPECT_EQ(code({"c", "005930", kis::side::buy, kis::order_kind::limit, 1, 5}),
            kis::errc::invalid_argument);
}

TEST(BuildRequest, ReviseAndCancel) {
  revise_cancel_request cancel{
      "c", "06590", "0000006555", kis::revise_or_cancel::cancel, kis::order_kind::limit,
      0,   0,       true};
  auto p = revise_cancel_params(cancel, test_cred());
  ASSERT_TRUE(p);
  auto r = build_request(endpoint_id::order_revise_cancel, ctx(environment::paper), *p);
  ASSERT_TRUE(r);
  EXPECT_EQ(header(*r, "tr_id"), "VTTC0013U");
  auto body = bj::parse(r->body).as_object();
  EXPECT_EQ(body.at("KRX_FWDG_ORD_ORGNO"), "06590");
  EXPECT_EQ(body.at("ORGN_ODNO"), "0000006555");
  EXPECT_EQ(body.at("RVSE_CNCL_DVSN_CD"), "02");
  EXPECT_EQ(body.at("QTY_ALL_ORD_YN"), "Y");
  EXPECT_EQ(body.at("ORD_UNPR"), "0");

  revise_cancel_request revise{
      "c", "06590", "0000006555", kis::revise_or_cancel::revise, kis::order_kind::limit,
      4,   69900,   false};
  auto rp = revise_cancel_params(revise, test_cred());
  ASSERT_TRUE(rp);
  auto rb =
      bj::parse(build_request(endpoint_id::order_revise_cancel, ctx(), *rp)->body).as_object();
  EXPECT_EQ(rb.at("RVSE_CNCL_DVSN_CD"), "01");
  EXPECT_EQ(rb.at("ORD_QTY"), "4");
  EXPECT_EQ(rb.at("ORD_UNPR"), "69900");
  EXPECT_EQ(rb.at("QTY_ALL_ORD_YN"), "N");

  revise.order_no = "";
  EXPECT_FALSE(revise_cancel_params(revise, test_cred()));
}

TEST(BuildRequest, ContinuationSendsTrContAndContext) {
  auto p = balance_params(test_cred(), {}, "FK 1", "NK/2");
  ASSERT_TRUE(p);
  auto r = build_request(endpoint_id::inquire_balance, ctx(), *p, "N");
  ASSERT_TRUE(r);
  EXPECT_EQ(header(*r, "tr_cont"), "N");
  EXPECT_EQ(header(*r, "tr_id"), "TTTC8434R");
  EXPECT_NE(r->url.find("&CTX_AREA_FK100=FK%201&CTX_AREA_NK100=NK%2F2"), std::string::npos)
      << r->url;
  EXPECT_NE(r->url.find("&OFL_YN=&"), std::string::npos); // blank params are still sent
  EXPECT_NE(r->url.find("PRCS_DVSN=00"), std::string::npos);
  EXPECT_FALSE(build_request(endpoint_id::inquire_balance, ctx(), *p, "F"));
}

TEST(BuildRequest, UrlEncoding) {
  EXPECT_EQ(url_encode("AZaz09-_.~"), "AZaz09-_.~");
  EXPECT_EQ(url_encode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
  EXPECT_EQ(url_encode("+%"), "%2B%25");
  EXPECT_EQ(url_decode(url_encode("a b&c=d/é+%")), "a b&c=d/é+%");
  EXPECT_EQ(url_decode("a+b%41%4a%zz%4"), "a bAJ%zz%4"); // a malformed escape stays
}

TEST(BuildRequest, ChartAndFillsParams) {
  kis::chart_query q{"005930", 20240101, 20241231, 'D', true, "J"};
  auto p = chart_params(q);
  ASSERT_TRUE(p);
  auto r = build_request(endpoint_id::inquire_chart, ctx(), *p);
  EXPECT_NE(r->url.find("FID_INPUT_DATE_1=20240101&FID_INPUT_DATE_2=20241231&FID_PERIOD_DIV_CODE="
                        "D&FID_ORG_ADJ_PRC=0"),
            std::string::npos);
  q.from_date = 20241301;
  EXPECT_EQ(chart_params(q).error().code, kis::errc::invalid_argument);
  q.from_date = 20250101;
  EXPECT_FALSE(chart_params(q)); // from after to

  kis::fills_query f{20240101, 20240131, "", "", 1};
  auto fp = fills_params(test_cred(), f, "", "");
  ASSERT_TRUE(fp);
  auto fr = build_request(endpoint_id::inquire_daily_fills, ctx(), *fp);
  EXPECT_NE(fr->url.find("INQR_STRT_DT=20240101&INQR_END_DT=20240131"), std::string::npos);
  EXPECT_NE(fr->url.find("CCLD_DVSN=01"), std::string::npos);
  f.filter = 7;
  EXPECT_FALSE(fills_params(test_cred(), f));

  auto bp = buyable_params(test_cred(), {"005930", 70000, 1});
  ASSERT_TRUE(bp);
  auto br = build_request(endpoint_id::inquire_buyable, ctx(environment::paper), *bp);
  EXPECT_EQ(header(*br, "tr_id"), "VTTC8908R");
  EXPECT_NE(br->url.find("PDNO=005930&ORD_UNPR=70000&ORD_DVSN=01"), std::string::npos);
}

TEST(BuildRequest, OAuthBodiesAndHeaders) {
  auto token = build_request(endpoint_id::token_issue, ctx(), {});
  ASSERT_TRUE(token);
  EXPECT_EQ(token->url, "https://openapi.example:9443/oauth2/tokenP");
  EXPECT_EQ(header_names(*token), std::vector<std::string>{"content-type"});
  EXPECT_EQ(token->body, R"({"grant_type":"client_credentials","appkey":")" + test_cred().app_key +
                             R"(","appsecret":"secret-value"})");

  auto approval = build_request(endpoint_id::approval_key, ctx(environment::paper), {});
  ASSERT_TRUE(approval);
  auto ab = bj::parse(approval->body).as_object();
  EXPECT_EQ(ab.at("secretkey"), "secret-value");
  EXPECT_FALSE(ab.contains("appsecret"));
  EXPECT_EQ(header(*approval, "authorization"), "<absent>");

  auto revoke = build_request(endpoint_id::token_revoke, ctx(), {});
  ASSERT_TRUE(revoke);
  EXPECT_EQ(bj::parse(revoke->body).as_object().at("token"), "tok.en");

  // An issue needs no token; a query does.
  auto no_token = ctx();
  no_token.token.clear();
  EXPECT_TRUE(build_request(endpoint_id::token_issue, no_token, {}));
  auto q = build_request(endpoint_id::inquire_price, no_token, {});
  ASSERT_FALSE(q);
  EXPECT_EQ(q.error().code, kis::errc::invalid_argument);
}

TEST(BuildRequest, PaperWithoutTheTrIsNotSupported) {
  // Every paper-less endpoint of the table must refuse on paper and build on real.
  for (const auto& ep : all_endpoints()) {
    auto r = build_request(ep.id, ctx(environment::paper), {});
    if (ep.tr_paper.empty() && !ep.oauth && ep.id != endpoint_id::hashkey) {
      ASSERT_FALSE(r) << ep.name;
      EXPECT_EQ(r.error().code, kis::errc::not_supported);
    } else {
      EXPECT_TRUE(r) << ep.name;
    }
  }
  // And the error never repeats a secret.
  endpoint fake = lookup(endpoint_id::inquire_balance);
  EXPECT_FALSE(tr_id(endpoint{fake.id, fake.name, fake.method, fake.path, fake.tr_real, "",
                              fake.cls, fake.paged, fake.oauth},
                     environment::paper));
}

TEST(BuildRequest, ErrorsNeverCarrySecrets) {
  auto c = ctx();
  c.base_url.clear();
  auto r = build_request(endpoint_id::inquire_price, c, {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message.find("secret-value"), std::string::npos);
  EXPECT_EQ(r.error().message.find("tok.en"), std::string::npos);
}

} // namespace
