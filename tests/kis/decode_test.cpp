// Decoders: realistic bodies built from the field lists of KIS-PROTOCOL.md §4 and the literal
// samples of §8, then the ways they go wrong.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "kis/kst.hpp"
#include "kis/rest_codec.hpp"
#include "support/http_reply.hpp"

namespace {

using namespace kis::api;
namespace bj = boost::json;
using kis::errc;
using kis::test::parsed;

constexpr std::string_view price_body = R"({"output":{"iscd_stat_cls_code":"55",
 "marg_rate":"20.00","rprs_mrkt_kor_name":"KOSPI200","bstp_kor_isnm":"전기.전자",
 "temp_stop_yn":"N","stck_prpr":"70100","prdy_vrss":"-400","prdy_vrss_sign":"5",
 "prdy_ctrt":"-0.57","acml_tr_pbmn":"86543210000","acml_vol":"1234567","stck_oprc":"70500",
 "stck_hgpr":"70900","stck_lwpr":"69800","stck_mxpr":"91600","stck_llam":"49400",
 "stck_sdpr":"70500","per":"13.21","pbr":"1.25","eps":"5307.00","bps":"56000.00",
 "w52_hgpr":"88800","w52_lwpr":"59000","aspr_unit":"100","hts_avls":"4184931",
 "vi_cls_code":"N","stck_shrn_iscd":"005930"},"rt_cd":"0","msg_cd":"MCA00000",
 "msg1":"정상처리 되었습니다."})";

TEST(DecodeQuote, InquirePrice) {
  auto q = decode_quote(parsed(price_body), "005930", 42);
  ASSERT_TRUE(q) << q.error().message;
  EXPECT_EQ(q->symbol, "005930");
  EXPECT_EQ(q->price, 70100);
  EXPECT_EQ(q->change, -400);
  EXPECT_EQ(q->sign, kis::price_sign::down);
  EXPECT_DOUBLE_EQ(q->change_pct, -0.57);
  EXPECT_EQ(q->open, 70500);
  EXPECT_EQ(q->high, 70900);
  EXPECT_EQ(q->low, 69800);
  EXPECT_EQ(q->upper_limit, 91600);
  EXPECT_EQ(q->lower_limit, 49400);
  EXPECT_EQ(q->base_price, 70500);
  EXPECT_EQ(q->volume, 1234567);
  EXPECT_EQ(q->turnover, 86543210000);
  EXPECT_EQ(q->tick_size, 100);
  EXPECT_FALSE(q->halted);
  EXPECT_EQ(q->received_ns, 42);
  // With no symbol given, the answer's own code is used.
  EXPECT_EQ(decode_quote(parsed(price_body), "")->symbol, "005930");
}

std::string replace(std::string_view body, std::string_view from, std::string_view to) {
  std::string s{body};
  auto at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  s.replace(at, from.size(), to);
  return s;
}

TEST(DecodeQuote, WrongTypesMissingFieldsAndHugeNumbers) {
  struct row {
    std::string body;
    std::string field;
  };
  for (const auto& [body, field] :
       {row{replace(price_body, R"("stck_prpr":"70100",)", ""), "stck_prpr"},
        row{replace(price_body, R"("stck_prpr":"70100")", R"("stck_prpr":["70100"])"), "stck_prpr"},
        row{replace(price_body, R"("acml_vol":"1234567")", R"("acml_vol":"99999999999999999999")"),
            "acml_vol"},
        row{replace(price_body, R"("prdy_vrss_sign":"5")", R"("prdy_vrss_sign":"9")"),
            "prdy_vrss_sign"},
        row{replace(price_body, R"("prdy_ctrt":"-0.57")", R"("prdy_ctrt":"abc")"), "prdy_ctrt"},
        row{replace(price_body, R"("stck_oprc":"70500")", R"("stck_oprc":70500.5)"), "stck_oprc"},
        row{replace(price_body, R"("output":{)", R"("output":[1],"x":{)"), "output"}}) {
    auto q = decode_quote(parsed(body), "005930");
    ASSERT_FALSE(q) << field;
    EXPECT_EQ(q.error().code, errc::malformed);
    EXPECT_NE(q.error().message.find(field), std::string::npos) << q.error().message;
  }
  // An added field is fine; a blank optional one reads as zero.
  auto extra = replace(price_body, R"("stck_mxpr":"91600")", R"("stck_mxpr":"","new_field":"x")");
  auto q = decode_quote(parsed(extra), "005930");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->upper_limit, 0);
}

