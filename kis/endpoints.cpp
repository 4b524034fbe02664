#include "kis/endpoints.hpp"

#include <array>

namespace kis::api {

namespace {

using pc = permit_class;
using hm = http_method;

constexpr std::array<endpoint, endpoint_count> table{{
    {endpoint_id::token_issue, "token_issue", hm::post, "/oauth2/tokenP", "", "", pc::order, false,
     true},
    {endpoint_id::token_revoke, "token_revoke", hm::post, "/oauth2/revokeP", "", "", pc::order,
     false, true},
    {endpoint_id::approval_key, "approval_key", hm::post, "/oauth2/Approval", "", "", pc::order,
     false, true},
    {endpoint_id::hashkey, "hashkey", hm::post, "/uapi/hashkey", "", "", pc::order, false, false},
    {endpoint_id::inquire_price, "inquire_price", hm::get,
     "/uapi/domestic-stock/v1/quotations/inquire-price", "FHKST01010100", "FHKST01010100",
     pc::market_data, false, false},
    {endpoint_id::inquire_daily_price, "inquire_daily_price", hm::get,
     "/uapi/domestic-stock/v1/quotations/inquire-daily-price", "FHKST01010400", "FHKST01010400",
     pc::market_data, false, false},
    {endpoint_id::inquire_chart, "inquire_chart", hm::get,
     "/uapi/domestic-stock/v1/quotations/inquire-daily-itemchartprice", "FHKST03010100",
     "FHKST03010100", pc::market_data, false, false},
    {endpoint_id::order_cash_buy, "order_cash_buy", hm::post,
     "/uapi/domestic-stock/v1/trading/order-cash", "TTTC0012U", "VTTC0012U", pc::order, false,
     false},
    {endpoint_id::order_cash_sell, "order_cash_sell", hm::post,
     "/uapi/domestic-stock/v1/trading/order-cash", "TTTC0011U", "VTTC0011U", pc::order, false,
     false},
    {endpoint_id::order_revise_cancel, "order_revise_cancel", hm::post,
     "/uapi/domestic-stock/v1/trading/order-rvsecncl", "TTTC0013U", "VTTC0013U", pc::cancel_revise,
     false, false},
    {endpoint_id::inquire_balance, "inquire_balance", hm::get,
     "/uapi/domestic-stock/v1/trading/inquire-balance", "TTTC8434R", "VTTC8434R", pc::account_query,
     true, false},
    {endpoint_id::inquire_buyable, "inquire_buyable", hm::get,
     "/uapi/domestic-stock/v1/trading/inquire-psbl-order", "TTTC8908R", "VTTC8908R",
     pc::account_query, false, false},
    {endpoint_id::inquire_daily_fills, "inquire_daily_fills", hm::get,
     "/uapi/domestic-stock/v1/trading/inquire-daily-ccld", "TTTC0081R", "VTTC0081R",
     pc::account_query, true, false},
    // Real only (DOC: 모의투자 미지원); both are asked about once a day.
    {endpoint_id::stock_info, "stock_info", hm::get,
     "/uapi/domestic-stock/v1/quotations/search-stock-info", "CTPF1002R", "", pc::market_data,
     false, false},
    {endpoint_id::holidays, "holidays", hm::get, "/uapi/domestic-stock/v1/quotations/chk-holiday",
     "CTCA0903R", "", pc::account_query, false, false},
}};

constexpr bool table_in_id_order() {
  for (std::size_t i = 0; i < table.size(); ++i)
    if (static_cast<std::size_t>(table[i].id) != i)
      return false;
  return true;
}
static_assert(table_in_id_order(), "endpoint table must be in endpoint_id order");

} // namespace

std::optional<environment> parse_environment(std::string_view s) noexcept {
  if (s == "real" || s == "live")
    return environment::real;
  if (s == "paper")
    return environment::paper;
  return std::nullopt;
}

const endpoint& lookup(endpoint_id id) noexcept {
  return table[static_cast<std::size_t>(id)];
}

std::span<const endpoint> all_endpoints() noexcept {
  return {table.data(), table.size()};
}

std::optional<std::string_view> tr_id(const endpoint& ep, environment env) noexcept {
  auto tr = env == environment::real ? ep.tr_real : ep.tr_paper;
  if (tr.empty() && !ep.oauth && ep.id != endpoint_id::hashkey)
    return std::nullopt;
  return tr;
}

const endpoint* find_by_path(std::string_view path) noexcept {
  for (const auto& ep : table)
    if (ep.path == path)
      return &ep;
  return nullptr;
}

const endpoint* find_by_tr_id(std::string_view tr) noexcept {
  for (const auto& ep : table)
    if (!tr.empty() && (ep.tr_real == tr || ep.tr_paper == tr))
      return &ep;
  return nullptr;
}

std::string_view default_rest_url(environment env) noexcept {
  return env == environment::real ? "https://openapi.koreainvestment.com:9443"
                                  : "https://openapivts.koreainvestment.com:29443";
}

std::string_view default_ws_url(environment env) noexcept {
  return env == environment::real ? "ws://ops.koreainvestment.com:21000"
                                  : "ws://ops.koreainvestment.com:31000";
}

int default_rate_limit(environment env) noexcept {
  return env == environment::real ? 18 : 1;
}

} // namespace kis::api
