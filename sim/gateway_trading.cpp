// The trading bodies of the simulator's gateway: cash orders, revise/cancel, and the account
// queries (revisable orders, balance, buyable amount, sellable quantity, daily orders and
// fills), in KIS's JSON shapes with every documented output field (docs/kis-fields.md).
#include "kis/venues.hpp"
#include "sim/gateway_util.hpp"

namespace kis::sim {

namespace json = boost::json;
using namespace detail;

namespace {

std::string side_code(side d) {
  return d == side::sell ? "01" : "02";
}

std::string kind_name(std::string_view code) {
  if (code == "01")
    return "시장가";
  if (code == "03")
    return "최유리지정가";
  return code == "04" ? "최우선지정가" : "지정가";
}

// sll_buy_dvsn_cd_name / rvse_cncl_dvsn_name of an order record.
std::string record_name(const order_view& r) {
  const std::string dir = r.dir == side::sell ? "매도" : "매수";
  if (r.rctf == 1)
    return dir + "정정*";
  if (r.rctf == 2)
    return dir + "취소*";
  return "현금" + dir;
}

void need_account(const gateway::call& c, const exchange& ex) {
  if (!ex.owns(need(c, "CANO"), need(c, "ACNT_PRDT_CD")))
    throw input_error{"OPSQ2000", "ERROR : INPUT INVALID_CHECK_ACNO"};
}

// ctx_area_fk100 echoes the query's key fields; ctx_area_nk100 is where the next page starts.
// Both are padded to their 100 bytes, as KIS sends them.
void add_context(json::object& body, const std::string& fk, bool more, std::size_t next) {
  body["ctx_area_fk100"] = padded(fk, 100);
  body["ctx_area_nk100"] = padded(more ? num(static_cast<std::int64_t>(next)) : "", 100);
}

// EXCG_ID_DVSN_CD of an order or revise/cancel: KRX, NXT or SOR; blank or absent is KRX (the
// portal's default). Paper's KRX-only rule is the exchange's answer, not an input error.
venue route_of(const gateway::call& c) {
  one_of(c, "EXCG_ID_DVSN_CD", {"KRX", "NXT", "SOR", ""}, false);
  return api::parse_venue_code(opt(c, "EXCG_ID_DVSN_CD")).value_or(venue::krx);
}

// EXCG_ID_DVSN_CD of inquire-daily-ccld: KRX (also blank or absent), NXT, SOR, ALL; paper lists
// KRX only and takes KRX or ALL (what it answers to NXT or SOR is UNCONFIRMED: refused here).
venue_scope scope_of(const gateway::call& c, bool paper) {
  if (paper)
    one_of(c, "EXCG_ID_DVSN_CD", {"KRX", "ALL", ""}, false);
  else
    one_of(c, "EXCG_ID_DVSN_CD", {"KRX", "NXT", "SOR", "ALL", ""}, false);
  const auto code = opt(c, "EXCG_ID_DVSN_CD");
  if (code == "ALL")
    return venue_scope::all;
  if (code == "NXT")
    return venue_scope::nxt;
  return code == "SOR" ? venue_scope::sor : venue_scope::krx;
}

std::string venue_name(venue v) {
  return v == venue::nxt ? "넥스트레이드" : v == venue::sor ? "SOR" : "한국거래소";
}

// The answer to an order or a revise/cancel: the refusal, or the order's numbers in upper-case
// keys, as captured from KIS (the samples' column map spells the revise ones in lower case).
http_response order_reply(const gateway::call& c, const order_answer& a) {
  if (!a.v.ok)
    return reply::kis_error(200, a.v.msg_cd, a.v.msg1, c.tr_id);
  auto body = ok_body(a.v.msg_cd, a.v.msg1);
  body["output"] =
      json::object{{"KRX_FWDG_ORD_ORGNO", a.org_no}, {"ODNO", a.order_no}, {"ORD_TMD", a.time}};
  return reply::json(200, body, c.tr_id);
}

} // namespace

void gateway::log_order(const call& c, std::int64_t qty, std::int64_t price,
                        const order_answer& a) {
  ++stats_.orders_received;
  ++(a.v.ok ? stats_.orders_accepted : stats_.orders_rejected);
  order_log_.push_back(order_log_entry{c.tr_id, a.symbol, a.dir, opt(c, "ORD_DVSN"), qty, price,
                                       clock_->now_ns(), a.order_no, opt(c, "ORGN_ODNO"),
                                       a.v.msg_cd, opt(c, "EXCG_ID_DVSN_CD")});
}

http_response gateway::order_cash(const call& c) {
  order_input in;
  in.tr_id = c.tr_id;
  in.cano = need(c, "CANO");
  in.product = need(c, "ACNT_PRDT_CD");
  in.symbol = need(c, "PDNO");
  in.dir = c.r->what == service::order_sell ? side::sell : side::buy;
  in.kind_code = need(c, "ORD_DVSN");
  in.qty = need_count(c, "ORD_QTY");
  in.price = need_count(c, "ORD_UNPR");
  in.route = route_of(c);
  one_of(c, "SLL_TYPE", {"01", "02", "05", ""}, false);
  auto a = exchange_.place(in);
  if (a.symbol.empty()) { // refused before it became an order: log what was asked
    a.symbol = in.symbol;
    a.dir = in.dir;
  }
  log_order(c, in.qty, in.price, a);
  return order_reply(c, a);
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
  in.route = route_of(c);
  auto a = exchange_.revise(in);
  log_order(c, in.qty, in.price, a);
  return order_reply(c, a);
}

http_response gateway::inquire_revisable(const call& c) {
  need_account(c, exchange_);
  one_of(c, "INQR_DVSN_1", {"0", "1"});
  one_of(c, "INQR_DVSN_2", {"0", "1", "2"});
  const auto& which = need(c, "INQR_DVSN_2"); // 0 all, 1 sells, 2 buys
  auto pg = exchange_.revisable_page(page_offset(c), 50);
  json::array rows;
  for (const auto& r : pg.rows) {
    if ((which == "1" && r.dir != side::sell) || (which == "2" && r.dir != side::buy))
      continue;
    rows.push_back(json::object{
        {"ord_gno_brno", r.org_no},
        {"odno", r.order_no},
        {"orgn_odno", r.orig_order_no},
        {"ord_dvsn_name", kind_name(r.order_kind_code)},
        {"pdno", r.symbol},
        {"prdt_name", exchange_.name_of(r.symbol)},
        {"rvse_cncl_dvsn_name", r.rctf == 0 ? std::string{} : record_name(r)},
        {"ord_qty", num(r.order_qty)},
        {"ord_unpr", num(r.order_price)},
        {"ord_tmd", r.order_time},
        {"tot_ccld_qty", num(r.filled_qty)},
        {"tot_ccld_amt", num(r.filled_amount)},
        {"psbl_qty", num(r.remaining_qty)},
        {"sll_buy_dvsn_cd", side_code(r.dir)},
        {"ord_dvsn_cd", r.order_kind_code},
        {"mgco_aptm_odno", ""},
        {"excg_dvsn_cd", market_.info(r.symbol).market == listing::kospi ? "02" : "03"},
        {"excg_id_dvsn_cd", std::string{api::venue_code(r.route)}},
        {"excg_id_dvsn_name", venue_name(r.route)},
        {"stpm_cndt_pric", "0"},
        {"stpm_efct_occr_yn", "N"},
    });
  }
  auto body = account_ok();
  add_context(body, opts_.cred.account_no + "^" + opts_.cred.account_product + "^", pg.more,
              pg.next);
  body["output"] = std::move(rows);
  return reply::json(200, body, c.tr_id, tr_cont_for(c.tr_cont == "N", pg.more));
}

namespace {

// One row of inquire-balance's output1: a holding with today's traded quantities.
json::object holding_row(const kis::holding& h, std::pair<std::int64_t, std::int64_t> today,
                         const kis::quote& q, const instrument& in) {
  const auto [bought, sold] = today;
  const auto cost = h.eval_amount - h.eval_pnl;
  return json::object{
      {"pdno", h.symbol},
      {"prdt_name", h.name},
      {"trad_dvsn_name", "현금"},
      {"bfdy_buy_qty", "0"},
      {"bfdy_sll_qty", "0"},
      {"thdt_buyqty", num(bought)},
      {"thdt_sll_qty", num(sold)},
      {"hldg_qty", num(h.qty)},
      {"ord_psbl_qty", num(h.orderable_qty)},
      {"pchs_avg_pric", fixed(h.qty == 0 ? 0.0 : ratio(cost, h.qty), 4)},
      {"pchs_amt", num(cost)},
      {"prpr", num(h.last_price)},
      {"evlu_amt", num(h.eval_amount)},
      {"evlu_pfls_amt", num(h.eval_pnl)},
      {"evlu_pfls_rt", fixed(pct(h.eval_pnl, cost), 2)},
      {"evlu_erng_rt", fixed(pct(h.eval_pnl, cost), 8)},
      {"loan_dt", ""}, // cash holdings carry no loan: empty, as KIS's examples show
      {"loan_amt", "0"},
      {"stln_slng_chgs", "0"},
      {"expd_dt", ""},
      {"fltt_rt", fixed(q.change_pct, 8)},
      {"bfdy_cprs_icdc", num(q.change)},
      {"item_mgna_rt_name", in.kospi200 ? "20%" : "40%"},
      {"grta_rt_name", ""},
      {"sbst_pric", num(floor_to_tick(q.base_price * 7 / 10))},
      {"stck_loan_unpr", "0.0000"},
  };
}

// inquire-balance's output2: the account's totals against the cash it started the day with.
json::object balance_totals(const kis::balance& t, std::pair<std::int64_t, std::int64_t> traded,
                            std::int64_t start) {
  const auto [buy_amt, sell_amt] = traded;
  return json::object{
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
  for (const auto& h : pg.rows)
    rows.push_back(holding_row(h, exchange_.today_qty(h.symbol), market_.quote(h.symbol),
                               market_.info(h.symbol)));
  auto totals = balance_totals(exchange_.totals(), exchange_.traded_amounts(), opts_.initial_cash);
  auto body = account_ok();
  add_context(body,
              opts_.cred.account_no + "^" + opts_.cred.account_product + "^" +
                  opt(c, "AFHR_FLPR_YN") + "^" + opt(c, "FUND_STTL_ICLD_YN") + "^" +
                  opt(c, "INQR_DVSN") + "^" + opt(c, "UNPR_DVSN") + "^" +
                  opt(c, "FNCG_AMT_AUTO_RDPT_YN") + "^",
              pg.more, pg.next);
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

// The portal's table calls the block output1; its example, and the samples that read it, say
// output: the simulator answers as the example does.
http_response gateway::inquire_sellable(const call& c) {
  need_account(c, exchange_);
  const auto& symbol = need(c, "PDNO");
  if (!market_.known(symbol))
    invalid("PDNO");
  const auto v = exchange_.sellable(symbol);
  const auto now = market_.last_price(symbol);
  const auto eval = v.held * now;
  auto body = ok_body("KIOK0420", padded("정상적으로 조회되었습니다", 80));
  body["output"] = json::object{
      {"pdno", symbol},
      {"prdt_name", exchange_.name_of(symbol)},
      {"buy_qty", num(v.bought_today)},
      {"sll_qty", num(v.sold_today)},
      {"cblc_qty", num(v.held)},
      {"nsvg_qty", "0"},
      {"ord_psbl_qty", num(v.orderable)},
      {"pchs_avg_pric", fixed(v.held == 0 ? 0.0 : ratio(v.cost, v.held), 4)},
      {"pchs_amt", num(v.cost)},
      {"now_pric", num(now)},
      {"evlu_amt", num(eval)},
      {"evlu_pfls_amt", num(eval - v.cost)},
      {"evlu_pfls_rt", fixed(pct(eval - v.cost, v.cost), 2)},
  };
  return reply::json(200, body, c.tr_id);
}

namespace {

json::object fill_row(const order_view& r, const std::string& name, bool kospi) {
  // A cancel record confirms its quantity; an order whose session ended shows what expired.
  const auto cancelled_qty = r.cancelled ? r.order_qty : r.expired_qty;
  return {
      {"ord_dt", r.date},
      {"ord_gno_brno", r.org_no},
      {"odno", r.order_no},
      {"orgn_odno", r.orig_order_no},
      {"ord_dvsn_name", kind_name(r.order_kind_code)},
      {"sll_buy_dvsn_cd", side_code(r.dir)},
      {"sll_buy_dvsn_cd_name", record_name(r)},
      {"pdno", r.symbol},
      {"prdt_name", name},
      {"ord_qty", num(r.order_qty)},
      {"ord_unpr", num(r.order_price)},
      {"ord_tmd", r.order_time},
      {"tot_ccld_qty", num(r.filled_qty)},
      {"avg_prvs", num(r.avg_price)},
      {"cncl_yn", r.cancelled ? "Y" : "N"},
      {"tot_ccld_amt", num(r.filled_amount)},
      {"loan_dt", ""},
      {"ordr_empno", "OpnAPI"}, // orders placed through the Open API, as captured
      {"ord_dvsn_cd", r.order_kind_code},
      {"cnc_cfrm_qty", num(cancelled_qty)},
      {"cncl_cfrm_qty", num(cancelled_qty)}, // the spelling KIS's own examples show
      {"rmn_qty", num(r.remaining_qty)},
      {"rjct_qty", num(r.rejected_qty)},
      {"ccld_cndt_name", "없음"},
      {"inqr_ip_addr", "127.0.0.1"},
      {"cpbc_ordp_ord_rcit_dvsn_cd", ""},
      {"cpbc_ordp_infm_mthd_dvsn_cd", ""},
      {"infm_tmd", r.last_fill_time},
      {"ctac_tlno", ""},
      {"prdt_type_cd", "300"},
      {"excg_dvsn_cd", kospi ? "02" : "03"},
      {"cpbc_ordp_mtrl_dvsn_cd", ""},
      {"ord_orgno", "00000"},
      {"rsvn_ord_end_dt", ""},
      {"excg_id_dvsn_cd", std::string{api::venue_code(r.route)}},
      {"stpm_cndt_pric", "0"},
      {"stpm_efct_occr_dtmd", ""},
  };
}

} // namespace

http_response gateway::inquire_fills(const call& c) {
  need_account(c, exchange_);
  ccld_query q;
  q.from = need_date(c, "INQR_STRT_DT");
  q.to = need_date(c, "INQR_END_DT");
  one_of(c, "SLL_BUY_DVSN_CD", {"00", "01", "02"});
  q.side_code = need(c, "SLL_BUY_DVSN_CD");
  one_of(c, "INQR_DVSN", {"00", "01"});
  q.oldest_first = need(c, "INQR_DVSN") == "01";
  q.symbol = opt(c, "PDNO");
  one_of(c, "CCLD_DVSN", {"00", "01", "02"});
  q.ccld_code = need(c, "CCLD_DVSN");
  q.order_no = opt(c, "ODNO");
  need(c, "ORD_GNO_BRNO");
  need(c, "INQR_DVSN_3");
  need(c, "INQR_DVSN_1");
  q.scope = scope_of(c, opts_.env == api::environment::paper);
  const auto size = opts_.env == api::environment::real ? 100u : 15u;
  auto pg = exchange_.fills_page(q, page_offset(c), size);
  json::array rows;
  for (const auto& r : pg.rows)
    rows.push_back(
        fill_row(r, exchange_.name_of(r.symbol), market_.info(r.symbol).market == listing::kospi));
  auto t = exchange_.fill_totals(q);
  auto body = account_ok();
  add_context(body,
              opts_.cred.account_no + "^" + opts_.cred.account_product + "^" + date_text(q.from) +
                  "^" + date_text(q.to) + "^ ^" + q.side_code + "^" + q.ccld_code + "^",
              pg.more, pg.next);
  body["output1"] = std::move(rows);
  body["output2"] = json::object{
      {"tot_ord_qty", num(t.order_qty)},
      {"tot_ccld_qty", num(t.filled_qty)},
      {"tot_ccld_amt", num(t.filled_amount)},
      {"prsm_tlex_smtl", "0"},
      {"pchs_avg_pric", fixed(t.filled_qty == 0 ? 0.0 : ratio(t.filled_amount, t.filled_qty), 4)},
  };
  return reply::json(200, body, c.tr_id, tr_cont_for(c.tr_cont == "N", pg.more));
}

} // namespace kis::sim