// A 100-row period chart, newest first, ending the day before `newest`.
std::string chart_body(int rows, std::int32_t newest) {
  bj::array out2;
  std::int32_t date = newest;
  for (int i = 0; i < rows; ++i) {
    bj::object r;
    r["stck_bsop_date"] = kst::format_date(date);
    r["stck_clpr"] = std::to_string(70000 + i);
    r["stck_oprc"] = std::to_string(69900 + i);
    r["stck_hgpr"] = std::to_string(70500 + i);
    r["stck_lwpr"] = std::to_string(69500 + i);
    r["acml_vol"] = std::to_string(1000000 + i);
    r["acml_tr_pbmn"] = std::to_string(70000000000LL + i);
    r["flng_cls_code"] = "00";
    r["prtt_rate"] = "0.00";
    r["mod_yn"] = "N";
    r["prdy_vrss_sign"] = "2";
    r["prdy_vrss"] = "100";
    r["revl_issu_reas"] = "";
    out2.push_back(std::move(r));
    date = kst::add_days(date, -1);
  }
  bj::object root{{"rt_cd", "0"}, {"msg_cd", "MCA00000"}, {"msg1", "정상처리 되었습니다."}};
  root["output1"] = bj::object{{"stck_prpr", "70100"}, {"hts_kor_isnm", "삼성전자"}};
  root["output2"] = std::move(out2);
  return bj::serialize(root);
}

TEST(DecodeChart, FullPagePointsToTheDayBeforeTheOldestRow) {
  kis::chart_query q{"005930", 20240101, 20241231, 'D', true, "J"};
  auto page = decode_chart(parsed(chart_body(100, 20241231)), q);
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(page->bars.size(), 100u);
  EXPECT_EQ(page->bars.front().date, 20241231);
  EXPECT_EQ(page->bars.front().close, 70000);
  EXPECT_EQ(page->bars.front().turnover, 70000000000);
  EXPECT_EQ(page->bars.back().date, kst::add_days(20241231, -99));
  EXPECT_EQ(page->next_to_date, kst::add_days(20241231, -100));
  EXPECT_EQ(page->bars.back().symbol, "005930");
}

TEST(DecodeChart, ShortPageOrReachedStartEndsPaging) {
  kis::chart_query q{"005930", 20240101, 20241231, 'D', true, "J"};
  EXPECT_EQ(decode_chart(parsed(chart_body(37, 20241231)), q)->next_to_date, 0);
  q.from_date = kst::add_days(20241231, -99); // the oldest row is the first wanted day
  EXPECT_EQ(decode_chart(parsed(chart_body(100, 20241231)), q)->next_to_date, 0);
  // An empty range comes back as one blank row.
  auto empty = decode_chart(
      parsed(R"({"rt_cd":"0","msg_cd":"MCA00000","msg1":"","output1":{},"output2":[{}]})"), q);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->bars.empty());
  auto no_rows = decode_chart(parsed(R"({"rt_cd":"0","output1":{}})"), q);
  ASSERT_FALSE(no_rows);
  EXPECT_EQ(no_rows.error().code, errc::malformed);
  auto bad_date =
      decode_chart(parsed(replace(chart_body(2, 20241231), "\"20241231\"", "\"20241331\"")), q);
  ASSERT_FALSE(bad_date);
  EXPECT_NE(bad_date.error().message.find("stck_bsop_date"), std::string::npos);
}

TEST(DecodeDailyPrices, OutputArray) {
  auto body = R"({"output":[{"stck_bsop_date":"20261120","stck_oprc":"70000","stck_hgpr":"71000",
    "stck_lwpr":"69000","stck_clpr":"70500","acml_vol":"12345","prdy_vrss_vol_rate":"-3.1",
    "prdy_vrss":"500","prdy_vrss_sign":"2","prdy_ctrt":"0.71","hts_frgn_ehrt":"55.1",
    "frgn_ntby_qty":"-100","flng_cls_code":"00","acml_prtt_rate":"0.00"},
    {"stck_bsop_date":"20261119","stck_oprc":"69000","stck_hgpr":"70000","stck_lwpr":"68500",
    "stck_clpr":"70000","acml_vol":"23456"}],"rt_cd":"0","msg_cd":"MCA00000","msg1":"ok"})";
  auto bars = decode_daily_prices(parsed(body), "005930");
  ASSERT_TRUE(bars) << bars.error().message;
  ASSERT_EQ(bars->size(), 2u);
  EXPECT_EQ((*bars)[0].date, 20261120);
  EXPECT_EQ((*bars)[0].close, 70500);
  EXPECT_EQ((*bars)[1].volume, 23456);
  EXPECT_EQ((*bars)[1].turnover, 0);
}

