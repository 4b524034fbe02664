// Request side of rest_codec.hpp: headers, query strings, JSON bodies and parameter lists.
#include "kis/rest_codec.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <utility>

#include <boost/json/serialize.hpp>

#include "kis/kst.hpp"
#include "kis/venues.hpp"

namespace kis::api {

namespace {

api_error invalid(std::string msg) {
  return make_api_error(errc::invalid_argument, std::move(msg));
}

bool all_digits(std::string_view s) noexcept {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool alnum(char c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

// Six-digit codes, ETNs with a 'Q' prefix: short and alphanumeric.
bool valid_symbol(std::string_view s) noexcept {
  return !s.empty() && s.size() <= 12 && std::all_of(s.begin(), s.end(), alnum);
}

bool valid_market(std::string_view m) noexcept {
  return m == "J" || m == "NX" || m == "UN" || m == "W";
}

// The account fields every trading call carries: CANO 8 digits, ACNT_PRDT_CD 2 digits.
result<std::vector<kis::field>> account_fields(const credentials& c) {
  if (c.account_no.size() != 8 || !all_digits(c.account_no))
    return invalid("account number (CANO) must be 8 digits");
  if (c.account_product.size() != 2 || !all_digits(c.account_product))
    return invalid("account product code (ACNT_PRDT_CD) must be 2 digits");
  return std::vector<kis::field>{{"CANO", c.account_no}, {"ACNT_PRDT_CD", c.account_product}};
}

bool market_type(order_kind k) noexcept {
  switch (k) {
  case order_kind::market:
  case order_kind::best_limit:
  case order_kind::top_limit:
  case order_kind::ioc_market:
  case order_kind::fok_market:
    return true;
  default:
    return false;
  }
}

bool known_kind(order_kind k) noexcept {
  switch (k) {
  case order_kind::limit:
  case order_kind::market:
  case order_kind::conditional:
  case order_kind::best_limit:
  case order_kind::top_limit:
  case order_kind::ioc_limit:
  case order_kind::fok_limit:
  case order_kind::ioc_market:
  case order_kind::fok_market:
    return true;
  }
  return false;
}

// ORD_UNPR: "0" for market-type orders, a positive price otherwise.
result<std::string> order_price(order_kind k, std::int64_t price) {
  if (price < 0)
    return invalid("price must not be negative");
  if (market_type(k))
    return std::string{"0"};
  if (price == 0)
    return invalid("a limit-type order needs a price");
  return std::to_string(price);
}

result<std::string> date_text(std::int32_t d, std::string_view what) {
  if (!kst::valid_date(d))
    return invalid(std::string{what} + " is not a YYYYMMDD date");
  return kst::format_date(d);
}

// from_date and to_date as KIS writes them; the chart and inquire-daily-ccld both take a range.
result<std::pair<std::string, std::string>> date_range(std::int32_t from_date,
                                                       std::int32_t to_date) {
  auto from = date_text(from_date, "from_date");
  if (!from)
    return std::move(from).error();
  auto to = date_text(to_date, "to_date");
  if (!to)
    return std::move(to).error();
  if (from_date > to_date)
    return invalid("from_date is after to_date");
  return std::pair{std::move(*from), std::move(*to)};
}

void append(std::vector<kis::field>& to, std::initializer_list<kis::field> more) {
  to.insert(to.end(), more.begin(), more.end());
}

// Paper trading takes KRX orders only (DOC order pages): an NXT or SOR order or revise/cancel
// is refused here, before it costs a call.
std::optional<api_error> paper_venue_refusal(endpoint_id id, environment env,
                                             const std::vector<kis::field>& params) {
  const bool trading = id == endpoint_id::order_cash_buy || id == endpoint_id::order_cash_sell ||
                       id == endpoint_id::order_revise_cancel;
  if (env != environment::paper || !trading)
    return std::nullopt;
  for (const auto& p : params)
    if (p.name == "EXCG_ID_DVSN_CD" && !p.value.empty() && p.value != "KRX") {
      const auto named = parse_venue_code(p.value);
      return make_api_error(errc::venue_refused,
                            "paper trading takes KRX orders only, not " +
                                std::string{named ? venue_code(*named) : "an unknown venue"});
    }
  return std::nullopt;
}

std::string query_string(const std::vector<kis::field>& params) {
  std::string q;
  for (const auto& p : params) {
    if (!q.empty())
      q += '&';
    q += url_encode(p.name);
    q += '=';
    q += url_encode(p.value);
  }
  return q;
}

std::string json_body(const std::vector<kis::field>& params) {
  boost::json::object o;
  for (const auto& p : params)
    o[p.name] = p.value; // every value a string, as KIS wants
  return boost::json::serialize(o);
}

} // namespace

std::string url_encode(std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (alnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
      out += ch;
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 0xF];
    }
  }
  return out;
}

std::string url_decode(std::string_view s) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9')
      return c - '0';
    if (c >= 'a' && c <= 'f')
      return c - 'a' + 10;
    return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
  };
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> split_query(std::string_view q) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!q.empty()) {
    auto amp = q.find('&');
    auto pair = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
    if (pair.empty())
      continue;
    auto eq = pair.find('=');
    out.emplace_back(url_decode(pair.substr(0, eq)), eq == std::string_view::npos
                                                         ? std::string{}
                                                         : url_decode(pair.substr(eq + 1)));
  }
  return out;
}

