// Venues on the wire: EXCG_ID_DVSN_CD of orders, revise/cancel and the daily-fills query,
// paper's KRX-only rule before any call, the ccld row's venue, ORD_EXG_GB, quote market codes,
// and the two real-only TRs the calendar and eligibility need (search-stock-info, chk-holiday).
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "kis/rest_codec.hpp"
#include "kis/venues.hpp"
#include "request_fixture.hpp"
#include "support/http_reply.hpp"

namespace {

using namespace kis::api;
namespace bj = boost::json;
using kis::endpoint_id;
using kis::errc;
using kis::exec_venue;
using kis::market_code;
using kis::order_kind;
using kis::venue;
using kis::venue_scope;
using kis::test::parsed;

using kis::api::test::ctx;
credentials cred() {
  return kis::api::test::test_cred();
}

std::string query_value(const std::string& url, const std::string& name) {
  auto at = url.find(name + "=");
  if (at == std::string::npos)
    return "<absent>";
  at += name.size() + 1;
  return url.substr(at, url.find('&', at) - at);
}

TEST(VenueCodes, SpellEveryVenueAsKisDoes) {
  EXPECT_EQ(venue_code(venue::unset), "KRX");
  EXPECT_EQ(venue_code(venue::krx), "KRX");
  EXPECT_EQ(venue_code(venue::nxt), "NXT");
  EXPECT_EQ(venue_code(venue::sor), "SOR");
  EXPECT_EQ(parse_venue_code("NXT"), venue::nxt);
  EXPECT_EQ(parse_venue_code("SOR"), venue::sor);
  EXPECT_FALSE(parse_venue_code(""));
  EXPECT_FALSE(parse_venue_code("nxt"));
  EXPECT_EQ(market_div_code(market_code::krx), "J");
  EXPECT_EQ(market_div_code(market_code::nxt), "NX");
  EXPECT_EQ(market_div_code(market_code::combined), "UN");
  EXPECT_EQ(parse_market_div_code("UN"), market_code::combined);
  EXPECT_FALSE(parse_market_div_code("W"));
  EXPECT_EQ(effective_venue(venue::unset), venue::krx);
  EXPECT_EQ(effective_venue(venue::unset, venue::sor), venue::sor);
  EXPECT_EQ(effective_venue(venue::nxt, venue::sor), venue::nxt);
}

TEST(VenueCodes, OrdExgGbSaysWhereAnOrderExecuted) {
  EXPECT_EQ(parse_exec_venue("1"), exec_venue::krx);
  EXPECT_EQ(parse_exec_venue("2"), exec_venue::nxt);
  EXPECT_EQ(parse_exec_venue("3"), exec_venue::sor_krx);
  EXPECT_EQ(parse_exec_venue("4"), exec_venue::sor_nxt);
  EXPECT_EQ(parse_exec_venue(""), exec_venue::unknown);
  EXPECT_EQ(parse_exec_venue("9"), exec_venue::unknown);
  EXPECT_EQ(parse_exec_venue("12"), exec_venue::unknown);
  EXPECT_EQ(exec_venue_code(exec_venue::sor_nxt), "4");
  EXPECT_EQ(kis::venue_of(exec_venue::sor_nxt), venue::nxt);
  EXPECT_EQ(kis::venue_of(exec_venue::sor_krx), venue::krx);
  EXPECT_EQ(kis::venue_of(exec_venue::unknown), venue::unset);
}

TEST(VenueCheck, PaperIsKrxOnlyNxtNeedsAnEligibleSymbolAndKindsFollowTheVenue) {
  EXPECT_FALSE(check_venue(venue::krx, environment::paper, order_kind::market, false));
  EXPECT_FALSE(check_venue(venue::unset, environment::paper, order_kind::limit, false));
  for (auto v : {venue::nxt, venue::sor}) {
    auto paper = check_venue(v, environment::paper, order_kind::limit, true);
    ASSERT_TRUE(paper);
    EXPECT_EQ(paper->code, errc::venue_refused);
    EXPECT_NE(paper->message.find("paper"), std::string::npos);
  }
  auto ineligible = check_venue(venue::nxt, environment::real, order_kind::limit, false);
  ASSERT_TRUE(ineligible);
  EXPECT_NE(ineligible->message.find("Nextrade does not trade"), std::string::npos);
  EXPECT_FALSE(check_venue(venue::nxt, environment::real, order_kind::limit, true));
  EXPECT_FALSE(check_venue(venue::sor, environment::real, order_kind::limit, false));
  auto market_on_nxt = check_venue(venue::nxt, environment::real, order_kind::market, true);
  ASSERT_TRUE(market_on_nxt);
  EXPECT_NE(market_on_nxt->message.find("NXT does not take ORD_DVSN 01"), std::string::npos);
  EXPECT_TRUE(check_venue(venue::sor, environment::real, order_kind::conditional, true));
  EXPECT_FALSE(check_venue(venue::sor, environment::real, order_kind::market, true));
  EXPECT_FALSE(check_venue(venue::krx, environment::real, order_kind::conditional, false));
}

TEST(VenueWire, OrdersCarryTheirRoute) {
  kis::order_request o{"c", "005930", kis::side::buy, order_kind::limit, 1, 70000, venue::nxt};
  auto p = order_params(o, cred());
  ASSERT_TRUE(p);
  auto r = build_request(endpoint_id::order_cash_buy, ctx(), *p);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(bj::parse(r->body).as_object().at("EXCG_ID_DVSN_CD"), "NXT");
  o.route = venue::unset;
  EXPECT_EQ(
      bj::parse(build_request(endpoint_id::order_cash_buy, ctx(), *order_params(o, cred()))->body)
          .as_object()
          .at("EXCG_ID_DVSN_CD"),
      "KRX");

  kis::revise_cancel_request cancel{
      "c", "06590", "0000006555", kis::revise_or_cancel::cancel, order_kind::limit, 0,
      0,   true,    venue::sor};
  auto rc =
      build_request(endpoint_id::order_revise_cancel, ctx(), *revise_cancel_params(cancel, cred()));
  ASSERT_TRUE(rc);
  EXPECT_EQ(bj::parse(rc->body).as_object().at("EXCG_ID_DVSN_CD"), "SOR");
}

TEST(VenueWire, PaperRefusesAnNxtOrSorOrderBeforeAnyCall) {
  kis::order_request o{"c", "005930", kis::side::sell, order_kind::limit, 1, 70000, venue::nxt};
  auto r = build_request(endpoint_id::order_cash_sell, ctx(environment::paper),
                         *order_params(o, cred()));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::venue_refused);
  EXPECT_EQ(r.error().message, "paper trading takes KRX orders only, not NXT");
  kis::revise_cancel_request cancel{
      "c", "06590", "0000006555", kis::revise_or_cancel::cancel, order_kind::limit, 0,
      0,   true,    venue::sor};
  auto rc = build_request(endpoint_id::order_revise_cancel, ctx(environment::paper),
                          *revise_cancel_params(cancel, cred()));
  ASSERT_FALSE(rc);
  EXPECT_EQ(rc.error().code, errc::venue_refused);
  // A raw call with a code nobody knows is refused without echoing it.
  std::vector<kis::field> raw{{"EXCG_ID_DVSN_CD", "<script>"}};
  auto odd = build_request(endpoint_id::order_cash_buy, ctx(environment::paper), raw);
  ASSERT_FALSE(odd);
  EXPECT_EQ(odd.error().message.find("<script>"), std::string::npos);
  // KRX on paper builds.
  o.route = venue::krx;
  EXPECT_TRUE(build_request(endpoint_id::order_cash_sell, ctx(environment::paper),
                            *order_params(o, cred())));
}

