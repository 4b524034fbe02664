// Reply side of rest_codec.hpp: classification of every answer into a typed error, and the
// decoders into messages/ values. Nothing here echoes a body: an answer may hold a token.
#include "kis/rest_codec.hpp"

#include <algorithm>
#include <chrono>

#include <boost/json/parse.hpp>

#include "kis/json_fields.hpp"
#include "kis/kst.hpp"
#include "kis/venues.hpp"

namespace kis::api {

namespace bj = boost::json;
using json::reader;

namespace {

bool is_2xx(int status) noexcept {
  return status >= 200 && status < 300;
}

api_error kis_error(errc code, std::string_view kis_code, int status, std::string_view text) {
  std::string msg{kis_code};
  if (!text.empty()) {
    if (!msg.empty())
      msg += ": ";
    msg += json::capped(text);
  }
  return make_api_error(code, std::move(msg), std::string{json::capped(kis_code, 16)}, status);
}

api_error malformed_body(int status, std::string what) {
  return make_api_error(errc::malformed, "reply body " + what, {}, status);
}

// The text of a field that should be a string but may arrive as a number ("code": 200).
std::string loose_text(const bj::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end())
    return {};
  const auto& v = it->value();
  if (v.is_string())
    return std::string{v.get_string()};
  if (v.is_int64())
    return std::to_string(v.get_int64());
  return {};
}

template <class T>
result<T> finish(reader& r, T value) {
  if (!r.ok())
    return r.take_error();
  return value;
}

price_sign sign_of(reader& r, std::string_view key) {
  auto v = r.integer(key);
  if (r.ok() && (v < 1 || v > 5))
    r.fail(json::malformed(key, "sign code must be 1-5"));
  return r.ok() ? static_cast<price_sign>(v) : price_sign::none;
}

// A date field YYYYMMDD; kept as 0 when an error was recorded.
std::int32_t date_field(reader& r, std::string_view key) {
  auto text = r.str(key);
  if (!r.ok())
    return 0;
  auto d = kst::parse_date(text);
  if (!d) {
    r.fail(json::malformed(key, "not a YYYYMMDD date"));
    return 0;
  }
  return *d;
}

// One row of daily history; inquire-daily-price and the period chart share the names.
result<daily_bar> bar_row(const bj::object& row, std::string_view symbol) {
  reader r{row};
  daily_bar b;
  b.symbol = std::string{symbol};
  b.date = date_field(r, "stck_bsop_date");
  b.open = r.integer("stck_oprc");
  b.high = r.integer("stck_hgpr");
  b.low = r.integer("stck_lwpr");
  b.close = r.integer("stck_clpr");
  b.volume = r.integer("acml_vol");
  b.turnover = r.opt_integer("acml_tr_pbmn");
  return finish(r, std::move(b));
}

// KIS answers an empty range with a row of empty strings (or an empty object).
bool blank_row(const bj::object& row, std::string_view key) {
  auto it = row.find(key);
  return it == row.end() || (it->value().is_string() && it->value().get_string().empty());
}

// Every row that is not blank (by its `id` field), decoded by `one`; the first bad row fails all.
template <class T, class Decode>
result<std::vector<T>> decode_rows(const std::vector<const bj::object*>& rows, std::string_view id,
                                   Decode one) {
  std::vector<T> out;
  out.reserve(rows.size());
  for (const auto* row : rows) {
    if (blank_row(*row, id))
      continue;
    auto v = one(*row);
    if (!v)
      return std::move(v).error();
    out.push_back(std::move(*v));
  }
  return out;
}

result<std::vector<daily_bar>> bar_rows(const bj::object& root, std::string_view key,
                                        std::string_view symbol) {
  auto rows = json::get_rows(root, key);
  if (!rows)
    return std::move(rows).error();
  return decode_rows<daily_bar>(*rows, "stck_bsop_date",
                                [symbol](const bj::object& row) { return bar_row(row, symbol); });
}

// One holding of inquire-balance's output1.
result<holding> holding_row(const bj::object& row) {
  reader r{row};
  holding h;
  h.symbol = r.str("pdno");
  h.name = r.opt_str("prdt_name");
  h.qty = r.integer("hldg_qty");
  h.orderable_qty = r.opt_integer("ord_psbl_qty");
  h.avg_price = r.opt_rounded("pchs_avg_pric");
  h.last_price = r.opt_integer("prpr");
  h.eval_amount = r.opt_integer("evlu_amt");
  h.eval_pnl = r.opt_integer("evlu_pfls_amt");
  return finish(r, std::move(h));
}

// One order of inquire-daily-ccld's output1.
result<fill_record> fill_row(const bj::object& row) {
  reader r{row};
  fill_record f;
  f.date = r.opt_str("ord_dt");
  f.org_no = r.opt_str("ord_gno_brno");
  f.order_no = r.str("odno");
  f.orig_order_no = r.opt_str("orgn_odno");
  f.symbol = r.str("pdno");
  auto dir = r.str("sll_buy_dvsn_cd");
  if (r.ok() && dir != "01" && dir != "02")
    r.fail(json::malformed("sll_buy_dvsn_cd", "must be 01 (sell) or 02 (buy)"));
  f.dir = dir == "01" ? side::sell : side::buy;
  f.order_kind_code = r.opt_str("ord_dvsn_cd");
  f.order_qty = r.integer("ord_qty");
  f.order_price = r.opt_integer("ord_unpr");
  f.order_time = r.opt_str("ord_tmd");
  f.filled_qty = r.integer("tot_ccld_qty");
  f.avg_price = r.opt_rounded("avg_prvs");
  f.filled_amount = r.opt_integer("tot_ccld_amt");
  f.cancelled = r.opt_str("cncl_yn", "N") == "Y";
  f.remaining_qty = r.opt_integer("rmn_qty");
  f.rejected_qty = r.opt_integer("rjct_qty");
  // The portal spells it excg_id_dvsn_Cd; answers say excg_id_dvsn_cd. An unknown code leaves
  // the route unset rather than losing the row: reconciliation needs every fill.
  auto code =
      row.contains("excg_id_dvsn_cd") ? r.opt_str("excg_id_dvsn_cd") : r.opt_str("excg_id_dvsn_Cd");
  f.route = parse_venue_code(code).value_or(venue::unset);
  return finish(r, std::move(f));
}

// Upper-case keys on order-cash, lower-case on order-rvsecncl: take whichever is there.
std::string either_case(reader& r, const bj::object& o, std::string_view upper,
                        std::string_view lower) {
  return o.contains(upper) ? r.str(upper) : r.str(lower);
}

continuation continuation_of(reader& r, std::string_view tr_cont,
                             std::string_view fk_key = "ctx_area_fk100",
                             std::string_view nk_key = "ctx_area_nk100") {
  continuation c;
  c.more = tr_cont == "F" || tr_cont == "M";
  c.fk = r.opt_str(fk_key);
  c.nk = r.opt_str(nk_key);
  return c;
}

// A Y/N flag; anything else is malformed (a wrong guess about a day or a venue costs orders).
bool yes_no(reader& r, std::string_view key, bool required) {
  auto v = required ? r.str(key) : r.opt_str(key, "N");
  if (r.ok() && v != "Y" && v != "N")
    r.fail(json::malformed(key, "must be Y or N"));
  return v == "Y";
}

result<market_day> day_row(const bj::object& row) {
  reader r{row};
  market_day d;
  d.date = date_field(r, "bass_dt");
  auto wday = r.opt_integer("wday_dvsn_cd");
  if (r.ok() && (wday < 0 || wday > 7))
    r.fail(json::malformed("wday_dvsn_cd", "must be 01 (Sunday) to 07 (Saturday)"));
  d.weekday = static_cast<std::uint8_t>(r.ok() ? wday : 0);
  d.business_day = yes_no(r, "bzdy_yn", false);
  d.trading_day = yes_no(r, "tr_day_yn", false);
  d.open = yes_no(r, "opnd_yn", true);
  d.settlement_day = yes_no(r, "sttl_day_yn", false);
  return finish(r, std::move(d));
}

} // namespace

