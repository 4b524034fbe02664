// What kis-sim serves over REST: every path with its method, its tr_ids per environment (the
// current ones, and the older ones KIS still accepts, counted apart), and the request
// parameters KIS's portal documents for it (docs/kis-fields.md). The simulator serves more
// than the engine calls, so this table is its own, not kis::api's endpoint table.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "kis/endpoints.hpp"

namespace kis::sim {

enum class service : std::uint8_t {
  token_issue,
  token_revoke,
  approval_key,
  hashkey,
  price,             // inquire-price
  daily_price,       // inquire-daily-price
  daily_chart,       // inquire-daily-itemchartprice
  minute_chart,      // inquire-time-itemchartprice
  order_buy,         // order-cash, buy
  order_sell,        // order-cash, sell
  revise_cancel,     // order-rvsecncl
  revisable,         // inquire-psbl-rvsecncl
  balance,           // inquire-balance
  buyable,           // inquire-psbl-order
  sellable,          // inquire-psbl-sell
  daily_fills,       // inquire-daily-ccld
  search_info,       // search-info (CTPF1604R)
  search_stock_info, // search-stock-info (CTPF1002R)
  holidays,          // chk-holiday (CTCA0903R)
};

// One tr_id a route answers to.
struct tr_code {
  std::string_view id;
  api::environment env = api::environment::real;
  bool legacy = false; // an older tr_id KIS still accepts (KIS-PROTOCOL.md §4, §10)
};

struct route {
  service what;
  std::string_view path;
  bool post = false;
  bool oauth = false;                         // no tr_id, no token
  std::string_view name;                      // the heading in docs/kis-fields.md
  std::array<tr_code, 4> trs{};               // empty ids are unused slots
  std::span<const std::string_view> params;   // documented request parameters (upper case)
  std::span<const std::string_view> optional; // of those, the ones a request may leave out
};

std::span<const route> routes() noexcept;

// The routes served at a path (one, or two for order-cash: buy and sell).
std::span<const route> routes_at(std::string_view path) noexcept;

// The route and tr_id entry for (path, tr_id, env); nullptr when the path does not take it.
struct route_match {
  const route* r = nullptr;
  const tr_code* tr = nullptr;
};
route_match match(std::string_view path, std::string_view tr_id, api::environment env) noexcept;

// True when the tr_id is that of a real-only TR ("모의투자 미지원" on the portal), or its
// V-prefixed twin: the paper server answers EGW02006 "모의투자 TR이 아닙니다".
bool real_only(std::string_view path, std::string_view tr_id) noexcept;

} // namespace kis::sim