std::string ascii_upper(std::string_view s) {
  std::string out{s};
  for (auto& c : out)
    if (c >= 'a' && c <= 'z')
      c = static_cast<char>(c - 'a' + 'A');
  return out;
}

std::string ord_dvsn(order_kind k) {
  char buf[4];
  std::snprintf(buf, sizeof buf, "%02u", static_cast<unsigned>(k) % 100U);
  return buf;
}

endpoint_id order_endpoint(side dir) noexcept {
  return dir == side::sell ? endpoint_id::order_cash_sell : endpoint_id::order_cash_buy;
}

result<http_request> build_request(endpoint_id id, const call_context& ctx,
                                   const std::vector<kis::field>& params,
                                   std::string_view tr_cont) {
  if (static_cast<std::size_t>(id) >= endpoint_count)
    return invalid("unknown endpoint");
  const auto& ep = lookup(id);
  auto tr = tr_id(ep, ctx.env);
  if (!tr)
    return make_api_error(errc::not_supported, std::string{ep.name} + " is not available in " +
                                                   std::string{to_string_view(ctx.env)});
  if (ctx.base_url.empty())
    return invalid("no base URL");
  if (ctx.cred.app_key.empty() || ctx.cred.app_secret.empty())
    return invalid("app key and app secret are required");
  if (tr_cont != "" && tr_cont != "N")
    return invalid("tr_cont must be empty or N");
  bool is_hashkey = id == endpoint_id::hashkey;
  if (!ep.oauth && !is_hashkey && ctx.token.empty())
    return invalid(std::string{ep.name} + " needs an access token");
  if (auto refusal = paper_venue_refusal(id, ctx.env, params))
    return std::move(*refusal);

  http_request req;
  req.method = ep.method;
  req.headers.push_back({"content-type", "application/json; charset=utf-8"});
  if (is_hashkey) {
    append(req.headers, {{"appkey", ctx.cred.app_key}, {"appsecret", ctx.cred.app_secret}});
  } else if (!ep.oauth) {
    append(req.headers, {{"authorization", "Bearer " + ctx.token},
                         {"appkey", ctx.cred.app_key},
                         {"appsecret", ctx.cred.app_secret},
                         {"tr_id", std::string{*tr}},
                         {"custtype", ctx.cred.custtype},
                         {"tr_cont", std::string{tr_cont}}});
  }

  const std::vector<kis::field>* body = &params;
  std::vector<kis::field> standard;
  if (ep.oauth && params.empty()) {
    if (id == endpoint_id::token_issue)
      standard = token_params(ctx.cred);
    else if (id == endpoint_id::approval_key)
      standard = approval_params(ctx.cred);
    else if (ctx.token.empty())
      return invalid("revoking needs the token to revoke");
    else
      standard = revoke_params(ctx.cred, ctx.token);
    body = &standard;
  }

  req.url = ctx.base_url;
  req.url += ep.path;
  if (ep.method == http_method::get) {
    if (!body->empty())
      req.url += '?' + query_string(*body);
  } else {
    req.body = json_body(*body);
  }
  return req;
}

