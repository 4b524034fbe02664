#include "sim/routes.hpp"

#include <algorithm>

namespace kis::sim {

namespace {

using env = api::environment;
using sv = std::string_view;

constexpr tr_code real(sv id) {
  return {id, env::real, false};
}
constexpr tr_code paper(sv id) {
  return {id, env::paper, false};
}
constexpr tr_code old_real(sv id) {
  return {id, env::real, true};
}
constexpr tr_code old_paper(sv id) {
  return {id, env::paper, true};
}

// Request parameters as the portal lists them (docs/kis-fields.md).
constexpr sv none[] = {""};
constexpr sv price_params[] = {"FID_COND_MRKT_DIV_CODE", "FID_INPUT_ISCD"};
constexpr sv daily_price_params[] = {"FID_COND_MRKT_DIV_CODE", "FID_INPUT_ISCD",
                                     "FID_PERIOD_DIV_CODE", "FID_ORG_ADJ_PRC"};
constexpr sv chart_params[] = {"FID_COND_MRKT_DIV_CODE", "FID_INPUT_ISCD",      "FID_INPUT_DATE_1",
                               "FID_INPUT_DATE_2",       "FID_PERIOD_DIV_CODE", "FID_ORG_ADJ_PRC"};
constexpr sv minute_params[] = {"FID_COND_MRKT_DIV_CODE", "FID_INPUT_ISCD", "FID_INPUT_HOUR_1",
                                "FID_PW_DATA_INCU_YN", "FID_ETC_CLS_CODE"};
constexpr sv order_params[] = {"CANO",    "ACNT_PRDT_CD", "PDNO",      "SLL_TYPE",       "ORD_DVSN",
                               "ORD_QTY", "ORD_UNPR",     "CNDT_PRIC", "EXCG_ID_DVSN_CD"};
constexpr sv order_optional[] = {"SLL_TYPE", "CNDT_PRIC", "EXCG_ID_DVSN_CD"};
constexpr sv revise_params[] = {"CANO",      "ACNT_PRDT_CD",   "KRX_FWDG_ORD_ORGNO",
                                "ORGN_ODNO", "ORD_DVSN",       "RVSE_CNCL_DVSN_CD",
                                "ORD_QTY",   "ORD_UNPR",       "QTY_ALL_ORD_YN",
                                "CNDT_PRIC", "EXCG_ID_DVSN_CD"};
constexpr sv revise_optional[] = {"CNDT_PRIC", "EXCG_ID_DVSN_CD"};
constexpr sv revisable_params[] = {"CANO",           "ACNT_PRDT_CD", "CTX_AREA_FK100",
                                   "CTX_AREA_NK100", "INQR_DVSN_1",  "INQR_DVSN_2"};
constexpr sv balance_params[] = {
    "CANO",      "ACNT_PRDT_CD",   "AFHR_FLPR_YN",      "OFL_YN",
    "INQR_DVSN", "UNPR_DVSN",      "FUND_STTL_ICLD_YN", "FNCG_AMT_AUTO_RDPT_YN",
    "PRCS_DVSN", "CTX_AREA_FK100", "CTX_AREA_NK100"};
constexpr sv buyable_params[] = {"CANO",     "ACNT_PRDT_CD",         "PDNO",        "ORD_UNPR",
                                 "ORD_DVSN", "CMA_EVLU_AMT_ICLD_YN", "OVRS_ICLD_YN"};
constexpr sv sellable_params[] = {"CANO", "ACNT_PRDT_CD", "PDNO"};
constexpr sv fills_params[] = {"CANO",
                               "ACNT_PRDT_CD",
                               "INQR_STRT_DT",
                               "INQR_END_DT",
                               "SLL_BUY_DVSN_CD",
                               "PDNO",
                               "ORD_GNO_BRNO",
                               "ODNO",
                               "CCLD_DVSN",
                               "INQR_DVSN",
                               "INQR_DVSN_1",
                               "INQR_DVSN_3",
                               "EXCG_ID_DVSN_CD",
                               "CTX_AREA_FK100",
                               "CTX_AREA_NK100"};
// The official samples leave EXCG_ID_DVSN_CD out when the caller passes None (KIS-PROTOCOL §9.3).
constexpr sv fills_optional[] = {"EXCG_ID_DVSN_CD"};
constexpr sv search_info_params[] = {"PDNO", "PRDT_TYPE_CD"};
constexpr sv search_stock_params[] = {"PRDT_TYPE_CD", "PDNO"};
constexpr sv holiday_params[] = {"BASS_DT", "CTX_AREA_NK", "CTX_AREA_FK"};

constexpr std::span<const sv> no_params{none, 0};

const route table[] = {
    {service::token_issue, "/oauth2/tokenP", true, true, "tokenP", {}, no_params, no_params},
    {service::token_revoke, "/oauth2/revokeP", true, true, "revokeP", {}, no_params, no_params},
    {service::approval_key, "/oauth2/Approval", true, true, "Approval", {}, no_params, no_params},
    {service::hashkey, "/uapi/hashkey", true, false, "hashkey", {}, no_params, no_params},
    {service::price,
     "/uapi/domestic-stock/v1/quotations/inquire-price",
     false,
     false,
     "inquire-price",
     {real("FHKST01010100"), paper("FHKST01010100")},
     price_params,
     no_params},
    {service::daily_price,
     "/uapi/domestic-stock/v1/quotations/inquire-daily-price",
     false,
     false,
     "inquire-daily-price",
     {real("FHKST01010400"), paper("FHKST01010400")},
     daily_price_params,
     no_params},
    {service::daily_chart,
     "/uapi/domestic-stock/v1/quotations/inquire-daily-itemchartprice",
     false,
     false,
     "inquire-daily-itemchartprice",
     {real("FHKST03010100"), paper("FHKST03010100")},
     chart_params,
     no_params},
    {service::minute_chart,
     "/uapi/domestic-stock/v1/quotations/inquire-time-itemchartprice",
     false,
     false,
     "inquire-time-itemchartprice",
     {real("FHKST03010200"), paper("FHKST03010200")},
     minute_params,
     no_params},
    {service::search_info,
     "/uapi/domestic-stock/v1/quotations/search-info",
     false,
     false,
     "search-info",
     {real("CTPF1604R")},
     search_info_params,
     no_params},
    {service::search_stock_info,
     "/uapi/domestic-stock/v1/quotations/search-stock-info",
     false,
     false,
     "search-stock-info",
     {real("CTPF1002R")},
     search_stock_params,
     no_params},
    {service::holidays,
     "/uapi/domestic-stock/v1/quotations/chk-holiday",
     false,
     false,
     "chk-holiday",
     {real("CTCA0903R")},
     holiday_params,
     no_params},
    {service::order_buy,
     "/uapi/domestic-stock/v1/trading/order-cash",
     true,
     false,
     "order-cash",
     {real("TTTC0012U"), paper("VTTC0012U"), old_real("TTTC0802U"), old_paper("VTTC0802U")},
     order_params,
     order_optional},
    {service::order_sell,
     "/uapi/domestic-stock/v1/trading/order-cash",
     true,
     false,
     "order-cash",
     {real("TTTC0011U"), paper("VTTC0011U"), old_real("TTTC0801U"), old_paper("VTTC0801U")},
     order_params,
     order_optional},
    {service::revise_cancel,
     "/uapi/domestic-stock/v1/trading/order-rvsecncl",
     true,
     false,
     "order-rvsecncl",
     {real("TTTC0013U"), paper("VTTC0013U"), old_real("TTTC0803U"), old_paper("VTTC0803U")},
     revise_params,
     revise_optional},
    {service::revisable,
     "/uapi/domestic-stock/v1/trading/inquire-psbl-rvsecncl",
     false,
     false,
     "inquire-psbl-rvsecncl",
     {real("TTTC0084R"), old_real("TTTC8036R")},
     revisable_params,
     no_params},
    {service::balance,
     "/uapi/domestic-stock/v1/trading/inquire-balance",
     false,
     false,
     "inquire-balance",
     {real("TTTC8434R"), paper("VTTC8434R")},
     balance_params,
     no_params},
    {service::buyable,
     "/uapi/domestic-stock/v1/trading/inquire-psbl-order",
     false,
     false,
     "inquire-psbl-order",
     {real("TTTC8908R"), paper("VTTC8908R")},
     buyable_params,
     no_params},
    {service::sellable,
     "/uapi/domestic-stock/v1/trading/inquire-psbl-sell",
     false,
     false,
     "inquire-psbl-sell",
     {real("TTTC8408R")},
     sellable_params,
     no_params},
    // Within three months TTTC0081R, older CTSC9215R; the 8001R/9115R pair is their old name.
    {service::daily_fills,
     "/uapi/domestic-stock/v1/trading/inquire-daily-ccld",
     false,
     false,
     "inquire-daily-ccld",
     {real("TTTC0081R"), paper("VTTC0081R"), real("CTSC9215R"), paper("VTSC9215R")},
     fills_params,
     fills_optional},
    {service::daily_fills,
     "/uapi/domestic-stock/v1/trading/inquire-daily-ccld",
     false,
     false,
     "inquire-daily-ccld",
     {old_real("TTTC8001R"), old_paper("VTTC8001R"), old_real("CTSC9115R"), old_paper("VTSC9115R")},
     fills_params,
     fills_optional},
};

} // namespace

std::span<const route> routes() noexcept {
  return table;
}

std::span<const route> routes_at(std::string_view path) noexcept {
  const route* first = std::find_if(std::begin(table), std::end(table),
                                    [&](const route& r) { return r.path == path; });
  const route* last =
      std::find_if(first, std::end(table), [&](const route& r) { return r.path != path; });
  return {first, static_cast<std::size_t>(last - first)};
}

route_match match(std::string_view path, std::string_view tr_id, api::environment e) noexcept {
  for (const auto& r : routes_at(path))
    for (const auto& t : r.trs)
      if (!t.id.empty() && t.id == tr_id && t.env == e)
        return {&r, &t};
  return {};
}

bool real_only(std::string_view path, std::string_view tr_id) noexcept {
  for (const auto& r : routes_at(path)) {
    const bool has_paper = std::any_of(r.trs.begin(), r.trs.end(), [](const tr_code& t) {
      return !t.id.empty() && t.env == env::paper;
    });
    // The official runner turns a T/J/C tr_id into its V twin on paper; a real-only TR has
    // no twin, and the paper server says so either way.
    const bool names_it = std::any_of(r.trs.begin(), r.trs.end(), [&](const tr_code& t) {
      return !t.id.empty() &&
             (t.id == tr_id || (tr_id.size() == t.id.size() && tr_id.front() == 'V' &&
                                tr_id.substr(1) == t.id.substr(1)));
    });
    if (!has_paper && names_it)
      return true;
  }
  return false;
}

} // namespace kis::sim