errc classify_kis_code(std::string_view code, bool rt_cd_shape) noexcept {
  if (code == "EGW00201")
    return errc::rate_limited;
  if (code == "EGW00123")
    return errc::token_expired;
  if (code == "EGW00121" || code == "EGW00122")
    return errc::token_invalid;
  if (code == "EGW00133")
    return errc::token_too_soon;
  if (code == "EGW00301" || code == "EGW00302")
    return errc::outcome_unknown;
  if (code == "EGW00102" || code == "EGW00103" || code == "EGW00104" || code == "EGW00105" ||
      code == "EGW2004" || code == "EGW02004")
    return errc::auth;
  if (code.starts_with("EGW"))
    return errc::server_error;
  return rt_cd_shape ? errc::rejected : errc::server_error;
}

result<bj::object> parse_reply(const kis::http_exchange& ex) {
  if (ex.http_status == 0) {
    auto why = json::capped(ex.transport_error.empty() ? "no response" : ex.transport_error);
    if (ex.sent)
      return make_api_error(errc::outcome_unknown, "no answer after the request left: " + why);
    return make_api_error(errc::transport, "request not sent: " + why);
  }
  if (ex.body.empty())
    return malformed_body(ex.http_status, "is empty");
  boost::system::error_code ec;
  bj::value root = json::parse_untrusted(ex.body, ec); // never throws
  if (ec)
    return malformed_body(ex.http_status, "is not valid JSON (" + ec.message() + ")");
  if (!root.is_object())
    return malformed_body(ex.http_status, "is not a JSON object");
  auto& obj = root.get_object();

  // Token endpoints: {"error_code": ..., "error_description": ...}.
  if (auto it = obj.find("error_code"); it != obj.end()) {
    auto code = loose_text(obj, "error_code");
    return kis_error(classify_kis_code(code, false), code, ex.http_status,
                     loose_text(obj, "error_description"));
  }
  // Everything else: rt_cd "0" is success, msg_cd says what went wrong.
  if (auto it = obj.find("rt_cd"); it != obj.end()) {
    if (!it->value().is_string())
      return malformed_body(ex.http_status, "has a non-string rt_cd");
    auto msg_cd = loose_text(obj, "msg_cd");
    auto msg1 = loose_text(obj, "msg1");
    if (it->value().get_string() == "0") {
      if (is_2xx(ex.http_status))
        return std::move(obj);
      return kis_error(errc::server_error, msg_cd, ex.http_status, msg1);
    }
    return kis_error(classify_kis_code(msg_cd, true), msg_cd, ex.http_status, msg1);
  }
  // revokeP: {"code": 200, "message": ...}.
  if (obj.contains("code") && obj.contains("message")) {
    auto code = loose_text(obj, "code");
    if (code == "200" && is_2xx(ex.http_status))
      return std::move(obj);
    return kis_error(errc::rejected, {}, ex.http_status,
                     "code " + code + ": " + loose_text(obj, "message"));
  }
  if (!is_2xx(ex.http_status))
    return kis_error(errc::server_error, {}, ex.http_status,
                     "HTTP " + std::to_string(ex.http_status));
  return std::move(obj);
}