TEST(VenueWire, ReconciliationAsksForEveryVenueThereIs) {
  kis::fills_query q{20261201, 20261201, "", "", 0};
  auto url = [&](environment env) {
    auto p = fills_params(cred(), q, "", "", env);
    EXPECT_TRUE(p) << (p ? "" : p.error().message);
    return p ? build_request(endpoint_id::inquire_daily_fills, ctx(env), *p)->url : "";
  };
  EXPECT_EQ(query_value(url(environment::real), "EXCG_ID_DVSN_CD"), "ALL");
  EXPECT_EQ(query_value(url(environment::paper), "EXCG_ID_DVSN_CD"), "KRX");
  q.scope = venue_scope::nxt;
  EXPECT_EQ(query_value(url(environment::real), "EXCG_ID_DVSN_CD"), "NXT");
  auto paper_nxt = fills_params(cred(), q, "", "", environment::paper);
  ASSERT_FALSE(paper_nxt);
  EXPECT_EQ(paper_nxt.error().code, errc::venue_refused);
  q.scope = venue_scope::all;
  EXPECT_EQ(query_value(url(environment::paper), "EXCG_ID_DVSN_CD"), "KRX");
  q.scope = venue_scope::sor;
  EXPECT_EQ(query_value(url(environment::real), "EXCG_ID_DVSN_CD"), "SOR");
  q.scope = static_cast<venue_scope>(9);
  EXPECT_EQ(fills_params(cred(), q).error().code, errc::invalid_argument);
}

