// The endpoint bodies of the simulator's gateway: market data and trading, in KIS's JSON shapes
// (every number a string; output / output1 / output2; ctx_area_*; tr_cont response header).
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "kis/kst.hpp"
#include "sim/gateway.hpp"

namespace kis::sim {

namespace json = boost::json;

namespace {

// Bad input inside a handler; dispatch turns it into an rt_cd "1" answer (never a crash).
struct input_error {
  std::string code;
  std::string text;
};

[[noreturn]] void missing(std::string_view name) {
  throw input_error{"OPSQ2001", "ERROR : INPUT_FIELD_NAME " + std::string{name}};
}
[[noreturn]] void invalid(std::string_view name) {
  throw input_error{"OPSQ2002", "ERROR : INPUT_FIELD_VALUE " + std::string{name}};
}

const std::string& need(const gateway::call& c, const std::string& name) {
  auto it = c.params.find(name);
  if (it == c.params.end())
    missing(name);
  return it->second;
}

std::string opt(const gateway::call& c, const std::string& name) {
  auto it = c.params.find(name);
  return it == c.params.end() ? std::string{} : it->second;
}

// Digits only, at most 15 of them: KRW amounts and share counts fit easily.
std::int64_t to_count(const std::string& name, std::string_view s) {
  if (s.empty() || s.size() > 15 ||
      !std::all_of(s.begin(), s.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
    invalid(name);
  std::int64_t v = 0;
  for (char ch : s)
    v = v * 10 + (ch - '0');
  return v;
}

std::int64_t need_count(const gateway::call& c, const std::string& name) {
  return to_count(name, need(c, name));
}

std::int32_t need_date(const gateway::call& c, const std::string& name) {
  auto d = api::kst::parse_date(need(c, name));
  if (!d)
    invalid(name);
  return *d;
}

void one_of(const gateway::call& c, const std::string& name,
            std::initializer_list<std::string_view> allowed, bool required = true) {
  auto it = c.params.find(name);
  if (it == c.params.end()) {
    if (required)
      missing(name);
    return;
  }
  if (std::find(allowed.begin(), allowed.end(), it->second) == allowed.end())
    invalid(name);
}

std::string num(std::int64_t v) {
  return std::to_string(v);
}

std::string fixed(double v, int places) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", places, v);
  return buf;
}

double pct(std::int64_t part, std::int64_t whole) {
  return whole == 0 ? 0.0 : static_cast<double>(part) * 100.0 / static_cast<double>(whole);
}

std::string sign_code(std::int64_t close, std::int64_t prev) {
  if (prev > 0 && close == upper_limit(prev) && close != prev)
    return "1";
  if (prev > 0 && close == lower_limit(prev) && close != prev)
    return "4";
  return close > prev ? "2" : close < prev ? "5" : "3";
}

std::string side_code(side d) {
  return d == side::sell ? "01" : "02";
}

std::string kind_name(std::string_view code) {
  return code == "01" ? "시장가" : "지정가";
}

json::object ok_body(std::string_view code, std::string_view text) {
  return {{"rt_cd", "0"}, {"msg_cd", code}, {"msg1", text}};
}

json::object query_ok() {
  return ok_body("MCA00000", "정상처리 되었습니다.");
}

json::object account_ok() {
  return ok_body("KIOK0510", "조회가 완료되었습니다");
}

// tr_cont: F/M when more pages follow, D/E on the last (first call / continuation).
std::string tr_cont_for(bool continuation, bool more) {
  return more ? (continuation ? "M" : "F") : (continuation ? "E" : "D");
}

// The page offset a continuation asks for; a first call starts at 0.
std::size_t page_offset(const gateway::call& c) {
  if (c.tr_cont != "N")
    return 0;
  auto nk = opt(c, "CTX_AREA_NK100");
  auto first = nk.find_first_not_of(' ');
  nk = first == std::string::npos ? "" : nk.substr(first, nk.find_last_not_of(' ') - first + 1);
  return nk.empty() ? 0 : static_cast<std::size_t>(to_count("CTX_AREA_NK100", nk));
}

} // namespace

http_response gateway::dispatch(const call& c) {
  try {
    switch (c.ep->id) {
    case endpoint_id::inquire_price:
      return inquire_price(c);
    case endpoint_id::inquire_daily_price:
      return inquire_daily_price(c);
    case endpoint_id::inquire_chart:
      return inquire_chart(c);
    case endpoint_id::order_cash_buy:
    case endpoint_id::order_cash_sell:
      return order_cash(c);
    case endpoint_id::order_revise_cancel:
      return order_revise(c);
    case endpoint_id::inquire_balance:
      return inquire_balance(c);
    case endpoint_id::inquire_buyable:
      return inquire_buyable(c);
    case endpoint_id::inquire_daily_fills:
      return inquire_fills(c);
    default:
      break;
    }
    return reply::kis_error(200, "OPSQ0002", "없는 서비스 코드 입니다", c.tr_id);
  } catch (const input_error& e) {
    return reply::kis_error(200, e.code, e.text, c.tr_id);
  }
}

// --- market data -------------------------------------------------------------------------------

namespace {

const std::string& need_symbol(const gateway::call& c, const market& m) {
  one_of(c, "FID_COND_MRKT_DIV_CODE", {"J", "NX", "UN"});
  const auto& s = need(c, "FID_INPUT_ISCD");
  if (!m.known(s))
    invalid("FID_INPUT_ISCD");
  return s;
}

} // namespace

http_response gateway::inquire_price(const call& c) {
  const auto& symbol = need_symbol(c, market_);
  const auto q = market_.quote(symbol);
  const auto& in = market_.info(symbol);
  const auto [hi52, lo52] = market_.year_range(symbol);
  json::object out{
      {"iscd_stat_cls_code", "55"},
      {"marg_rate", "20.00"},
      {"rprs_mrkt_kor_name", "KOSPI"},
      {"bstp_kor_isnm", "시뮬레이션"},
      {"temp_stop_yn", "N"},
      {"oprc_rang_cont_yn", "N"},
      {"clpr_rang_cont_yn", "N"},
      {"crdt_able_yn", "Y"},
      {"grmn_rate_cls_code", "40"},
      {"elw_pblc_yn", "N"},
      {"stck_prpr", num(q.price)},
      {"prdy_vrss", num(q.change)},
      {"prdy_vrss_sign", std::to_string(static_cast<int>(q.sign))},
      {"prdy_ctrt", fixed(q.change_pct, 2)},
      {"acml_tr_pbmn", num(q.turnover)},
      {"acml_vol", num(q.volume)},
      {"stck_oprc", num(q.open)},
      {"stck_hgpr", num(q.high)},
      {"stck_lwpr", num(q.low)},
      {"stck_mxpr", num(q.upper_limit)},
      {"stck_llam", num(q.lower_limit)},
      {"stck_sdpr", num(q.base_price)},
      {"wghn_avrg_stck_prc",
       fixed(q.volume == 0 ? 0.0 : static_cast<double>(q.turnover) / static_cast<double>(q.volume),
             2)},
      {"hts_frgn_ehrt", "0.00"},
      {"frgn_ntby_qty", "0"},
      {"pgtr_ntby_qty", "0"},
      {"rstc_wdth_prc", num(q.upper_limit - q.base_price)},
      {"stck_fcam", "100"},
      {"stck_sspr", num(q.base_price * 7 / 10)},
      {"aspr_unit", num(q.tick_size)},
      {"hts_deal_qty_unit_val", "1"},
      {"lstn_stcn", num(in.shares)},
      {"hts_avls", num(q.price * in.shares / 100'000'000)}, // 억원
      {"per",
       fixed(in.eps == 0 ? 0.0 : static_cast<double>(q.price) / static_cast<double>(in.eps), 2)},
      {"pbr",
       fixed(in.bps == 0 ? 0.0 : static_cast<double>(q.price) / static_cast<double>(in.bps), 2)},
      {"stac_month", "12"},
      {"vol_tnrt", fixed(pct(q.volume, in.shares), 2)},
      {"eps", fixed(static_cast<double>(in.eps), 2)},
      {"bps", fixed(static_cast<double>(in.bps), 2)},
      {"w52_hgpr", num(hi52)},
      {"w52_lwpr", num(lo52)},
      {"whol_loan_rmnd_rate", "0.00"},
      {"ssts_yn", "Y"},
      {"stck_shrn_iscd", symbol},
      {"fcam_cnnm", "100"},
      {"frgn_hldn_qty", "0"},
      {"vi_cls_code", "N"},
      {"ovtm_vi_cls_code", "N"},
      {"last_ssts_cntg_qty", "0"},
      {"invt_caful_yn", "N"},
      {"mrkt_warn_cls_code", "00"},
      {"short_over_yn", "N"},
      {"sltr_yn", "N"},
      {"mang_issu_cls_code", "N"},
  };
  auto body = query_ok();
  body["output"] = std::move(out);
  return reply::json(200, body, c.tr_id);
}

namespace {

// A history row in the shape both daily endpoints share; prev is the next older close.
json::object bar_row(const kis::daily_bar& b, std::int64_t prev) {
  return {{"stck_bsop_date", std::to_string(b.date)},
          {"stck_clpr", num(b.close)},
          {"stck_oprc", num(b.open)},
          {"stck_hgpr", num(b.high)},
          {"stck_lwpr", num(b.low)},
          {"acml_vol", num(b.volume)},
          {"acml_tr_pbmn", num(b.turnover)},
          {"flng_cls_code", "00"},
          {"prdy_vrss_sign", sign_code(b.close, prev)},
          {"prdy_vrss", num(prev == 0 ? 0 : b.close - prev)}};
}

char need_period(const gateway::call& c, std::initializer_list<std::string_view> allowed) {
  one_of(c, "FID_PERIOD_DIV_CODE", allowed);
  return need(c, "FID_PERIOD_DIV_CODE").front();
}

} // namespace

http_response gateway::inquire_daily_price(const call& c) {
  const auto& symbol = need_symbol(c, market_);
  auto period = need_period(c, {"D", "W", "M"});
  one_of(c, "FID_ORG_ADJ_PRC", {"0", "1"});
  auto bars = market_.bars(symbol, 0, market_.session_date(), period);
  json::array rows;
  for (std::size_t i = 0; i < bars.size() && i < 30; ++i) {
    auto prev = i + 1 < bars.size() ? bars[i + 1].close : 0;
    auto row = bar_row(bars[i], prev);
    row.erase("acml_tr_pbmn");
    row["prdy_ctrt"] = fixed(pct(prev == 0 ? 0 : bars[i].close - prev, prev), 2);
    row["prdy_vrss_vol_rate"] = fixed(
        i + 1 < bars.size() ? pct(bars[i].volume - bars[i + 1].volume, bars[i + 1].volume) : 0.0,
        2);
    row["hts_frgn_ehrt"] = "0.00";
    row["frgn_ntby_qty"] = "0";
    row["acml_prtt_rate"] = "0.00";
    rows.push_back(std::move(row));
  }
  auto body = query_ok();
  body["output"] = std::move(rows);
  return reply::json(200, body, c.tr_id);
}

http_response gateway::inquire_chart(const call& c) {
  const auto& symbol = need_symbol(c, market_);
  auto from = need_date(c, "FID_INPUT_DATE_1");
  auto to = need_date(c, "FID_INPUT_DATE_2");
  auto period = need_period(c, {"D", "W", "M", "Y"});
  one_of(c, "FID_ORG_ADJ_PRC", {"0", "1"});
  const auto q = market_.quote(symbol);
  const auto& in = market_.info(symbol);
  // One extra (older) bar gives the oldest row its change versus the day before.
  auto bars = market_.bars(symbol, api::kst::add_days(from, -400), to, period);
  json::array rows;
  for (std::size_t i = 0; i < bars.size() && rows.size() < 100 && bars[i].date >= from; ++i)
    rows.push_back(bar_row(bars[i], i + 1 < bars.size() ? bars[i + 1].close : 0));
  json::object out1{
      {"prdy_vrss", num(q.change)},
      {"prdy_vrss_sign", std::to_string(static_cast<int>(q.sign))},
      {"prdy_ctrt", fixed(q.change_pct, 2)},
      {"stck_prdy_clpr", num(q.base_price)},
      {"acml_vol", num(q.volume)},
      {"acml_tr_pbmn", num(q.turnover)},
      {"hts_kor_isnm", in.name},
      {"stck_prpr", num(q.price)},
      {"stck_shrn_iscd", symbol},
      {"stck_mxpr", num(q.upper_limit)},
      {"stck_llam", num(q.lower_limit)},
      {"stck_oprc", num(q.open)},
      {"stck_hgpr", num(q.high)},
      {"stck_lwpr", num(q.low)},
      {"vol_tnrt", fixed(pct(q.volume, in.shares), 2)},
      {"stck_fcam", "100"},
      {"lstn_stcn", num(in.shares)},
      {"hts_avls", num(q.price * in.shares / 100'000'000)},
      {"per",
       fixed(in.eps == 0 ? 0.0 : static_cast<double>(q.price) / static_cast<double>(in.eps), 2)},
      {"eps", fixed(static_cast<double>(in.eps), 2)},
      {"pbr",
       fixed(in.bps == 0 ? 0.0 : static_cast<double>(q.price) / static_cast<double>(in.bps), 2)},
  };
  auto body = query_ok();
  body["output1"] = std::move(out1);
  body["output2"] = std::move(rows);
  return reply::json(200, body, c.tr_id);
}

// --- orders ------------------------------------------------------------------------------------

void gateway::log_order(const call& c, std::int64_t qty, std::int64_t price,
                        const order_answer& a) {
  ++stats_.orders_received;
  ++(a.v.ok ? stats_.orders_accepted : stats_.orders_rejected);
  order_log_.push_back(order_log_entry{c.tr_id, a.symbol, a.dir, opt(c, "ORD_DVSN"), qty, price,
                                       clock_->now_ns(), a.order_no, opt(c, "ORGN_ODNO"),
                                       a.v.msg_cd});
}

http_response gateway::order_cash(const call& c) {
  order_input in;
  in.tr_id = c.tr_id;
  in.cano = need(c, "CANO");
  in.product = need(c, "ACNT_PRDT_CD");
  in.symbol = need(c, "PDNO");
  in.dir = c.ep->id == endpoint_id::order_cash_sell ? side::sell : side::buy;
  in.kind_code = need(c, "ORD_DVSN");
  in.qty = need_count(c, "ORD_QTY");
  in.price = need_count(c, "ORD_UNPR");
  one_of(c, "EXCG_ID_DVSN_CD", {"KRX", ""}, false); // the simulator is one KRX book
  one_of(c, "SLL_TYPE", {"01", "02", "05", ""}, false);
  auto a = exchange_.place(in);
  if (a.symbol.empty()) { // refused before it became an order: log what was asked
    a.symbol = in.symbol;
    a.dir = in.dir;
  }
  log_order(c, in.qty, in.price, a);
  if (!a.v.ok)
    return reply::kis_error(200, a.v.msg_cd, a.v.msg1, c.tr_id);
  auto body = ok_body(a.v.msg_cd, a.v.msg1);
  body["output"] =
      json::object{{"KRX_FWDG_ORD_ORGNO", a.org_no}, {"ODNO", a.order_no}, {"ORD_TMD", a.time}};
  return reply::json(200, body, c.tr_id);
}

http_response gateway::order_revise(const call& c) {
  revise_input in;
  in.tr_id = c.tr_id;
  in.cano = need(c, "CANO");
  in.product = need(c, "ACNT_PRDT_CD");
  in.org_no = need(c, "KRX_FWDG_ORD_ORGNO");
  in.order_no = need(c, "ORGN_ODNO");
  in.kind_code = need(c, "ORD_DVSN");
  one_of(c, "RVSE_CNCL_DVSN_CD", {"01", "02"});
  in.cancel = need(c, "RVSE_CNCL_DVSN_CD") == "02";
  one_of(c, "QTY_ALL_ORD_YN", {"Y", "N"});
  in.all_qty = need(c, "QTY_ALL_ORD_YN") == "Y";
  in.qty = need_count(c, "ORD_QTY");
  in.price = need_count(c, "ORD_UNPR");
  one_of(c, "EXCG_ID_DVSN_CD", {"KRX", ""}, false);
  auto a = exchange_.revise(in);
  log_order(c, in.qty, in.price, a);
  if (!a.v.ok)
    return reply::kis_error(200, a.v.msg_cd, a.v.msg1, c.tr_id);
  auto body = ok_body(a.v.msg_cd, a.v.msg1);
  body["output"] =
      json::object{{"krx_fwdg_ord_orgno", a.org_no}, {"odno", a.order_no}, {"ord_tmd", a.time}};
  return reply::json(200, body, c.tr_id);
}

// --- account queries ---------------------------------------------------------------------------

namespace {

void need_account(const gateway::call& c, const exchange& ex) {
  if (!ex.owns(need(c, "CANO"), need(c, "ACNT_PRDT_CD")))
    throw input_error{"OPSQ2000", "ERROR : INPUT INVALID_CHECK_ACNO"};
}

} // namespace

http_response gateway::inquire_balance(const call& c) {
  need_account(c, exchange_);
  one_of(c, "AFHR_FLPR_YN", {"N", "Y", "X"});
  one_of(c, "INQR_DVSN", {"01", "02"});
  one_of(c, "UNPR_DVSN", {"01"});
  one_of(c, "FUND_STTL_ICLD_YN", {"N", "Y"});
  one_of(c, "FNCG_AMT_AUTO_RDPT_YN", {"N", "Y"});
  one_of(c, "PRCS_DVSN", {"00", "01"});
  const auto size = opts_.env == api::environment::real ? 50u : 20u;
  auto pg = exchange_.balance_page(page_offset(c), size);
  json::array rows;
  for (const auto& h : pg.rows) {
    auto [bought, sold] = exchange_.today_qty(h.symbol);
    auto cost = h.eval_amount - h.eval_pnl;
    rows.push_back(json::object{
        {"pdno", h.symbol},
        {"prdt_name", h.name},
        {"trad_dvsn_name", "현금"},
        {"bfdy_buy_qty", "0"},
        {"bfdy_sll_qty", "0"},
        {"thdt_buyqty", num(bought)},
        {"thdt_sll_qty", num(sold)},
        {"hldg_qty", num(h.qty)},
        {"ord_psbl_qty", num(h.orderable_qty)},
        {"pchs_avg_pric",
         fixed(h.qty == 0 ? 0.0 : static_cast<double>(cost) / static_cast<double>(h.qty), 4)},
        {"pchs_amt", num(cost)},
        {"prpr", num(h.last_price)},
        {"evlu_amt", num(h.eval_amount)},
        {"evlu_pfls_amt", num(h.eval_pnl)},
        {"evlu_pfls_rt", fixed(pct(h.eval_pnl, cost), 2)},
        {"evlu_erng_rt", fixed(pct(h.eval_pnl, cost), 8)},
        {"loan_dt", ""},
        {"loan_amt", "0"},
        {"stln_slng_chgs", "0"},
        {"expd_dt", ""},
        {"fltt_rt", fixed(market_.quote(h.symbol).change_pct, 8)},
        {"bfdy_cprs_icdc", num(market_.quote(h.symbol).change)},
        {"item_mgna_rt_name", ""},
        {"grta_rt_name", ""},
        {"sbst_pric", "0"},
        {"stck_loan_unpr", "0"},
    });
  }
  auto t = exchange_.totals();
  auto [buy_amt, sell_amt] = exchange_.traded_amounts();
  const auto start = opts_.initial_cash;
  json::object totals{
      {"dnca_tot_amt", num(t.deposit)},
      {"nxdy_excc_amt", num(t.deposit)},
      {"prvs_rcdl_excc_amt", num(t.deposit)},
      {"cma_evlu_amt", "0"},
      {"bfdy_buy_amt", "0"},
      {"thdt_buy_amt", num(buy_amt)},
      {"nxdy_auto_rdpt_amt", "0"},
      {"bfdy_sll_amt", "0"},
      {"thdt_sll_amt", num(sell_amt)},
      {"d2_auto_rdpt_amt", "0"},
      {"bfdy_tlex_amt", "0"},
      {"thdt_tlex_amt", "0"},
      {"tot_loan_amt", "0"},
      {"scts_evlu_amt", num(t.total_eval - t.deposit)},
      {"tot_evlu_amt", num(t.total_eval)},
      {"nass_amt", num(t.net_assets)},
      {"fncg_gld_auto_rdpt_yn", ""},
      {"pchs_amt_smtl_amt", num(t.purchase_total)},
      {"evlu_amt_smtl_amt", num(t.total_eval - t.deposit)},
      {"evlu_pfls_smtl_amt", num(t.eval_pnl_total)},
      {"tot_stln_slng_chgs", "0"},
      {"bfdy_tot_asst_evlu_amt", num(start)},
      {"asst_icdc_amt", num(t.total_eval - start)},
      {"asst_icdc_erng_rt", fixed(pct(t.total_eval - start, start), 8)},
  };
  auto body = account_ok();
  body["ctx_area_fk100"] = opts_.cred.account_no + "^" + opts_.cred.account_product;
  body["ctx_area_nk100"] = pg.more ? num(static_cast<std::int64_t>(pg.next)) : "";
  body["output1"] = std::move(rows);
  body["output2"] = json::array{std::move(totals)};
  return reply::json(200, body, c.tr_id, tr_cont_for(c.tr_cont == "N", pg.more));
}

http_response gateway::inquire_buyable(const call& c) {
  need_account(c, exchange_);
  const auto& symbol = need(c, "PDNO");
  const auto& price = need(c, "ORD_UNPR");
  const auto& kind = need(c, "ORD_DVSN");
  one_of(c, "CMA_EVLU_AMT_ICLD_YN", {"N", "Y"});
  one_of(c, "OVRS_ICLD_YN", {"N", "Y"});
  if (!symbol.empty() && !market_.known(symbol))
    invalid("PDNO");
  auto b = exchange_.buyable(symbol, price.empty() ? 0 : to_count("ORD_UNPR", price), kind);
  auto body = account_ok();
  body["output"] = json::object{
      {"ord_psbl_cash", num(b.orderable_cash)},
      {"ord_psbl_sbst", "0"},
      {"ruse_psbl_amt", "0"},
      {"fund_rpch_chgs", "0"},
      {"psbl_qty_calc_unpr", num(b.calc_price)},
      {"nrcvb_buy_amt", num(b.max_amount_no_margin)},
      {"nrcvb_buy_qty", num(b.max_qty_no_margin)},
      {"max_buy_amt", num(b.max_amount)},
      {"max_buy_qty", num(b.max_qty)},
      {"cma_evlu_amt", "0"},
      {"ovrs_re_use_amt_wcrc", "0"},
      {"ord_psbl_frcr_amt_wcrc", "0"},
  };
  return reply::json(200, body, c.tr_id);
}

http_response gateway::inquire_fills(const call& c) {
  need_account(c, exchange_);
  ccld_query q;
  q.from = need_date(c, "INQR_STRT_DT");
  q.to = need_date(c, "INQR_END_DT");
  one_of(c, "SLL_BUY_DVSN_CD", {"00", "01", "02"});
  q.side_code = need(c, "SLL_BUY_DVSN_CD");
  one_of(c, "INQR_DVSN", {"00", "01"});
  q.oldest_first = need(c, "INQR_DVSN") == "01";
  q.symbol = need(c, "PDNO");
  one_of(c, "CCLD_DVSN", {"00", "01", "02"});
  q.ccld_code = need(c, "CCLD_DVSN");
  q.order_no = need(c, "ODNO");
  need(c, "ORD_GNO_BRNO");
  need(c, "INQR_DVSN_3");
  need(c, "INQR_DVSN_1");
  one_of(c, "EXCG_ID_DVSN_CD", {"KRX", "ALL", ""}, false);
  const auto size = opts_.env == api::environment::real ? 100u : 15u;
  auto pg = exchange_.fills_page(q, page_offset(c), size);
  json::array rows;
  for (const auto& r : pg.rows)
    rows.push_back(json::object{
        {"ord_dt", r.date},
        {"ord_gno_brno", r.org_no},
        {"odno", r.order_no},
        {"orgn_odno", r.orig_order_no},
        {"ord_dvsn_name", kind_name(r.order_kind_code)},
        {"sll_buy_dvsn_cd", side_code(r.dir)},
        {"sll_buy_dvsn_cd_name", r.dir == side::sell ? "현금매도" : "현금매수"},
        {"pdno", r.symbol},
        {"prdt_name", exchange_.name_of(r.symbol)},
        {"ord_qty", num(r.order_qty)},
        {"ord_unpr", num(r.order_price)},
        {"ord_tmd", r.order_time},
        {"tot_ccld_qty", num(r.filled_qty)},
        {"avg_prvs", num(r.avg_price)},
        {"cncl_yn", r.cancelled ? "Y" : "N"},
        {"tot_ccld_amt", num(r.filled_amount)},
        {"loan_dt", ""},
        {"ordr_empno", ""},
        {"ord_dvsn_cd", r.order_kind_code},
        {"cnc_cfrm_qty", num(r.cancelled ? r.order_qty : 0)},
        {"rmn_qty", num(r.remaining_qty)},
        {"rjct_qty", num(r.rejected_qty)},
        {"ccld_cndt_name", "없음"},
        {"infm_tmd", ""},
        {"ctac_tlno", ""},
        {"prdt_type_cd", "300"},
        {"excg_dvsn_cd", "02"},
        {"excg_id_dvsn_cd", "KRX"},
        {"stpm_cndt_pric", "0"},
        {"stpm_efct_occr_dtmd", ""},
    });
  auto t = exchange_.fill_totals(q);
  auto body = account_ok();
  body["ctx_area_fk100"] = opts_.cred.account_no + "^" + opts_.cred.account_product;
  body["ctx_area_nk100"] = pg.more ? num(static_cast<std::int64_t>(pg.next)) : "";
  body["output1"] = std::move(rows);
  body["output2"] = json::object{
      {"tot_ord_qty", num(t.order_qty)},
      {"tot_ccld_qty", num(t.filled_qty)},
      {"tot_ccld_amt", num(t.filled_amount)},
      {"prsm_tlex_smtl", "0"},
      {"pchs_avg_pric", fixed(t.filled_qty == 0 ? 0.0
                                                : static_cast<double>(t.filled_amount) /
                                                      static_cast<double>(t.filled_qty),
                              4)},
  };
  return reply::json(200, body, c.tr_id, tr_cont_for(c.tr_cont == "N", pg.more));
}

} // namespace kis::sim