result<std::vector<kis::field>> price_params(const price_query& q) {
  if (!valid_symbol(q.symbol))
    return invalid("symbol must be 1-12 letters or digits");
  if (!valid_market(q.market))
    return invalid("market must be J, NX, UN or W");
  return std::vector<kis::field>{{"FID_COND_MRKT_DIV_CODE", q.market},
                                 {"FID_INPUT_ISCD", q.symbol}};
}

result<std::vector<kis::field>> daily_price_params(const chart_query& q) {
  auto p = price_params({q.symbol, q.market, false});
  if (!p)
    return p;
  if (q.period != 'D' && q.period != 'W' && q.period != 'M')
    return invalid("period must be D, W or M");
  append(*p, {{"FID_PERIOD_DIV_CODE", std::string(1, q.period)},
              {"FID_ORG_ADJ_PRC", q.adjusted ? "0" : "1"}});
  return p;
}

result<std::vector<kis::field>> chart_params(const chart_query& q) {
  auto p = price_params({q.symbol, q.market, false});
  if (!p)
    return p;
  auto range = date_range(q.from_date, q.to_date);
  if (!range)
    return std::move(range).error();
  if (q.period != 'D' && q.period != 'W' && q.period != 'M' && q.period != 'Y')
    return invalid("period must be D, W, M or Y");
  append(*p, {{"FID_INPUT_DATE_1", range->first},
              {"FID_INPUT_DATE_2", range->second},
              {"FID_PERIOD_DIV_CODE", std::string(1, q.period)},
              {"FID_ORG_ADJ_PRC", q.adjusted ? "0" : "1"}});
  return p;
}

result<std::vector<kis::field>> order_params(const order_request& o, const credentials& c) {
  auto p = account_fields(c);
  if (!p)
    return p;
  if (!valid_symbol(o.symbol))
    return invalid("symbol must be 1-12 letters or digits");
  if (!known_kind(o.kind))
    return invalid("unknown order kind");
  if (o.qty <= 0)
    return invalid("quantity must be positive");
  auto price = order_price(o.kind, o.price);
  if (!price)
    return std::move(price).error();
  append(*p, {{"PDNO", o.symbol},
              {"ORD_DVSN", ord_dvsn(o.kind)},
              {"ORD_QTY", std::to_string(o.qty)},
              {"ORD_UNPR", *price},
              {"EXCG_ID_DVSN_CD", std::string{venue_code(o.route)}}});
  return p;
}

result<std::vector<kis::field>> revise_cancel_params(const revise_cancel_request& r,
                                                     const credentials& c) {
  auto p = account_fields(c);
  if (!p)
    return p;
  if (!all_digits(r.org_no) || !all_digits(r.order_no))
    return invalid("the original order's branch and number must be digits");
  if (!known_kind(r.kind))
    return invalid("unknown order kind");
  if (r.action != revise_or_cancel::revise && r.action != revise_or_cancel::cancel)
    return invalid("action must be revise or cancel");
  if (!r.all_qty && r.qty <= 0)
    return invalid("a partial revise/cancel needs a positive quantity");
  std::string price = "0";
  if (r.action == revise_or_cancel::revise) {
    auto px = order_price(r.kind, r.price);
    if (!px)
      return std::move(px).error();
    price = std::move(*px);
  }
  append(*p, {{"KRX_FWDG_ORD_ORGNO", r.org_no},
              {"ORGN_ODNO", r.order_no},
              {"ORD_DVSN", ord_dvsn(r.kind)},
              {"RVSE_CNCL_DVSN_CD", r.action == revise_or_cancel::revise ? "01" : "02"},
              {"ORD_QTY", r.all_qty ? "0" : std::to_string(r.qty)},
              {"ORD_UNPR", price},
              {"QTY_ALL_ORD_YN", r.all_qty ? "Y" : "N"},
              {"EXCG_ID_DVSN_CD", std::string{venue_code(r.route)}}});
  return p;
}

result<std::vector<kis::field>> balance_params(const credentials& c, const balance_query& q,
                                               std::string_view ctx_fk, std::string_view ctx_nk) {
  auto p = account_fields(c);
  if (!p)
    return p;
  append(*p, {{"AFHR_FLPR_YN", "N"},
              {"OFL_YN", ""},
              {"INQR_DVSN", "02"},
              {"UNPR_DVSN", "01"},
              {"FUND_STTL_ICLD_YN", "N"},
              {"FNCG_AMT_AUTO_RDPT_YN", "N"},
              {"PRCS_DVSN", q.include_prior_day ? "00" : "01"},
              {"CTX_AREA_FK100", std::string{ctx_fk}},
              {"CTX_AREA_NK100", std::string{ctx_nk}}});
  return p;
}