TEST(VenueWire, StockInfoAndHolidayRequestsAreRealOnly) {
  auto sp = stock_info_params("005930");
  ASSERT_TRUE(sp);
  auto r = build_request(endpoint_id::stock_info, ctx(), *sp);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->url, "https://openapi.example:9443/uapi/domestic-stock/v1/quotations/"
                    "search-stock-info?PRDT_TYPE_CD=300&PDNO=005930");
  EXPECT_EQ(build_request(endpoint_id::stock_info, ctx(environment::paper), *sp).error().code,
            errc::not_supported);
  EXPECT_FALSE(stock_info_params("00 5930"));

  auto hp = holiday_params(20261201, "FK", "NK");
  ASSERT_TRUE(hp);
  auto h = build_request(endpoint_id::holidays, ctx(), *hp, "N");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->url, "https://openapi.example:9443/uapi/domestic-stock/v1/quotations/"
                    "chk-holiday?BASS_DT=20261201&CTX_AREA_NK=NK&CTX_AREA_FK=FK");
  EXPECT_EQ(build_request(endpoint_id::holidays, ctx(environment::paper), *hp).error().code,
            errc::not_supported);
  EXPECT_EQ(holiday_params(20261301).error().code, errc::invalid_argument);
  EXPECT_EQ(lookup(endpoint_id::holidays).tr_real, "CTCA0903R");
  EXPECT_EQ(lookup(endpoint_id::stock_info).tr_real, "CTPF1002R");
}

TEST(VenueDecode, TheCcldRowSaysItsVenueAndAnUnknownOneLosesNothing) {
  auto body = [](std::string_view key, std::string_view code) {
    return R"({"rt_cd":"0","msg_cd":"KIOK0510","msg1":"ok","ctx_area_fk100":"","ctx_area_nk100":"",
      "output1":[{"odno":"0000000007","pdno":"005930","sll_buy_dvsn_cd":"02","ord_qty":"3",
      "tot_ccld_qty":"3","avg_prvs":"70000",")" +
           std::string{key} + R"(":")" + std::string{code} + R"("}],"output2":{}})";
  };
  auto nxt = decode_fills(parsed(body("excg_id_dvsn_cd", "NXT")), "D");
  ASSERT_TRUE(nxt) << nxt.error().message;
  EXPECT_EQ(nxt->rows.at(0).route, venue::nxt);
  auto portal_spelling = decode_fills(parsed(body("excg_id_dvsn_Cd", "SOR")), "D");
  ASSERT_TRUE(portal_spelling);
  EXPECT_EQ(portal_spelling->rows.at(0).route, venue::sor);
  auto odd = decode_fills(parsed(body("excg_id_dvsn_cd", "XYZ")), "D");
  ASSERT_TRUE(odd);
  EXPECT_EQ(odd->rows.at(0).route, venue::unset);
  EXPECT_EQ(odd->rows.at(0).filled_qty, 3);
}