TEST(DecodeOrderAck, RealOrderAcceptedSample) {
  auto ack = decode_order_ack(
      parsed(
          R"({"rt_cd":"0","msg_cd":"APBK0013","msg1":"주문 전송 완료 되었습니다.","output":{"KRX_FWDG_ORD_ORGNO":"06590","ODNO":"0000006555","ORD_TMD":"151059"}})"),
      "client-7");
  ASSERT_TRUE(ack) << ack.error().message;
  EXPECT_EQ(ack->client_id, "client-7");
  EXPECT_EQ(ack->org_no, "06590");
  EXPECT_EQ(ack->order_no, "0000006555");
  EXPECT_EQ(ack->order_time, "151059");
  EXPECT_EQ(ack->msg_cd, "APBK0013");
  EXPECT_EQ(ack->message, "주문 전송 완료 되었습니다.");
}

TEST(DecodeOrderAck, ReviseCancelAnswersInLowerCase) {
  auto ack = decode_order_ack(
      parsed(
          R"({"rt_cd":"0","msg_cd":"APBK0013","msg1":"ok","output":[{"krx_fwdg_ord_orgno":"06590","odno":"0000006560","ord_tmd":"151200"}]})"),
      "c");
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->order_no, "0000006560");
  EXPECT_EQ(ack->order_time, "151200");
  auto missing =
      decode_order_ack(parsed(R"({"rt_cd":"0","output":{"KRX_FWDG_ORD_ORGNO":"06590"}})"), "c");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, errc::malformed);
}

constexpr std::string_view balance_body =
    R"({"ctx_area_fk100":"50000000^01^N^N^02^01^N^N                                       ",
 "ctx_area_nk100":"005930^                                                                                        ",
 "output1":[{"pdno":"005930","prdt_name":"삼성전자","trad_dvsn_name":"현금","bfdy_buy_qty":"0",
 "bfdy_sll_qty":"0","thdt_buyqty":"10","thdt_sll_qty":"0","hldg_qty":"10","ord_psbl_qty":"10",
 "pchs_avg_pric":"70123.5000","pchs_amt":"701235","prpr":"70100","evlu_amt":"701000",
 "evlu_pfls_amt":"-235","evlu_pfls_rt":"-0.03","evlu_erng_rt":"0.00000000"},
 {"pdno":"000660","prdt_name":"SK하이닉스","hldg_qty":"3","ord_psbl_qty":"1",
 "pchs_avg_pric":"180000.0000","prpr":"181000","evlu_amt":"543000","evlu_pfls_amt":"3000"}],
 "output2":[{"dnca_tot_amt":"98000000","nxdy_excc_amt":"97000000","prvs_rcdl_excc_amt":"96000000",
 "tot_evlu_amt":"98700000","nass_amt":"98700000","pchs_amt_smtl_amt":"1241235",
 "evlu_amt_smtl_amt":"1244000","evlu_pfls_smtl_amt":"2765","asst_icdc_amt":"0"}],
 "rt_cd":"0","msg_cd":"KIOK0510","msg1":"조회가 완료되었습니다                                                         "})";

TEST(DecodeBalance, HoldingsTotalsAndContinuation) {
  auto page = decode_balance(parsed(balance_body), "M");
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(page->value.holdings.size(), 2u);
  const auto& h = page->value.holdings[0];
  EXPECT_EQ(h.symbol, "005930");
  EXPECT_EQ(h.name, "삼성전자");
  EXPECT_EQ(h.qty, 10);
  EXPECT_EQ(h.avg_price, 70124); // rounded to KRW
  EXPECT_EQ(h.eval_pnl, -235);
  EXPECT_EQ(page->value.holdings[1].orderable_qty, 1);
  EXPECT_EQ(page->value.deposit, 98000000);
  EXPECT_EQ(page->value.total_eval, 98700000);
  EXPECT_EQ(page->value.eval_pnl_total, 2765);
  EXPECT_TRUE(page->next.more);
  EXPECT_TRUE(page->next.nk.starts_with("005930^"));
  EXPECT_TRUE(decode_balance(parsed(balance_body), "F")->next.more);
  EXPECT_FALSE(decode_balance(parsed(balance_body), "D")->next.more);
  EXPECT_FALSE(decode_balance(parsed(balance_body), "E")->next.more);
  EXPECT_FALSE(decode_balance(parsed(balance_body), "")->next.more);

  kis::balance all;
  merge_balance(all, std::move(decode_balance(parsed(balance_body), "M")->value));
  merge_balance(all, std::move(decode_balance(parsed(balance_body), "D")->value));
  EXPECT_EQ(all.holdings.size(), 4u);
  EXPECT_EQ(all.deposit, 98000000);
}