result<std::vector<kis::field>> buyable_params(const credentials& c, const buyable_query& q) {
  auto p = account_fields(c);
  if (!p)
    return p;
  // A blank symbol asks for the orderable amount only (KIS-PROTOCOL.md §4.7).
  if (!q.symbol.empty() && !valid_symbol(q.symbol))
    return invalid("symbol must be 1-12 letters or digits");
  if (q.price < 0)
    return invalid("price must not be negative");
  if (!known_kind(static_cast<order_kind>(q.kind)))
    return invalid("unknown order kind");
  append(*p, {{"PDNO", q.symbol},
              {"ORD_UNPR", q.symbol.empty() ? "" : std::to_string(q.price)},
              {"ORD_DVSN", ord_dvsn(static_cast<order_kind>(q.kind))},
              {"CMA_EVLU_AMT_ICLD_YN", "N"},
              {"OVRS_ICLD_YN", "N"}});
  return p;
}

result<std::vector<kis::field>> fills_params(const credentials& c, const fills_query& q,
                                             std::string_view ctx_fk, std::string_view ctx_nk,
                                             environment env) {
  auto p = account_fields(c);
  if (!p)
    return p;
  auto scope = scope_code(q.scope, env);
  if (!scope)
    return std::move(scope).error();
  auto range = date_range(q.from_date, q.to_date);
  if (!range)
    return std::move(range).error();
  if (!q.symbol.empty() && !valid_symbol(q.symbol))
    return invalid("symbol must be 1-12 letters or digits");
  if (!q.order_no.empty() && !all_digits(q.order_no))
    return invalid("order number must be digits");
  if (q.filter > 2)
    return invalid("filter must be 0 (all), 1 (filled) or 2 (unfilled)");
  // Spelled out: g++ 12 warns falsely (-Wrestrict) on "0" + std::to_string(...).
  const std::string ccld_dvsn{'0', static_cast<char>('0' + q.filter)};
  append(*p, {{"INQR_STRT_DT", range->first},
              {"INQR_END_DT", range->second},
              {"SLL_BUY_DVSN_CD", "00"},
              {"INQR_DVSN", "00"},
              {"PDNO", q.symbol},
              {"CCLD_DVSN", ccld_dvsn},
              {"ORD_GNO_BRNO", ""},
              {"ODNO", q.order_no},
              {"INQR_DVSN_3", "00"},
              {"INQR_DVSN_1", ""},
              {"EXCG_ID_DVSN_CD", std::string{*scope}},
              {"CTX_AREA_FK100", std::string{ctx_fk}},
              {"CTX_AREA_NK100", std::string{ctx_nk}}});
  return p;
}

result<std::vector<kis::field>> stock_info_params(std::string_view symbol) {
  if (!valid_symbol(symbol))
    return invalid("symbol must be 1-12 letters or digits");
  return std::vector<kis::field>{{"PRDT_TYPE_CD", "300"}, {"PDNO", std::string{symbol}}};
}

result<std::vector<kis::field>> holiday_params(std::int32_t from, std::string_view ctx_fk,
                                               std::string_view ctx_nk) {
  auto day = date_text(from, "from");
  if (!day)
    return std::move(day).error();
  return std::vector<kis::field>{{"BASS_DT", *day},
                                 {"CTX_AREA_NK", std::string{ctx_nk}},
                                 {"CTX_AREA_FK", std::string{ctx_fk}}};
}

std::vector<kis::field> token_params(const credentials& c) {
  return {{"grant_type", "client_credentials"}, {"appkey", c.app_key}, {"appsecret", c.app_secret}};
}

std::vector<kis::field> revoke_params(const credentials& c, std::string_view token) {
  return {{"appkey", c.app_key}, {"appsecret", c.app_secret}, {"token", std::string{token}}};
}

std::vector<kis::field> approval_params(const credentials& c) {
  // Approval names the secret "secretkey", not "appsecret" (KIS-PROTOCOL.md §2.4).
  return {{"grant_type", "client_credentials"}, {"appkey", c.app_key}, {"secretkey", c.app_secret}};
}

} // namespace kis::api
