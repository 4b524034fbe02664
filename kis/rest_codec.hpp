// KIS REST on the wire: request building (headers, tr_id per environment, query strings and
// JSON bodies), reply classification into typed errors, and decoders into the messages/
// value types. Pure functions, no I/O: the gateway pairs them with http_transport.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "kis/credentials.hpp"
#include "kis/endpoints.hpp"
#include "kis/http_transport.hpp"
#include "kis/result.hpp"
#include "messages/market.hpp"
#include "messages/orders.hpp"
#include "messages/rest.hpp"

namespace kis::api {

// Everything a request needs besides its parameters. token may be empty for OAuth calls.
struct call_context {
  environment env = environment::real;
  std::string base_url; // e.g. https://openapi.koreainvestment.com:9443 (no trailing slash)
  credentials cred;
  std::string token; // access token, without "Bearer "
};

// Builds the HTTP request of one call. GET params go URL-encoded into the query string, POST
// params into a JSON object of strings (names verbatim: the builders below spell them as KIS
// wants). For the OAuth endpoints an empty params list means "the standard body from ctx"
// (token_params / revoke_params / approval_params). tr_cont: "" first page, "N" continuation.
// Errors: not_supported (no paper TR), invalid_argument (no token, no base URL),
// venue_refused (an order or revise/cancel for NXT or SOR on paper, which takes KRX only).
result<http_request> build_request(endpoint_id id, const call_context& ctx,
                                   const std::vector<kis::field>& params,
                                   std::string_view tr_cont = {});

// RFC 3986 percent-encoding of a query component.
std::string url_encode(std::string_view s);
// The reverse ('+' is a space; a malformed escape stays as it is).
std::string url_decode(std::string_view s);
// A query string's name=value pairs in their order, each side url-decoded; a pair without '='
// has an empty value, an empty pair (a doubled '&') is skipped.
std::vector<std::pair<std::string, std::string>> split_query(std::string_view q);
// ASCII upper case (KIS's parameter and header names are ASCII).
std::string ascii_upper(std::string_view s);

// --- parameter builders (names and codes per KIS-PROTOCOL.md §4) ---------------------------

// ORD_DVSN spelling of an order kind: "00", "01", ... "14".
std::string ord_dvsn(order_kind k);
// The endpoint of a cash order: buy TTTC0012U, sell TTTC0011U (V... on paper).
endpoint_id order_endpoint(side dir) noexcept;

result<std::vector<kis::field>> price_params(const price_query& q);
result<std::vector<kis::field>> daily_price_params(const chart_query& q); // dates unused
result<std::vector<kis::field>> chart_params(const chart_query& q);
// EXCG_ID_DVSN_CD from the request's route (unset: KRX). A revise/cancel must carry the
// original order's route.
result<std::vector<kis::field>> order_params(const order_request& o, const credentials& c);
result<std::vector<kis::field>> revise_cancel_params(const revise_cancel_request& r,
                                                     const credentials& c);
result<std::vector<kis::field>> balance_params(const credentials& c, const balance_query& q,
                                               std::string_view ctx_fk = {},
                                               std::string_view ctx_nk = {});
result<std::vector<kis::field>> buyable_params(const credentials& c, const buyable_query& q);
// EXCG_ID_DVSN_CD from q.scope for env (scope_code in kis/venues.hpp): automatic asks for ALL
// on real and KRX on paper. Pass the environment the request is for.
result<std::vector<kis::field>> fills_params(const credentials& c, const fills_query& q,
                                             std::string_view ctx_fk = {},
                                             std::string_view ctx_nk = {},
                                             environment env = environment::real);
// search-stock-info (CTPF1002R, real only): PRDT_TYPE_CD 300 (stocks, ETFs, ETNs) and PDNO.
result<std::vector<kis::field>> stock_info_params(std::string_view symbol);
// chk-holiday (CTCA0903R, real only): the days from `from` (YYYYMMDD) on; ctx_fk/ctx_nk of
// the previous page when KIS said there are more (tr_cont M/F).
result<std::vector<kis::field>> holiday_params(std::int32_t from, std::string_view ctx_fk = {},
                                               std::string_view ctx_nk = {});
std::vector<kis::field> token_params(const credentials& c);
std::vector<kis::field> revoke_params(const credentials& c, std::string_view token);
std::vector<kis::field> approval_params(const credentials& c);

// --- reply classification ------------------------------------------------------------------

// The errc a KIS code stands for. rt_cd_shape: the code came as msg_cd next to rt_cd (a
// non-gateway code there is a business rejection); otherwise it came as error_code.
errc classify_kis_code(std::string_view code, bool rt_cd_shape) noexcept;

// Parses the body on every HTTP status and classifies it. Success: the root object.
// No response at all: outcome_unknown when the request left (sent), transport otherwise.
result<boost::json::object> parse_reply(const kis::http_exchange& ex);

// --- decoders (take the root object parse_reply returned) ----------------------------------

// KIS's page size of the period chart; a full page means older rows may exist.
inline constexpr std::size_t chart_rows_per_call = 100;

// Continuation of the paged account queries (balance, daily fills).
struct continuation {
  bool more = false; // response header tr_cont F or M
  std::string fk;    // ctx_area_fk100, to send back as CTX_AREA_FK100
  std::string nk;    // ctx_area_nk100, to send back as CTX_AREA_NK100
};

struct chart_page {
  std::vector<daily_bar> bars;   // newest first, as KIS sends them
  std::int32_t next_to_date = 0; // FID_INPUT_DATE_2 of the next call; 0 = no more pages
};

struct balance_page {
  balance value;
  continuation next;
};

struct fills_page {
  std::vector<fill_record> rows;
  continuation next;
};

// chk-holiday pages on ctx_area_fk/ctx_area_nk (no 100 suffix, as the official sample reads
// them) and the tr_cont header.
struct holiday_page {
  std::vector<market_day> days; // as KIS sends them, oldest first
  continuation next;
};

result<quote> decode_quote(const boost::json::object& root, std::string_view symbol,
                           std::int64_t received_ns = 0);
result<std::vector<daily_bar>> decode_daily_prices(const boost::json::object& root,
                                                   std::string_view symbol);
result<chart_page> decode_chart(const boost::json::object& root, const chart_query& q);
result<order_ack> decode_order_ack(const boost::json::object& root, std::string_view client_id);
result<balance_page> decode_balance(const boost::json::object& root, std::string_view tr_cont);
result<buyable> decode_buyable(const boost::json::object& root, std::string_view symbol);
result<fills_page> decode_fills(const boost::json::object& root, std::string_view tr_cont);
// search-stock-info's output; as_of is left 0 for the caller to stamp.
result<stock_info> decode_stock_info(const boost::json::object& root);
result<holiday_page> decode_holidays(const boost::json::object& root, std::string_view tr_cont);
// Expiry from access_token_token_expired (KST); expires_in when that field is absent.
result<access_token> decode_token(const boost::json::object& root, std::int64_t now_ns);
// The approval key is valid 24 h from issue (KIS-PROTOCOL.md §2.4).
result<approval_key> decode_approval(const boost::json::object& root, std::int64_t now_ns);

// The HASH of a hashkey answer, for the optional "hashkey" header of an order.
result<std::string> decode_hashkey(const boost::json::object& root);

// Appends one balance page to an accumulated balance (totals: the latest page's output2).
void merge_balance(balance& into, balance&& page);

} // namespace kis::api
