// Values of the REST side: endpoints, call permits, tokens, raw calls and their statistics.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "messages/orders.hpp"

namespace kis {

// Every KIS REST endpoint the engine uses; kis/endpoints.hpp maps each to method, path, tr_id.
enum class endpoint_id : std::uint8_t {
  token_issue = 0,     // POST /oauth2/tokenP
  token_revoke,        // POST /oauth2/revokeP
  approval_key,        // POST /oauth2/Approval
  hashkey,             // POST /uapi/hashkey
  inquire_price,       // FHKST01010100
  inquire_daily_price, // FHKST01010400
  inquire_chart,       // FHKST03010100 (inquire-daily-itemchartprice)
  order_cash_buy,      // TTTC0012U / VTTC0012U
  order_cash_sell,     // TTTC0011U / VTTC0011U
  order_revise_cancel, // TTTC0013U / VTTC0013U
  inquire_balance,     // TTTC8434R / VTTC8434R
  inquire_buyable,     // TTTC8908R / VTTC8908R
  inquire_daily_fills, // TTTC0081R / VTTC0081R
  stock_info,          // CTPF1002R (search-stock-info), real only: NXT eligibility
  holidays,            // CTCA0903R (chk-holiday), real only: open days
};
inline constexpr std::size_t endpoint_count = 15;

// Who goes first when the budget is short: orders, then cancels/revisions, then the quote an
// order is waiting for, then account queries, then market data (polling), then history
// (warm-up, which can wait).
enum class permit_class : std::uint8_t {
  order = 0,
  cancel_revise = 1,
  pretrade = 2,
  account_query = 3,
  market_data = 4,
  history = 5
};
inline constexpr std::size_t permit_class_count = 6;

constexpr const char* to_cstr(permit_class c) noexcept {
  switch (c) {
  case permit_class::order:
    return "order";
  case permit_class::cancel_revise:
    return "cancel_revise";
  case permit_class::pretrade:
    return "pretrade";
  case permit_class::account_query:
    return "account_query";
  case permit_class::market_data:
    return "market_data";
  case permit_class::history:
    return "history";
  }
  return "unknown";
}

// Ask the rate governor for the right to make one REST call.
struct permit_request {
  permit_class cls = permit_class::market_data;
  std::string requester; // fair share is kept per requester within a class
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, permit_request& x) {
  return f(caf::meta::type_name("permit_request"), x.cls, x.requester);
}

// The right to make one call now. granted_ns is on the governor's clock. A request that has
// not begun to leave within leave_within_ns of receiving the permit must not leave at all: its
// permit goes back (permit_use with left = false) and the call asks again.
struct permit {
  std::uint64_t id = 0;
  permit_class cls = permit_class::market_data;
  std::int64_t granted_ns = 0;
  std::int64_t waited_ns = 0;
  std::int64_t leave_within_ns = 500'000'000;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, permit& x) {
  return f(caf::meta::type_name("permit"), x.id, x.cls, x.granted_ns, x.waited_ns,
           x.leave_within_ns);
}

// What became of a permit's request before any answer: it left (the transport began to send
// it; the permit is spent now) or it never left and the permit is given back unused.
struct permit_use {
  std::uint64_t permit_id = 0;
  bool left = true;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, permit_use& x) {
  return f(caf::meta::type_name("permit_use"), x.permit_id, x.left);
}

// What became of a permitted call that left; feeds the statistics and the back-off.
enum class call_result : std::uint8_t { success = 0, failure = 1, rate_limited = 2 };

struct call_outcome {
  std::uint64_t permit_id = 0;
  permit_class cls = permit_class::market_data;
  call_result result = call_result::success;
  std::int64_t latency_ns = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, call_outcome& x) {
  return f(caf::meta::type_name("call_outcome"), x.permit_id, x.cls, x.result, x.latency_ns);
}

// The OAuth access token. expires_ns is UTC, converted from KST access_token_token_expired.
struct access_token {
  std::string value;
  std::string type = "Bearer";
  std::int64_t issued_ns = 0;
  std::int64_t expires_ns = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, access_token& x) {
  return f(caf::meta::type_name("access_token"), x.value, x.type, x.issued_ns, x.expires_ns);
}

// The WebSocket approval key (POST /oauth2/Approval).
struct approval_key {
  std::string value;
  std::int64_t issued_ns = 0;
  std::int64_t expires_ns = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, approval_key& x) {
  return f(caf::meta::type_name("approval_key"), x.value, x.issued_ns, x.expires_ns);
}

// What the token keeper can say about its token without revealing it.
struct token_info {
  bool valid = false;
  std::int64_t issued_ns = 0;
  std::int64_t expires_ns = 0;
  std::int64_t age_ns = 0;
  std::uint64_t issues = 0;   // tokens issued by this keeper
  std::uint64_t too_soon = 0; // EGW00133 answers seen
  bool from_cache = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, token_info& x) {
  return f(caf::meta::type_name("token_info"), x.valid, x.issued_ns, x.expires_ns, x.age_ns,
           x.issues, x.too_soon, x.from_cache);
}

// A name/value pair: query parameter, body field or header.
struct field {
  std::string name;
  std::string value;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, field& x) {
  return f(caf::meta::type_name("field"), x.name, x.value);
}

// A raw REST call through the gateway: for endpoints without a typed wrapper.
struct rest_call {
  endpoint_id endpoint = endpoint_id::inquire_price;
  std::vector<field> params; // query string for GET, JSON body for POST
  std::string tr_cont;       // "" first page, "N" continuation
  permit_class cls = permit_class::market_data;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rest_call& x) {
  return f(caf::meta::type_name("rest_call"), x.endpoint, x.params, x.tr_cont, x.cls);
}

// The undecoded answer to a rest_call that KIS accepted (rt_cd "0").
struct rest_reply {
  int http_status = 0;
  std::string tr_cont; // response header: F/M more, D/E last
  std::string body;    // JSON
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rest_reply& x) {
  return f(caf::meta::type_name("rest_reply"), x.http_status, x.tr_cont, x.body);
}

// Market segment for quotes: J (KRX), NX (NXT), UN (combined).
struct price_query {
  std::string symbol;
  std::string market = "J";
  bool allow_cached = true; // a quote younger than the gateway's TTL may be reused
  permit_class cls = permit_class::market_data; // pretrade when an order waits for it
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, price_query& x) {
  return f(caf::meta::type_name("price_query"), x.symbol, x.market, x.allow_cached, x.cls);
}

// Daily history between two KST dates (YYYYMMDD); the gateway pages back past 100 rows.
// History is warm-up: it takes permits of the lowest class.
struct chart_query {
  std::string symbol;
  std::int32_t from_date = 0;
  std::int32_t to_date = 0;
  char period = 'D'; // D, W, M, Y
  bool adjusted = true;
  std::string market = "J";
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, chart_query& x) {
  return f(caf::meta::type_name("chart_query"), x.symbol, x.from_date, x.to_date, x.period,
           x.adjusted, x.market);
}

struct balance_query {
  bool include_prior_day = true; // PRCS_DVSN 00
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, balance_query& x) {
  return f(caf::meta::type_name("balance_query"), x.include_prior_day);
}

struct buyable_query {
  std::string symbol;
  std::int64_t price = 0;
  std::uint8_t kind = 1; // ORD_DVSN used for the check; 01 counts the margin rate
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, buyable_query& x) {
  return f(caf::meta::type_name("buyable_query"), x.symbol, x.price, x.kind);
}

// inquire-daily-ccld over a KST date range, optionally for one order number. scope: which
// venues' orders (EXCG_ID_DVSN_CD); automatic asks for every venue there is (venue_scope in
// orders.hpp).
struct fills_query {
  std::int32_t from_date = 0;
  std::int32_t to_date = 0;
  std::string symbol;
  std::string order_no;
  std::uint8_t filter = 0; // CCLD_DVSN 00 all, 01 filled, 02 unfilled
  venue_scope scope = venue_scope::automatic;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, fills_query& x) {
  return f(caf::meta::type_name("fills_query"), x.from_date, x.to_date, x.symbol, x.order_no,
           x.filter, x.scope);
}

// search-stock-info of one symbol (real only): whether Nextrade trades it. The executor asks
// once a symbol a KST day before its first NXT order, in the class just below orders.
struct stock_info_query {
  std::string symbol;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stock_info_query& x) {
  return f(caf::meta::type_name("stock_info_query"), x.symbol);
}

} // namespace kis