TEST(DecodeBalance, EmptyAccountAndBrokenRows) {
  auto empty = decode_balance(
      parsed(R"({"rt_cd":"0","output1":[],"output2":[{"dnca_tot_amt":"5","tot_evlu_amt":"5"}]})"),
      "D");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->value.holdings.empty());
  EXPECT_EQ(empty->value.deposit, 5);
  auto broken = decode_balance(
      parsed(replace(balance_body, R"("hldg_qty":"10")", R"("hldg_qty":"ten")")), "D");
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().message.find("hldg_qty"), std::string::npos);
  auto no_totals = decode_balance(parsed(R"({"rt_cd":"0","output1":[]})"), "D");
  EXPECT_FALSE(no_totals);
}

TEST(DecodeBuyable, Output) {
  auto b = decode_buyable(parsed(R"({"rt_cd":"0","msg_cd":"MCA00000","msg1":"ok","output":{
    "ord_psbl_cash":"98000000","ord_psbl_sbst":"0","ruse_psbl_amt":"0","fund_rpch_chgs":"0",
    "psbl_qty_calc_unpr":"70100","nrcvb_buy_amt":"97999900","nrcvb_buy_qty":"1398",
    "max_buy_amt":"98000000","max_buy_qty":"1398","cma_evlu_amt":"0","ovrs_re_use_amt_wcrc":"0",
    "ord_psbl_frcr_amt_wcrc":"0"}})"),
                          "005930");
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->orderable_cash, 98000000);
  EXPECT_EQ(b->max_qty_no_margin, 1398);
  EXPECT_EQ(b->max_amount_no_margin, 97999900);
  EXPECT_EQ(b->max_qty, 1398);
  EXPECT_EQ(b->calc_price, 70100);
  EXPECT_FALSE(decode_buyable(parsed(R"({"rt_cd":"0","output":{"ord_psbl_cash":"1"}})"), "x"));
}

constexpr std::string_view fills_body = R"({"ctx_area_fk100":"50000000^01^20261120^20261120",
 "ctx_area_nk100":"0000006555","rt_cd":"0","msg_cd":"MCA00000","msg1":"ok",
 "output1":[{"ord_dt":"20261120","ord_gno_brno":"06590","odno":"0000006555","orgn_odno":"",
 "ord_dvsn_name":"지정가","sll_buy_dvsn_cd":"02","sll_buy_dvsn_cd_name":"현금매수",
 "pdno":"005930","prdt_name":"삼성전자","ord_qty":"10","ord_unpr":"70000","ord_tmd":"151059",
 "tot_ccld_qty":"4","avg_prvs":"69950.5","cncl_yn":"N","tot_ccld_amt":"279802","loan_dt":"",
 "ord_dvsn_cd":"00","cncl_cfrm_qty":"0","rmn_qty":"6","rjct_qty":"0","ccld_cndt_name":"없음",
 "excg_id_dvsn_cd":"KRX"},{"ord_dt":"20261120","ord_gno_brno":"06590","odno":"0000006556",
 "orgn_odno":"0000006555","sll_buy_dvsn_cd":"01","pdno":"005930","ord_qty":"6","ord_unpr":"0",
 "ord_tmd":"151500","tot_ccld_qty":"0","avg_prvs":"0","cncl_yn":"Y","tot_ccld_amt":"0",
 "ord_dvsn_cd":"00","rmn_qty":"0","rjct_qty":"0"}],
 "output2":{"tot_ord_qty":"16","tot_ccld_qty":"4","tot_ccld_amt":"279802","prsm_tlex_smtl":"0",
 "pchs_avg_pric":"69950.5"}})";