result<quote> decode_quote(const bj::object& root, std::string_view symbol,
                           std::int64_t received_ns) {
  auto out = json::get_object(root, "output");
  if (!out)
    return std::move(out).error();
  reader r{**out};
  quote q;
  q.symbol = symbol.empty() ? r.str("stck_shrn_iscd") : std::string{symbol};
  q.price = r.integer("stck_prpr");
  q.change = r.integer("prdy_vrss");
  q.sign = sign_of(r, "prdy_vrss_sign");
  q.change_pct = r.opt_decimal("prdy_ctrt");
  q.open = r.integer("stck_oprc");
  q.high = r.integer("stck_hgpr");
  q.low = r.integer("stck_lwpr");
  q.upper_limit = r.opt_integer("stck_mxpr");
  q.lower_limit = r.opt_integer("stck_llam");
  q.base_price = r.opt_integer("stck_sdpr");
  q.volume = r.integer("acml_vol");
  q.turnover = r.opt_integer("acml_tr_pbmn");
  q.tick_size = r.opt_integer("aspr_unit");
  q.halted = r.opt_str("temp_stop_yn", "N") == "Y";
  q.received_ns = received_ns;
  return finish(r, std::move(q));
}

result<std::vector<daily_bar>> decode_daily_prices(const bj::object& root,
                                                   std::string_view symbol) {
  return bar_rows(root, "output", symbol);
}