namespace kis {

// The API figures (calls, successes, the last second's calls), as the rate governor keeps them.
struct api_stats {
  std::uint64_t total_calls = 0; // permits granted
  std::uint64_t successes = 0;
  std::uint64_t failures = 0;
  std::uint64_t rate_limited = 0; // EGW00201 answers reported back
  double success_rate = 0;        // successes / (successes + failures), 1 when none
  std::uint32_t calls_last_second = 0;
  std::uint32_t limit = 0;                     // configured calls per second
  double effective_rate = 0;                   // after back-off
  std::uint32_t max_in_window = 0;             // largest count seen in any sliding second
  std::vector<std::uint64_t> granted_by_class; // indexed by permit_class
  std::vector<std::uint64_t> waiting_by_class;
  double safety_margin_s = 0; // the window's margin now (learned from EGW00201)
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, api_stats& x) {
  return f(caf::meta::type_name("api_stats"), x.total_calls, x.successes, x.failures,
           x.rate_limited, x.success_rate, x.calls_last_second, x.limit, x.effective_rate,
           x.max_in_window, x.granted_by_class, x.waiting_by_class, x.safety_margin_s);
}

} // namespace kis

namespace kis {

// One finished HTTP exchange, as the transport thread hands it to the gateway.
// sent=false means nothing left the machine (safe to retry even an order).
struct http_exchange {
  std::uint64_t call_id = 0;
  int http_status = 0; // 0 when no response
  std::string tr_cont;
  std::string body;
  std::string transport_error;
  bool sent = false;
  bool late = false; // not sent: it could not leave before its permit's deadline
  std::int64_t elapsed_ns = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, http_exchange& x) {
  return f(caf::meta::type_name("http_exchange"), x.call_id, x.http_status, x.tr_cont, x.body,
           x.transport_error, x.sent, x.late, x.elapsed_ns);
}

} // namespace kis
