// What the REST gateway does for each kind of call, without the actor: which endpoint and
// parameters the next page needs, and how a successful page folds into the final answer
// (charts page back past 100 rows, balance and fills follow tr_cont + CTX_AREA_*).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <boost/json/object.hpp>
#include <caf/message.hpp>

#include "kis/credentials.hpp"
#include "kis/endpoints.hpp"
#include "kis/result.hpp"
#include "messages/market.hpp"
#include "messages/orders.hpp"
#include "messages/rest.hpp"

namespace kis {

using call_request =
    std::variant<price_query, chart_query, order_request, revise_cancel_request, balance_query,
                 buyable_query, fills_query, rest_call, stock_info_query>;

// One logical call and what its pages gathered so far.
struct call_job {
  call_request what;
  std::uint32_t pages = 0;
  std::int32_t chart_to = 0; // FID_INPUT_DATE_2 of the next chart page; 0 = the query's own
  std::string tr_cont;       // "" first page, "N" continuation
  std::string ctx_fk, ctx_nk;
  std::vector<daily_bar> bars;
  balance bal;
  std::vector<fill_record> fills;
};

// The endpoint, parameters and continuation header of the next page.
struct page_request {
  endpoint_id endpoint = endpoint_id::inquire_price;
  std::vector<field> params;
  std::string tr_cont;
};

permit_class class_of(const call_job& job) noexcept;

// Orders and revisions change the account: never retried blindly.
bool changes_account(const call_job& job) noexcept;

// env: the gateway's environment (inquire-daily-ccld asks ALL on real, KRX on paper).
api::result<page_request> next_page(const call_job& job, const api::credentials& cred,
                                    api::environment env);

// Folds one accepted reply into the job. The final answer as a message when the call is
// complete, nullopt when another page is needed (the job then describes it).
api::result<std::optional<caf::message>> fold_page(call_job& job, const boost::json::object& root,
                                                   const http_exchange& ex,
                                                   std::int64_t received_ns,
                                                   std::uint32_t max_pages);

} // namespace kis