result<chart_page> decode_chart(const bj::object& root, const chart_query& q) {
  auto bars = bar_rows(root, "output2", q.symbol);
  if (!bars)
    return std::move(bars).error();
  chart_page page;
  page.bars = std::move(*bars);
  // A full page may have older rows behind it: ask again up to the day before the oldest.
  if (page.bars.size() >= chart_rows_per_call) {
    auto oldest =
        std::min_element(page.bars.begin(), page.bars.end(), [](const auto& a, const auto& b) {
          return a.date < b.date;
        })->date;
    if (oldest > q.from_date)
      page.next_to_date = kst::add_days(oldest, -1);
  }
  return page;
}

result<order_ack> decode_order_ack(const bj::object& root, std::string_view client_id) {
  auto out = json::get_object(root, "output");
  if (!out)
    return std::move(out).error();
  reader r{**out};
  order_ack ack;
  ack.client_id = std::string{client_id};
  ack.org_no = either_case(r, **out, "KRX_FWDG_ORD_ORGNO", "krx_fwdg_ord_orgno");
  ack.order_no = either_case(r, **out, "ODNO", "odno");
  ack.order_time = (*out)->contains("ORD_TMD") ? r.opt_str("ORD_TMD") : r.opt_str("ord_tmd");
  if (r.ok() && ack.order_no.empty())
    r.fail(json::malformed("ODNO", "empty"));
  reader top{root};
  ack.msg_cd = top.opt_str("msg_cd");
  ack.message = json::capped(top.opt_str("msg1"));
  if (!top.ok())
    r.fail(top.take_error());
  return finish(r, std::move(ack));
}

result<balance_page> decode_balance(const bj::object& root, std::string_view tr_cont) {
  auto rows = json::get_rows(root, "output1");
  if (!rows)
    return std::move(rows).error();
  auto totals = json::get_rows(root, "output2");
  if (!totals)
    return std::move(totals).error();
  auto holdings = decode_rows<holding>(*rows, "pdno", holding_row);
  if (!holdings)
    return std::move(holdings).error();
  balance_page page;
  page.value.holdings = std::move(*holdings);
  if (!totals->empty()) {
    reader r{*totals->front()};
    page.value.deposit = r.integer("dnca_tot_amt");
    page.value.total_eval = r.integer("tot_evlu_amt");
    page.value.net_assets = r.opt_integer("nass_amt");
    page.value.purchase_total = r.opt_integer("pchs_amt_smtl_amt");
    page.value.eval_pnl_total = r.opt_integer("evlu_pfls_smtl_amt");
    if (!r.ok())
      return r.take_error();
  }
  reader top{root};
  page.next = continuation_of(top, tr_cont);
  return finish(top, std::move(page));
}

result<buyable> decode_buyable(const bj::object& root, std::string_view symbol) {
  auto out = json::get_object(root, "output");
  if (!out)
    return std::move(out).error();
  reader r{**out};
  buyable b;
  b.symbol = std::string{symbol};
  b.orderable_cash = r.integer("ord_psbl_cash");
  b.max_qty_no_margin = r.integer("nrcvb_buy_qty");
  b.max_amount_no_margin = r.opt_integer("nrcvb_buy_amt");
  b.max_qty = r.integer("max_buy_qty");
  b.max_amount = r.opt_integer("max_buy_amt");
  b.calc_price = r.opt_integer("psbl_qty_calc_unpr");
  return finish(r, std::move(b));
}

