#include "actors/budget/gateway_calls.hpp"

#include <caf/make_message.hpp>

#include "kis/endpoints.hpp"
#include "kis/rest_codec.hpp"

namespace kis {

namespace {

template <class... Fs>
struct overload : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
overload(Fs...) -> overload<Fs...>;

using folded = api::result<std::optional<caf::message>>;

folded done(caf::message msg) {
  return std::optional<caf::message>{std::move(msg)};
}

folded more() {
  return std::optional<caf::message>{};
}

// Continues a tr_cont-paged account query while KIS says there is more (and we allow it).
bool continue_paging(call_job& job, const api::continuation& next, std::uint32_t max_pages) {
  if (!next.more || job.pages >= max_pages)
    return false;
  job.tr_cont = "N";
  job.ctx_fk = next.fk;
  job.ctx_nk = next.nk;
  return true;
}

page_request page(endpoint_id id, std::vector<field> params, std::string tr_cont = {}) {
  return page_request{id, std::move(params), std::move(tr_cont)};
}

api::result<page_request> with(endpoint_id id, api::result<std::vector<field>> params,
                               std::string tr_cont = {}) {
  if (!params)
    return params.error();
  return page(id, std::move(params.value()), std::move(tr_cont));
}

} // namespace

permit_class class_of(const call_job& job) noexcept {
  return std::visit(overload{
                        [](const price_query& q) { return q.cls; },
                        [](const chart_query&) { return permit_class::history; },
                        [](const order_request&) { return permit_class::order; },
                        [](const revise_cancel_request&) { return permit_class::cancel_revise; },
                        [](const rest_call& c) { return c.cls; },
                        [](const stock_info_query&) { return permit_class::pretrade; },
                        [](const auto&) { return permit_class::account_query; },
                    },
                    job.what);
}

bool changes_account(const call_job& job) noexcept {
  if (const auto* c = std::get_if<rest_call>(&job.what))
    return c->endpoint == endpoint_id::order_cash_buy ||
           c->endpoint == endpoint_id::order_cash_sell ||
           c->endpoint == endpoint_id::order_revise_cancel;
  return std::holds_alternative<order_request>(job.what) ||
         std::holds_alternative<revise_cancel_request>(job.what);
}

api::result<page_request> next_page(const call_job& job, const api::credentials& cred,
                                    api::environment env) {
  return std::visit(
      overload{
          [&](const price_query& q) {
            return with(endpoint_id::inquire_price, api::price_params(q));
          },
          [&](const chart_query& q) {
            auto part = q;
            if (job.chart_to != 0)
              part.to_date = job.chart_to;
            return with(endpoint_id::inquire_chart, api::chart_params(part));
          },
          [&](const order_request& o) {
            return with(api::order_endpoint(o.dir), api::order_params(o, cred));
          },
          [&](const revise_cancel_request& r) {
            return with(endpoint_id::order_revise_cancel, api::revise_cancel_params(r, cred));
          },
          [&](const balance_query& q) {
            return with(endpoint_id::inquire_balance,
                        api::balance_params(cred, q, job.ctx_fk, job.ctx_nk), job.tr_cont);
          },
          [&](const buyable_query& q) {
            return with(endpoint_id::inquire_buyable, api::buyable_params(cred, q));
          },
          [&](const stock_info_query& q) {
            return with(endpoint_id::stock_info, api::stock_info_params(q.symbol));
          },
          [&](const fills_query& q) {
            return with(endpoint_id::inquire_daily_fills,
                        api::fills_params(cred, q, job.ctx_fk, job.ctx_nk, env), job.tr_cont);
          },
          [&](const rest_call& c) -> api::result<page_request> {
            if (api::lookup(c.endpoint).oauth)
              return api::make_api_error(errc::invalid_argument,
                                         "OAuth endpoints belong to the token keeper");
            return page(c.endpoint, c.params, c.tr_cont);
          },
      },
      job.what);
}

folded fold_page(call_job& job, const boost::json::object& root, const http_exchange& ex,
                 std::int64_t received_ns, std::uint32_t max_pages) {
  ++job.pages;
  return std::visit(
      overload{
          [&](const price_query& q) -> folded {
            auto v = api::decode_quote(root, q.symbol, received_ns);
            if (!v)
              return v.error();
            return done(caf::make_message(std::move(v.value())));
          },
          [&](const chart_query& q) -> folded {
            auto part = q;
            if (job.chart_to != 0)
              part.to_date = job.chart_to;
            auto v = api::decode_chart(root, part);
            if (!v)
              return v.error();
            auto& bars = v.value().bars;
            job.bars.insert(job.bars.end(), std::make_move_iterator(bars.begin()),
                            std::make_move_iterator(bars.end()));
            const auto next = v.value().next_to_date;
            // Paging must move back in time, or it would never end.
            const auto current = job.chart_to != 0 ? job.chart_to : q.to_date;
            if (next != 0 && next >= q.from_date && next < current && job.pages < max_pages) {
              job.chart_to = next;
              return more();
            }
            return done(caf::make_message(std::move(job.bars)));
          },
          [&](const order_request& o) -> folded {
            auto v = api::decode_order_ack(root, o.client_id);
            if (!v)
              return v.error();
            return done(caf::make_message(std::move(v.value())));
          },
          [&](const revise_cancel_request& r) -> folded {
            auto v = api::decode_order_ack(root, r.client_id);
            if (!v)
              return v.error();
            return done(caf::make_message(std::move(v.value())));
          },
          [&](const balance_query&) -> folded {
            auto v = api::decode_balance(root, ex.tr_cont);
            if (!v)
              return v.error();
            api::merge_balance(job.bal, std::move(v.value().value));
            if (continue_paging(job, v.value().next, max_pages))
              return more();
            return done(caf::make_message(std::move(job.bal)));
          },
          [&](const buyable_query& q) -> folded {
            auto v = api::decode_buyable(root, q.symbol);
            if (!v)
              return v.error();
            return done(caf::make_message(std::move(v.value())));
          },
          [&](const stock_info_query&) -> folded {
            auto v = api::decode_stock_info(root);
            if (!v)
              return v.error();
            return done(caf::make_message(std::move(v.value())));
          },
          [&](const fills_query&) -> folded {
            auto v = api::decode_fills(root, ex.tr_cont);
            if (!v)
              return v.error();
            auto& rows = v.value().rows;
            job.fills.insert(job.fills.end(), std::make_move_iterator(rows.begin()),
                             std::make_move_iterator(rows.end()));
            if (continue_paging(job, v.value().next, max_pages))
              return more();
            return done(caf::make_message(std::move(job.fills)));
          },
          [&](const rest_call&) -> folded {
            return done(caf::make_message(rest_reply{ex.http_status, ex.tr_cont, ex.body}));
          },
      },
      job.what);
}

} // namespace kis