TEST(DecodeFills, RowsAndContinuation) {
  auto page = decode_fills(parsed(fills_body), "F");
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(page->rows.size(), 2u);
  const auto& f = page->rows[0];
  EXPECT_EQ(f.date, "20261120");
  EXPECT_EQ(f.org_no, "06590");
  EXPECT_EQ(f.order_no, "0000006555");
  EXPECT_EQ(f.dir, kis::side::buy);
  EXPECT_EQ(f.order_qty, 10);
  EXPECT_EQ(f.filled_qty, 4);
  EXPECT_EQ(f.avg_price, 69951);
  EXPECT_EQ(f.remaining_qty, 6);
  EXPECT_FALSE(f.cancelled);
  EXPECT_EQ(page->rows[1].dir, kis::side::sell);
  EXPECT_TRUE(page->rows[1].cancelled);
  EXPECT_EQ(page->rows[1].orig_order_no, "0000006555");
  EXPECT_TRUE(page->next.more);
  EXPECT_EQ(page->next.nk, "0000006555");
  auto bad_side = decode_fills(
      parsed(replace(fills_body, R"("sll_buy_dvsn_cd":"02")", R"("sll_buy_dvsn_cd":"03")")), "D");
  ASSERT_FALSE(bad_side);
  EXPECT_NE(bad_side.error().message.find("sll_buy_dvsn_cd"), std::string::npos);
}

TEST(DecodeToken, SampleUsesTheKstExpiry) {
  auto t = decode_token(
      parsed(
          R"({"access_token":"eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzUxMiJ9.payload.sig","access_token_token_expired":"2023-12-22 08:16:59","token_type":"Bearer","expires_in":86400})"),
      1000);
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->value, "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzUxMiJ9.payload.sig");
  EXPECT_EQ(t->type, "Bearer");
  EXPECT_EQ(t->issued_ns, 1000);
  EXPECT_EQ(t->expires_ns, *kst::parse_datetime("2023-12-22 08:16:59"));
  EXPECT_EQ(kst::format_datetime(t->expires_ns), "2023-12-22 08:16:59");
}

TEST(DecodeToken, FallsBackToExpiresIn) {
  auto t = decode_token(
      parsed(R"({"access_token":"abc","token_type":"Bearer","expires_in":86400})"), 5'000'000'000);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->expires_ns, 5'000'000'000 + 86400LL * 1'000'000'000);
  auto as_text = decode_token(parsed(R"({"access_token":"abc","expires_in":"7776000"})"), 0);
  ASSERT_TRUE(as_text);
  EXPECT_EQ(as_text->expires_ns, 7776000LL * 1'000'000'000);
}

TEST(DecodeToken, RefusesBrokenAnswersWithoutEchoingTheToken) {
  for (auto body :
       {R"({"access_token":"SECRETTOKEN","access_token_token_expired":"22/12/2023 08:16"})",
        R"({"access_token":"SECRETTOKEN"})", R"({"access_token":"","expires_in":86400})",
        R"({"access_token":12345,"expires_in":86400})",
        R"({"access_token":"SECRETTOKEN","expires_in":"-5"})",
        R"({"access_token":"SECRETTOKEN","expires_in":"99999999999999999999"})",
        // Found by rest_reply_fuzz: refused, but still multiplied (signed overflow).
        R"({"access_token":"SECRETTOKEN","expires_in":"99999999999999999"})"}) {
    auto t = decode_token(parsed(body), 0);
    ASSERT_FALSE(t) << body;
    EXPECT_EQ(t.error().code, errc::malformed);
    EXPECT_EQ(t.error().message.find("SECRETTOKEN"), std::string::npos);
  }
}

TEST(DecodeApproval, KeyValidForADay) {
  auto k = decode_approval(parsed(R"({"approval_key":"a2585daf-8c09-4587-9fce-8ab893d8f4ea"})"), 7);
  ASSERT_TRUE(k);
  EXPECT_EQ(k->value, "a2585daf-8c09-4587-9fce-8ab893d8f4ea");
  EXPECT_EQ(k->expires_ns - k->issued_ns, 86400LL * 1'000'000'000);
  EXPECT_FALSE(decode_approval(parsed(R"({"approval":"x"})"), 7));
}

TEST(DecodeHashkey, Hash) {
  EXPECT_EQ(*decode_hashkey(parsed(R"({"BODY":{"CANO":"1"},"HASH":"abc123"})")), "abc123");
  EXPECT_FALSE(decode_hashkey(parsed(R"({"BODY":{}})")));
}

} // namespace
