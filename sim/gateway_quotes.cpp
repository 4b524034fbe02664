// The market-data bodies of the simulator's gateway: current price, daily and minute charts,
// and the instrument searches (search-info, search-stock-info), with every output field the
// portal documents (docs/kis-fields.md), each a string as KIS sends it.
#include <algorithm>
#include <cmath>

#include "kis/venues.hpp"
#include "sim/gateway_util.hpp"

namespace kis::sim {

namespace json = boost::json;
using namespace detail;

std::string detail::sign_code(std::int64_t close, std::int64_t prev) {
  if (prev > 0 && close == upper_limit(prev) && close != prev)
    return "1";
  if (prev > 0 && close == lower_limit(prev) && close != prev)
    return "4";
  return close > prev ? "2" : close < prev ? "5" : "3";
}

namespace {

const std::string& need_symbol(const gateway::call& c, const market& m) {
  one_of(c, "FID_COND_MRKT_DIV_CODE", {"J", "NX", "UN"});
  const auto& s = need(c, "FID_INPUT_ISCD");
  if (!m.known(s))
    invalid("FID_INPUT_ISCD");
  return s;
}

// Whose quote FID_COND_MRKT_DIV_CODE asks for (need_symbol checked the code).
market_code quote_market(const gateway::call& c) {
  return api::parse_market_div_code(need(c, "FID_COND_MRKT_DIV_CODE")).value_or(market_code::krx);
}

// The combined (UN) snapshot: the latest print of either venue, both venues' volume, the
// wider range. KIS's exact merge is UNCONFIRMED (KIS-PROTOCOL.md §9.8).
kis::quote combined_quote(const kis::quote& krx, const kis::quote& nxt) {
  if (nxt.price == 0)
    return krx;
  auto q = krx.received_ns >= nxt.received_ns ? krx : nxt;
  q.volume = krx.volume + nxt.volume;
  q.turnover = krx.turnover + nxt.turnover;
  q.open = krx.open != 0 ? krx.open : nxt.open;
  q.high = std::max(krx.high, nxt.high);
  auto lows = {krx.low, nxt.low};
  q.low = 0;
  for (auto l : lows)
    if (l != 0 && (q.low == 0 || l < q.low))
      q.low = l;
  return q;
}

// The ISIN of a Korean common share: KR7 + code + 00 + a Luhn check digit over the digits the
// letters stand for (A = 10 ... Z = 35).
std::string isin(const std::string& code) {
  auto body = "KR7" + code + "00";
  std::string digits;
  for (char ch : body)
    digits += ch >= 'A' && ch <= 'Z' ? std::to_string(ch - 'A' + 10) : std::string(1, ch);
  int sum = 0;
  bool twice = true; // the rightmost digit of the body is doubled
  for (auto it = digits.rbegin(); it != digits.rend(); ++it, twice = !twice) {
    int d = *it - '0';
    if (twice)
      d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return body + std::to_string((10 - sum % 10) % 10);
}

struct extreme {
  std::int64_t price = 0;
  std::int32_t date = 0;
};

// Highest and lowest close-to-close extremes of the daily bars from `from` on (today included).
std::pair<extreme, extreme> extremes(const std::vector<kis::daily_bar>& newest_first,
                                     std::int32_t from, std::size_t max_days) {
  extreme hi, lo;
  std::size_t days = 0;
  for (const auto& b : newest_first) {
    if (b.date < from || days++ == max_days)
      break;
    if (hi.date == 0 || b.high > hi.price)
      hi = {b.high, b.date};
    if (lo.date == 0 || b.low < lo.price)
      lo = {b.low, b.date};
  }
  return {hi, lo};
}

// The three fields inquire-price gives each extreme: its price, its date, and how far the
// current price stands from it.
struct extreme_keys {
  std::string_view price, date, rate;
};

void put_extreme(json::object& out, const extreme_keys& k, const extreme& e, std::int64_t now) {
  out[k.price] = num(e.price);
  out[k.date] = date_text(e.date);
  out[k.rate] = fixed(pct(now - e.price, e.price), 2);
}

std::string per_of(std::int64_t price, const instrument& in) {
  return fixed(in.eps == 0 ? 0.0 : ratio(price, in.eps), 2);
}

std::string pbr_of(std::int64_t price, const instrument& in) {
  return fixed(in.bps == 0 ? 0.0 : ratio(price, in.bps), 2);
}

std::string market_cap_100m(std::int64_t price, const instrument& in) {
  return num(price * in.shares / 100'000'000); // 억원
}

std::string capital_100m(const instrument& in) {
  return num(in.shares * in.par_value / 100'000'000);
}

std::int64_t substitute_price(std::int64_t base) {
  return floor_to_tick(base * 7 / 10);
}

// Pivot points and DeMark levels from the previous session's bar.
json::object pivots(const kis::daily_bar& d) {
  const auto p = (d.high + d.low + d.close) / 3;
  const auto x = d.close > d.open   ? 2 * d.high + d.low + d.close
                 : d.close < d.open ? d.high + 2 * d.low + d.close
                                    : d.high + d.low + 2 * d.close;
  return {{"pvt_scnd_dmrs_prc", num(p + (d.high - d.low))},
          {"pvt_frst_dmrs_prc", num(2 * p - d.low)},
          {"pvt_pont_val", num(p)},
          {"pvt_frst_dmsp_prc", num(2 * p - d.high)},
          {"pvt_scnd_dmsp_prc", num(p - (d.high - d.low))},
          {"dmrs_val", num(x / 2 - d.low)},
          {"dmsp_val", num(x / 2 - d.high)}};
}

} // namespace

namespace {

// The snapshot fields of inquire-price that come from the quote and the listing alone.
json::object snapshot_fields(const std::string& symbol, const kis::quote& q, const instrument& in,
                             const kis::daily_bar& prev) {
  const auto foreign_qty =
      static_cast<std::int64_t>(static_cast<double>(in.shares) * in.foreign_pct / 100.0);
  return json::object{
      {"iscd_stat_cls_code", "55"},
      {"marg_rate", in.kospi200 ? "20.00" : "40.00"},
      {"rprs_mrkt_kor_name", in.kospi200                   ? "KOSPI200"
                             : in.market == listing::kospi ? "KOSPI"
                                                           : "KOSDAQ"},
      {"new_hgpr_lwpr_cls_code", ""},
      {"bstp_kor_isnm", in.sector},
      {"temp_stop_yn", "N"},
      {"oprc_rang_cont_yn", "N"},
      {"clpr_rang_cont_yn", "N"},
      {"crdt_able_yn", "Y"},
      {"grmn_rate_cls_code", in.kospi200 ? "40" : "50"},
      {"elw_pblc_yn", in.kospi200 ? "Y" : "N"},
      {"stck_prpr", num(q.price)},
      {"prdy_vrss", num(q.change)},
      {"prdy_vrss_sign", std::to_string(static_cast<int>(q.sign))},
      {"prdy_ctrt", fixed(q.change_pct, 2)},
      {"acml_tr_pbmn", num(q.turnover)},
      {"acml_vol", num(q.volume)},
      {"prdy_vrss_vol_rate", fixed(pct(q.volume, prev.volume), 2)},
      {"stck_oprc", num(q.open)},
      {"stck_hgpr", num(q.high)},
      {"stck_lwpr", num(q.low)},
      {"stck_mxpr", num(q.upper_limit)},
      {"stck_llam", num(q.lower_limit)},
      {"stck_sdpr", num(q.base_price)},
      {"wghn_avrg_stck_prc", fixed(ratio(q.turnover, q.volume), 2)},
      {"hts_frgn_ehrt", fixed(in.foreign_pct, 2)},
      {"frgn_ntby_qty", "0"},
      {"pgtr_ntby_qty", "0"},
      {"cpfn", capital_100m(in)},
      {"rstc_wdth_prc", num(q.upper_limit - q.base_price)},
      {"stck_fcam", num(in.par_value)},
      {"stck_sspr", num(substitute_price(q.base_price))},
      {"aspr_unit", num(q.tick_size)},
      {"hts_deal_qty_unit_val", "1"},
      {"lstn_stcn", num(in.shares)},
      {"hts_avls", market_cap_100m(q.price, in)},
      {"per", per_of(q.price, in)},
      {"pbr", pbr_of(q.price, in)},
      {"stac_month", "12"},
      {"vol_tnrt", fixed(pct(q.volume, in.shares), 2)},
      {"eps", fixed(static_cast<double>(in.eps), 2)},
      {"bps", fixed(static_cast<double>(in.bps), 2)},
      {"whol_loan_rmnd_rate", "0.12"},
      {"ssts_yn", "Y"},
      {"stck_shrn_iscd", symbol},
      {"fcam_cnnm", "원"},
      {"cpfn_cnnm", "억"},
      {"apprch_rate", "0.00"},
      {"frgn_hldn_qty", num(foreign_qty)},
      {"vi_cls_code", "N"},
      {"ovtm_vi_cls_code", "N"},
      {"last_ssts_cntg_qty", "0"},
      {"invt_caful_yn", "N"},
      {"mrkt_warn_cls_code", "00"},
      {"short_over_yn", "N"},
      {"sltr_yn", "N"},
      {"mang_issu_cls_code", "N"},
  };
}

} // namespace

// NX answers Nextrade's snapshot (zeros for a symbol it does not trade, as clients report of
// KIS), UN both venues combined; history-based fields come from KRX's daily bars in all three.
http_response gateway::inquire_price(const call& c) {
  const auto& symbol = need_symbol(c, market_);
  const auto m = quote_market(c);
  const auto q = m == market_code::krx ? market_.quote(symbol)
                 : m == market_code::nxt
                     ? market_.quote(symbol, venue::nxt)
                     : combined_quote(market_.quote(symbol), market_.quote(symbol, venue::nxt));
  const auto& in = market_.info(symbol);
  const auto today = market_.session_date();
  const auto daily = market_.bars(symbol, api::kst::add_days(today, -400), today, 'D');
  const auto prev = market_.previous_day(symbol);
  const auto [hi250, lo250] = extremes(daily, 0, 250);
  const auto [hi_yr, lo_yr] = extremes(daily, today / 10'000 * 10'000 + 101, 400);
  const auto [hi52, lo52] = extremes(daily, api::kst::add_days(today, -364), 400);
  auto out = snapshot_fields(symbol, q, in, prev);
  for (auto& kv : pivots(prev))
    out[kv.key()] = kv.value();
  put_extreme(out, {"d250_hgpr", "d250_hgpr_date", "d250_hgpr_vrss_prpr_rate"}, hi250, q.price);
  put_extreme(out, {"d250_lwpr", "d250_lwpr_date", "d250_lwpr_vrss_prpr_rate"}, lo250, q.price);
  put_extreme(out, {"stck_dryy_hgpr", "dryy_hgpr_date", "dryy_hgpr_vrss_prpr_rate"}, hi_yr,
              q.price);
  put_extreme(out, {"stck_dryy_lwpr", "dryy_lwpr_date", "dryy_lwpr_vrss_prpr_rate"}, lo_yr,
              q.price);
  put_extreme(out, {"w52_hgpr", "w52_hgpr_date", "w52_hgpr_vrss_prpr_ctrt"}, hi52, q.price);
  put_extreme(out, {"w52_lwpr", "w52_lwpr_date", "w52_lwpr_vrss_prpr_ctrt"}, lo52, q.price);
  auto body = query_ok();
  body["output"] = std::move(out);
  return reply::json(200, body, c.tr_id);
}

namespace {

// A history row in the shape both daily endpoints share; prev is the next older close.
json::object bar_row(const kis::daily_bar& b, std::int64_t prev) {
  return {{"stck_bsop_date", date_text(b.date)},
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
  const auto& in = market_.info(symbol);
  auto bars = market_.bars(symbol, 0, market_.session_date(), period);
  json::array rows;
  for (std::size_t i = 0; i < bars.size() && i < 30; ++i) {
    const auto& b = bars[i];
    const bool older = i + 1 < bars.size();
    const auto prev = older ? bars[i + 1].close : 0;
    auto row = bar_row(b, prev);
    row.erase("acml_tr_pbmn");
    row["prdy_ctrt"] = fixed(pct(prev == 0 ? 0 : b.close - prev, prev), 2);
    row["prdy_vrss_vol_rate"] =
        fixed(older ? pct(b.volume - bars[i + 1].volume, bars[i + 1].volume) : 0.0, 2);
    row["hts_frgn_ehrt"] = fixed(in.foreign_pct, 2);
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
  const auto prev = market_.previous_day(symbol);
  const auto top = market_.book(symbol);
  // One extra (older) bar gives the oldest row its change versus the day before.
  auto bars = market_.bars(symbol, api::kst::add_days(from, -400), to, period);
  json::array rows;
  for (std::size_t i = 0; i < bars.size() && rows.size() < 100 && bars[i].date >= from; ++i) {
    auto row = bar_row(bars[i], i + 1 < bars.size() ? bars[i + 1].close : 0);
    row["prtt_rate"] = "0.00";
    row["mod_yn"] = "N";
    row["revl_issu_reas"] = "";
    rows.push_back(std::move(row));
  }
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
      {"prdy_vol", num(prev.volume)},
      {"stck_mxpr", num(q.upper_limit)},
      {"stck_llam", num(q.lower_limit)},
      {"stck_oprc", num(q.open)},
      {"stck_hgpr", num(q.high)},
      {"stck_lwpr", num(q.low)},
      {"stck_prdy_oprc", num(prev.open)},
      {"stck_prdy_hgpr", num(prev.high)},
      {"stck_prdy_lwpr", num(prev.low)},
      {"askp", num(top.asks.empty() ? 0 : top.asks[0].price)},
      {"bidp", num(top.bids.empty() ? 0 : top.bids[0].price)},
      {"prdy_vrss_vol", num(q.volume - prev.volume)},
      {"vol_tnrt", fixed(pct(q.volume, in.shares), 2)},
      {"stck_fcam", num(in.par_value)},
      {"lstn_stcn", num(in.shares)},
      {"cpfn", capital_100m(in)},
      {"hts_avls", market_cap_100m(q.price, in)},
      {"per", per_of(q.price, in)},
      {"eps", fixed(static_cast<double>(in.eps), 2)},
      {"pbr", pbr_of(q.price, in)},
      {"itewhol_loan_rmnd_ratem", "0.12"}, // sic: the portal's field name
  };
  auto body = query_ok();
  body["output1"] = std::move(out1);
  body["output2"] = std::move(rows);
  return reply::json(200, body, c.tr_id);
}

// Today's minute bars, at most 30 a call, newest first, ending at FID_INPUT_HOUR_1 (a time in
// the future reads as now).
http_response gateway::inquire_minutes(const call& c) {
  const auto& symbol = need_symbol(c, market_);
  const auto& hour = need(c, "FID_INPUT_HOUR_1");
  if (hour.size() != 6 ||
      !std::all_of(hour.begin(), hour.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
    invalid("FID_INPUT_HOUR_1");
  one_of(c, "FID_PW_DATA_INCU_YN", {"Y", "N"});
  need(c, "FID_ETC_CLS_CODE");
  const auto q = market_.quote(symbol);
  const auto& in = market_.info(symbol);
  json::array rows;
  for (const auto& m : market_.minutes(symbol, std::stoi(hour), 30)) {
    char hhmmss[8];
    std::snprintf(hhmmss, sizeof hhmmss, "%06d", static_cast<int>(m.hhmmss));
    rows.push_back(json::object{{"stck_bsop_date", date_text(market_.session_date())},
                                {"stck_cntg_hour", hhmmss},
                                {"stck_prpr", num(m.close)},
                                {"stck_oprc", num(m.open)},
                                {"stck_hgpr", num(m.high)},
                                {"stck_lwpr", num(m.low)},
                                {"cntg_vol", num(m.volume)},
                                {"acml_tr_pbmn", num(m.acc_turnover)}});
  }
  auto body = query_ok();
  body["output1"] = json::object{{"prdy_vrss", num(q.change)},
                                 {"prdy_vrss_sign", std::to_string(static_cast<int>(q.sign))},
                                 {"prdy_ctrt", fixed(q.change_pct, 2)},
                                 {"stck_prdy_clpr", num(q.base_price)},
                                 {"acml_vol", num(q.volume)},
                                 {"acml_tr_pbmn", num(q.turnover)},
                                 {"hts_kor_isnm", in.name},
                                 {"stck_prpr", num(q.price)}};
  body["output2"] = std::move(rows);
  return reply::json(200, body, c.tr_id);
}

namespace {

const instrument& need_product(const gateway::call& c, const market& m) {
  one_of(c, "PRDT_TYPE_CD", {"300"}); // 300: stocks, ETFs, ETNs (the only kind listed here)
  const auto& s = need(c, "PDNO");
  if (!m.known(s))
    invalid("PDNO");
  return m.info(s);
}

std::string english_name(const instrument& in) {
  return "SIM " + in.symbol;
}

} // namespace

http_response gateway::search_info(const call& c) {
  const auto& in = need_product(c, market_);
  auto body = account_ok();
  body["output"] = json::object{
      {"pdno", in.symbol},
      {"prdt_type_cd", "300"},
      {"prdt_name", in.name},
      {"prdt_name120", in.name},
      {"prdt_abrv_name", in.name},
      {"prdt_eng_name", english_name(in)},
      {"prdt_eng_name120", english_name(in)},
      {"prdt_eng_abrv_name", english_name(in)},
      {"std_pdno", isin(in.symbol)},
      {"shtn_pdno", in.symbol},
      {"prdt_sale_stat_cd", ""},
      {"prdt_risk_grad_cd", ""},
      {"prdt_clsf_cd", in.market == listing::kospi ? "101" : "102"},
      {"prdt_clsf_name", in.market == listing::kospi ? "유가증권" : "코스닥"},
      {"sale_strt_dt", ""},
      {"sale_end_dt", ""},
      {"wrap_asst_type_cd", ""},
      {"ivst_prdt_type_cd", ""},
      {"ivst_prdt_type_cd_name", ""},
      {"frst_erlm_dt", date_text(in.listed_on)},
  };
  return reply::json(200, body, c.tr_id);
}

http_response gateway::search_stock_info(const call& c) {
  const auto& in = need_product(c, market_);
  const bool kospi = in.market == listing::kospi;
  const auto price = market_.last_price(in.symbol);
  const auto listed = date_text(in.listed_on);
  json::object out{
      {"pdno", in.symbol},
      {"prdt_type_cd", "300"},
      {"mket_id_cd", kospi ? "STK" : "KSQ"},
      {"scty_grp_id_cd", "ST"},
      {"excg_dvsn_cd", kospi ? "02" : "03"},
      {"setl_mmdd", "1231"},
      {"lstg_stqt", num(in.shares)},
      {"lstg_cptl_amt", num(in.shares * in.par_value)},
      {"cpta", num(in.shares * in.par_value)},
      {"papr", num(in.par_value)},
      {"issu_pric", num(in.par_value)},
      {"kospi200_item_yn", in.kospi200 ? "Y" : "N"},
      {"scts_mket_lstg_dt", kospi ? listed : ""},
      {"scts_mket_lstg_abol_dt", ""},
      {"kosdaq_mket_lstg_dt", kospi ? "" : listed},
      {"kosdaq_mket_lstg_abol_dt", ""},
      {"frbd_mket_lstg_dt", ""},
      {"frbd_mket_lstg_abol_dt", ""},
      {"reits_kind_cd", ""},
      {"etf_dvsn_cd", ""},
      {"oilf_fund_yn", "N"},
      {"idx_bztp_lcls_cd", kospi ? "001" : "201"},
      {"idx_bztp_mcls_cd", kospi ? "013" : "215"},
      {"idx_bztp_scls_cd", ""},
      {"stck_kind_cd", "101"},
      {"mfnd_opng_dt", ""},
      {"mfnd_end_dt", ""},
      {"dpsi_erlm_cncl_dt", ""},
      {"etf_cu_qty", "0"},
      {"prdt_name", in.name},
      {"prdt_name120", in.name},
      {"prdt_abrv_name", in.name},
      {"std_pdno", isin(in.symbol)},
      {"prdt_eng_name", english_name(in)},
      {"prdt_eng_name120", english_name(in)},
      {"prdt_eng_abrv_name", english_name(in)},
      {"dpsi_aptm_erlm_yn", "Y"},
      {"etf_txtn_type_cd", ""},
      {"etf_type_cd", ""},
      {"lstg_abol_dt", ""},
      {"nwst_odst_dvsn_cd", "1"},
      {"sbst_pric", num(substitute_price(in.base_price))},
      {"thco_sbst_pric", num(substitute_price(in.base_price))},
      {"thco_sbst_pric_chng_dt", date_text(market_.session_date())},
      {"tr_stop_yn", "N"},
      {"admn_item_yn", "N"},
      {"thdt_clpr", num(price)},
      {"bfdy_clpr", num(in.base_price)},
      {"clpr_chng_dt", date_text(market_.session_date())},
      {"std_idst_clsf_cd", ""},
      {"std_idst_clsf_cd_name", in.sector},
      {"idx_bztp_lcls_cd_name", kospi ? "시가총액규모대" : "코스닥"},
      {"idx_bztp_mcls_cd_name", in.sector},
      {"idx_bztp_scls_cd_name", ""},
      {"ocr_no", ""},
      {"crfd_item_yn", "N"},
      {"elec_scty_yn", "Y"},
      {"issu_istt_cd", ""},
      {"etf_chas_erng_rt_dbnb", "0"},
      {"etf_etn_ivst_heed_item_yn", "N"},
      {"stln_int_rt_dvsn_cd", ""},
      {"frnr_psnl_lmt_rt", "0.00"},
      {"lstg_rqsr_issu_istt_cd", ""},
      {"lstg_rqsr_item_cd", ""},
      {"trst_istt_issu_istt_cd", ""},
      {"cptt_trad_tr_psbl_yn", in.nxt ? "Y" : "N"}, // Nextrade trades it
      {"nxt_tr_stop_yn", "N"},
  };
  auto body = account_ok();
  body["output"] = std::move(out);
  return reply::json(200, body, c.tr_id);
}

} // namespace kis::sim

namespace kis::sim {

// The days from BASS_DT on, 30 of them in one page (KIS sends "tens of days", UNCONFIRMED),
// from the simulator's calendar: opnd_yn on open days, tr_day_yn on Saturdays too (as observed),
// bzdy_yn and sttl_day_yn on weekdays that are no public holiday (the year-end closing day
// 12-31 is a business day).
http_response gateway::chk_holiday(const call& c) {
  const auto from = need_date(c, "BASS_DT");
  need(c, "CTX_AREA_NK");
  need(c, "CTX_AREA_FK");
  constexpr int days = 30;
  json::array rows;
  auto day = from;
  for (int i = 0; i < days; ++i, day = api::kst::add_days(day, 1)) {
    const auto wd = api::kst::weekday(day);
    const bool weekday = wd != 0 && wd != 6;
    const bool open = opts_.calendar.open_day(day);
    const bool business = open || (weekday && day % 10'000 == 1231);
    const std::string code{'0', static_cast<char>('1' + wd)}; // 01 Sunday .. 07 Saturday
    rows.push_back(json::object{{"bass_dt", date_text(day)},
                                {"wday_dvsn_cd", code},
                                {"bzdy_yn", business ? "Y" : "N"},
                                {"tr_day_yn", open || wd == 6 ? "Y" : "N"},
                                {"opnd_yn", open ? "Y" : "N"},
                                {"sttl_day_yn", business ? "Y" : "N"}});
  }
  auto body = ok_body("KIOK0500", padded("조회가 완료되었습니다", 80));
  body["ctx_area_nk"] = date_text(day);
  body["ctx_area_fk"] = date_text(from);
  body["output"] = std::move(rows);
  return reply::json(200, body, c.tr_id, c.tr_cont == "N" ? "E" : "D");
}

} // namespace kis::sim