result<fills_page> decode_fills(const bj::object& root, std::string_view tr_cont) {
  auto rows = json::get_rows(root, "output1");
  if (!rows)
    return std::move(rows).error();
  auto fills = decode_rows<fill_record>(*rows, "odno", fill_row);
  if (!fills)
    return std::move(fills).error();
  fills_page page;
  page.rows = std::move(*fills);
  reader top{root};
  page.next = continuation_of(top, tr_cont);
  return finish(top, std::move(page));
}

result<stock_info> decode_stock_info(const bj::object& root) {
  auto out = json::get_object(root, "output");
  if (!out)
    return std::move(out).error();
  reader r{**out};
  stock_info info;
  info.symbol = r.str("pdno");
  if (r.ok() && info.symbol.empty())
    r.fail(json::malformed("pdno", "empty"));
  info.name = r.opt_str("prdt_abrv_name");
  info.market_id = r.opt_str("mket_id_cd");
  info.nxt_eligible = yes_no(r, "cptt_trad_tr_psbl_yn", true);
  info.nxt_halted = yes_no(r, "nxt_tr_stop_yn", false);
  info.krx_halted = yes_no(r, "tr_stop_yn", false);
  return finish(r, std::move(info));
}

result<holiday_page> decode_holidays(const bj::object& root, std::string_view tr_cont) {
  auto rows = json::get_rows(root, "output");
  if (!rows)
    return std::move(rows).error();
  auto days = decode_rows<market_day>(*rows, "bass_dt", day_row);
  if (!days)
    return std::move(days).error();
  holiday_page page;
  page.days = std::move(*days);
  reader top{root};
  page.next = continuation_of(top, tr_cont, "ctx_area_fk", "ctx_area_nk");
  return finish(top, std::move(page));
}

result<access_token> decode_token(const bj::object& root, std::int64_t now_ns) {
  reader r{root};
  access_token t;
  t.value = r.str("access_token");
  if (r.ok() && t.value.empty())
    r.fail(json::malformed("access_token", "empty"));
  t.type = r.opt_str("token_type", "Bearer");
  t.issued_ns = now_ns;
  auto expiry = r.opt_str("access_token_token_expired");
  if (!r.ok())
    return r.take_error();
  if (!expiry.empty()) {
    auto at = kst::parse_datetime(expiry);
    if (!at)
      return json::malformed("access_token_token_expired", "not YYYY-MM-DD HH:MM:SS");
    t.expires_ns = *at;
  } else {
    auto secs = r.integer("expires_in");
    if (r.ok() && (secs <= 0 || secs > 10LL * 365 * 86400))
      r.fail(json::malformed("expires_in", "out of range"));
    else if (r.ok()) // only a checked figure is scaled (a huge one would overflow)
      t.expires_ns = now_ns + secs * 1'000'000'000LL;
  }
  return finish(r, std::move(t));
}

result<approval_key> decode_approval(const bj::object& root, std::int64_t now_ns) {
  reader r{root};
  approval_key k;
  k.value = r.str("approval_key");
  if (r.ok() && k.value.empty())
    r.fail(json::malformed("approval_key", "empty"));
  k.issued_ns = now_ns;
  k.expires_ns = now_ns + std::chrono::nanoseconds{std::chrono::hours{24}}.count();
  return finish(r, std::move(k));
}

result<std::string> decode_hashkey(const bj::object& root) {
  reader r{root};
  auto hash = r.str("HASH");
  if (r.ok() && hash.empty())
    r.fail(json::malformed("HASH", "empty"));
  return finish(r, std::move(hash));
}

void merge_balance(balance& into, balance&& page) {
  into.holdings.insert(into.holdings.end(), std::make_move_iterator(page.holdings.begin()),
                       std::make_move_iterator(page.holdings.end()));
  into.deposit = page.deposit;
  into.total_eval = page.total_eval;
  into.net_assets = page.net_assets;
  into.purchase_total = page.purchase_total;
  into.eval_pnl_total = page.eval_pnl_total;
}

} // namespace kis::api