TEST(VenueDecode, StockInfoSaysWhetherNextradeTradesIt) {
  auto info = decode_stock_info(parsed(R"({"rt_cd":"0","msg_cd":"KIOK0510","msg1":"ok",
    "output":{"pdno":"005930","prdt_type_cd":"300","mket_id_cd":"STK","prdt_abrv_name":"삼성전자",
    "tr_stop_yn":"N","cptt_trad_tr_psbl_yn":"Y","nxt_tr_stop_yn":"N"}})"));
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->symbol, "005930");
  EXPECT_EQ(info->name, "삼성전자");
  EXPECT_EQ(info->market_id, "STK");
  EXPECT_TRUE(info->nxt_eligible);
  EXPECT_FALSE(info->nxt_halted);
  EXPECT_FALSE(info->krx_halted);
  EXPECT_EQ(info->as_of, 0);
  // The flag is what the venue choice rests on: missing or odd is an error naming it.
  auto missing = decode_stock_info(parsed(R"({"rt_cd":"0","output":{"pdno":"005930"}})"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, errc::malformed);
  EXPECT_NE(missing.error().message.find("cptt_trad_tr_psbl_yn"), std::string::npos);
  auto odd = decode_stock_info(
      parsed(R"({"rt_cd":"0","output":{"pdno":"005930","cptt_trad_tr_psbl_yn":"1"}})"));
  ASSERT_FALSE(odd);
  EXPECT_NE(odd.error().message.find("cptt_trad_tr_psbl_yn"), std::string::npos);
  EXPECT_FALSE(decode_stock_info(parsed(R"({"rt_cd":"0"})")));
}

TEST(VenueDecode, HolidaysListDaysAndPage) {
  auto page = decode_holidays(parsed(R"({"rt_cd":"0","msg_cd":"KIOK0500","msg1":"ok",
    "ctx_area_nk":"20261226","ctx_area_fk":"20261224",
    "output":[{"bass_dt":"20261224","wday_dvsn_cd":"05","bzdy_yn":"Y","tr_day_yn":"Y",
               "opnd_yn":"Y","sttl_day_yn":"Y"},
              {"bass_dt":"20261225","wday_dvsn_cd":"06","bzdy_yn":"N","tr_day_yn":"N",
               "opnd_yn":"N","sttl_day_yn":"N"},
              {"bass_dt":"","wday_dvsn_cd":"","bzdy_yn":"","tr_day_yn":"","opnd_yn":"",
               "sttl_day_yn":""}]})"),
                              "M");
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(page->days.size(), 2u); // the blank row is skipped
  EXPECT_EQ(page->days[0].date, 20261224);
  EXPECT_EQ(page->days[0].weekday, 5);
  EXPECT_TRUE(page->days[0].open);
  EXPECT_FALSE(page->days[1].open);
  EXPECT_FALSE(page->days[1].business_day);
  EXPECT_TRUE(page->next.more);
  EXPECT_EQ(page->next.nk, "20261226");
  EXPECT_EQ(page->next.fk, "20261224");
  auto no_open = decode_holidays(parsed(R"({"rt_cd":"0","output":[{"bass_dt":"20261224"}]})"), "D");
  ASSERT_FALSE(no_open);
  EXPECT_NE(no_open.error().message.find("opnd_yn"), std::string::npos);
  auto bad_day = decode_holidays(
      parsed(R"({"rt_cd":"0","output":[{"bass_dt":"20261232","opnd_yn":"Y"}]})"), "D");
  ASSERT_FALSE(bad_day);
  EXPECT_NE(bad_day.error().message.find("bass_dt"), std::string::npos);
}

} // namespace
