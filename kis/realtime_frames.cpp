#include "kis/realtime_frames.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include <boost/json.hpp>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "kis/json_fields.hpp"
#include "kis/kst.hpp"
#include "kis/venues.hpp"

namespace kis::api {

namespace {

using namespace std::string_view_literals;

api_error malformed(std::string msg) {
  return api::make_api_error(errc::malformed, std::move(msg));
}

// Calls on_caret(pos) for every '^' in s, in order: 16 bytes per step where SSE2 exists,
// because a byte loop over the ~230 bytes of a record was most of the parse time.
template <class F>
void for_each_caret(std::string_view s, F&& on_caret) noexcept {
  const char* d = s.data();
  const std::size_t n = s.size();
  std::size_t i = 0;
#if defined(__SSE2__)
  const __m128i caret = _mm_set1_epi8('^');
  for (; i + 16 <= n; i += 16) {
    auto chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(d + i));
    auto mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(chunk, caret)));
    for (; mask != 0; mask &= mask - 1)
      on_caret(i + static_cast<std::size_t>(__builtin_ctz(mask)));
  }
#endif
  for (; i < n; ++i)
    if (d[i] == '^')
      on_caret(i);
}

// The fields the parsers keep per record: they read up to NMID_PRC (62) of the 65-field
// H0NXASP0/H0UNASP0 record; fields past these are skipped.
constexpr std::size_t max_kept = 64;
using record = std::array<std::string_view, max_kept>;

// Calls fn(record, fields_per_record) for each of `count` records; the chunk size is
// total / count so that trailing extras of every record are skipped, not misread. fn returns
// an api_error whose empty message means "record fine" (errors always carry a message).
template <class Fn>
result<std::size_t> for_each_record(std::string_view payload, std::uint32_t count,
                                    std::size_t min_fields, std::string_view tr, Fn&& fn) {
  if (count == 0)
    return malformed(std::string{tr} + ": record count is zero");
  // Separator positions: on the stack for frames up to ~20 trade records, else on the heap.
  constexpr std::size_t on_stack = 1024;
  std::array<std::uint32_t, on_stack> local;
  std::vector<std::uint32_t> spill;
  std::size_t carets = 0;
  for_each_caret(payload, [&](std::size_t pos) {
    if (carets == on_stack)
      spill.assign(local.begin(), local.end());
    if (carets < on_stack)
      local[carets] = static_cast<std::uint32_t>(pos);
    else
      spill.push_back(static_cast<std::uint32_t>(pos));
    ++carets;
  });
  const std::uint32_t* sep = spill.empty() ? local.data() : spill.data();
  const std::size_t total = carets + 1;
  if (total % count != 0)
    return malformed(std::string{tr} + ": " + std::to_string(total) + " fields do not split into " +
                     std::to_string(count) + " records");
  const std::size_t per = total / count;
  if (per < min_fields)
    return malformed(std::string{tr} + ": " + std::to_string(per) +
                     " fields per record, expected " + std::to_string(min_fields));
  record rec{};
  for (std::size_t r = 0; r < count; ++r) {
    for (std::size_t f = 0; f < per && f < max_kept; ++f) {
      const std::size_t g = r * per + f;
      const std::size_t begin = g == 0 ? 0 : sep[g - 1] + 1;
      const std::size_t end = g < carets ? sep[g] : payload.size();
      rec[f] = payload.substr(begin, end - begin);
    }
    if (auto err = fn(rec, per); !err.message.empty())
      return err;
  }
  return std::size_t{count};
}

// Integers arrive as decimal strings, sometimes signed or zero-padded; decimals (VWAP) are
// truncated toward zero. An empty field is zero only where the caller allows it.
bool to_int(std::string_view s, std::int64_t& out, bool empty_is_zero = false) noexcept {
  if (s.empty()) {
    out = 0;
    return empty_is_zero;
  }
  const char* b = s.data();
  const char* e = b + s.size();
  if (*b == '+')
    ++b;
  auto [p, ec] = std::from_chars(b, e, out);
  if (ec != std::errc{} || p == b)
    return false;
  if (p == e)
    return true;
  if (*p != '.' || p + 1 == e)
    return false;
  return std::all_of(p + 1, e, [](char c) { return c >= '0' && c <= '9'; });
}

template <class Int>
bool to_small(std::string_view s, Int& out) noexcept {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && p == s.data() + s.size() && !s.empty();
}

price_sign to_sign(std::string_view s) noexcept {
  if (s.size() == 1 && s[0] >= '1' && s[0] <= '5')
    return static_cast<price_sign>(s[0] - '0');
  return price_sign::none;
}

aggressor to_aggressor(std::string_view s) noexcept {
  if (s == "1"sv)
    return aggressor::buy;
  if (s == "5"sv)
    return aggressor::sell;
  if (s == "3"sv)
    return aggressor::auction;
  return aggressor::unknown;
}

// One field failed: name it (never its content, which may be personal data in notices).
api_error bad_field(std::string_view tr, std::size_t index, std::string_view name) {
  return malformed(std::string{tr} + ": field " + std::to_string(index) + " (" + std::string{name} +
                   ") is not valid");
}

struct int_field {
  std::size_t index;
  std::string_view name;
  std::int64_t* dst;
};

api_error read_ints(const record& rec, std::string_view tr, std::initializer_list<int_field> fields,
                    bool empty_is_zero = false) {
  for (const auto& f : fields)
    if (!to_int(rec[f.index], *f.dst, empty_is_zero))
      return bad_field(tr, f.index, f.name);
  return {};
}

} // namespace

std::string_view tr_id_of(feed_channel ch, bool paper) noexcept {
  return tr_id_of(ch, market_code::krx, paper);
}

std::string_view tr_id_of(feed_channel ch, market_code m, bool paper) noexcept {
  switch (ch) {
  case feed_channel::trades:
    return m == market_code::nxt        ? tr_trades_nxt
           : m == market_code::combined ? tr_trades_combined
                                        : tr_trades;
  case feed_channel::book:
    return m == market_code::nxt        ? tr_book_nxt
           : m == market_code::combined ? tr_book_combined
                                        : tr_book;
  case feed_channel::notices:
    return paper ? tr_notice_paper : tr_notice_real;
  }
  return {};
}

std::optional<tr_info> describe_tr(std::string_view tr_id) noexcept {
  constexpr std::array<std::pair<std::string_view, tr_info>, 6> market_trs{{
      {tr_trades, {feed_channel::trades, market_code::krx}},
      {tr_book, {feed_channel::book, market_code::krx}},
      {tr_trades_nxt, {feed_channel::trades, market_code::nxt}},
      {tr_book_nxt, {feed_channel::book, market_code::nxt}},
      {tr_trades_combined, {feed_channel::trades, market_code::combined}},
      {tr_book_combined, {feed_channel::book, market_code::combined}},
  }};
  for (const auto& [id, info] : market_trs)
    if (id == tr_id)
      return info;
  if (is_notice_tr(tr_id))
    return tr_info{feed_channel::notices, market_code::krx};
  return std::nullopt;
}

bool is_notice_tr(std::string_view tr_id) noexcept {
  // The legacy samples also accept K0STCNI0/K0STCNI9 (§6.5).
  return tr_id == tr_notice_real || tr_id == tr_notice_paper || tr_id == "K0STCNI0"sv ||
         tr_id == "K0STCNI9"sv;
}

frame_kind classify(std::string_view text) noexcept {
  if (text.empty())
    return frame_kind::unknown;
  if (text[0] == '0' || text[0] == '1')
    return frame_kind::data;
  if (text[0] == '{')
    return frame_kind::control;
  return frame_kind::unknown;
}

result<data_frame> split_frame(std::string_view text) {
  data_frame f;
  std::array<std::string_view, 3> head;
  auto rest = text;
  for (auto& part : head) {
    auto bar = rest.find('|');
    if (bar == std::string_view::npos)
      return malformed("data frame: fewer than four '|'-separated parts");
    part = rest.substr(0, bar);
    rest.remove_prefix(bar + 1);
  }
  if (head[0] != "0"sv && head[0] != "1"sv)
    return malformed("data frame: encryption flag is not 0 or 1");
  f.encrypted = head[0] == "1"sv;
  if (head[1].empty())
    return malformed("data frame: empty tr_id");
  f.tr_id = head[1];
  const auto& cnt = head[2];
  if (cnt.size() != 3 ||
      !std::all_of(cnt.begin(), cnt.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return malformed("data frame: record count is not three digits");
  f.count = static_cast<std::uint32_t>((cnt[0] - '0') * 100 + (cnt[1] - '0') * 10 + (cnt[2] - '0'));
  if (f.count == 0)
    return malformed("data frame: record count is zero");
  if (rest.empty())
    return malformed("data frame: empty payload");
  f.payload = rest;
  return f;
}

result<std::size_t> parse_trades(std::string_view payload, std::uint32_t count,
                                 std::int64_t received_ns, std::vector<trade_tick>& out,
                                 market_code market) {
  const auto start = out.size();
  const auto tr = tr_id_of(feed_channel::trades, market, false);
  auto res = for_each_record(payload, count, trade_fields, tr,
                             [&](const record& r, std::size_t) -> api_error {
                               auto& t = out.emplace_back();
                               if (r[0].empty())
                                 return bad_field(tr, 0, "MKSC_SHRN_ISCD");
                               t.symbol.assign(r[0]);
                               auto ts = api::kst::parse_date_time(r[33], r[1]);
                               if (!ts)
                                 return bad_field(tr, 33, "BSOP_DATE/STCK_CNTG_HOUR");
                               t.exchange_ns = *ts;
                               if (auto e = read_ints(r, tr,
                                                      {{2, "STCK_PRPR", &t.price},
                                                       {4, "PRDY_VRSS", &t.change},
                                                       {6, "WGHN_AVRG_STCK_PRC", &t.vwap},
                                                       {7, "STCK_OPRC", &t.open},
                                                       {8, "STCK_HGPR", &t.high},
                                                       {9, "STCK_LWPR", &t.low},
                                                       {10, "ASKP1", &t.ask1},
                                                       {11, "BIDP1", &t.bid1},
                                                       {12, "CNTG_VOL", &t.qty},
                                                       {13, "ACML_VOL", &t.acc_volume},
                                                       {14, "ACML_TR_PBMN", &t.acc_turnover}});
                                   !e.message.empty())
                                 return e;
                               // Change fields arrive signed already: the sign code is
                               // informational and never re-applied. Field 21 is CCLD_DVSN
                               // (KRX) or CNTG_CLS_CODE (NXT, UN), with the same codes.
                               t.sign = to_sign(r[3]);
                               t.side = to_aggressor(r[21]);
                               t.session.assign(r[34]);
                               t.halted = r[35] == "Y"sv;
                               t.received_ns = received_ns;
                               t.market = market;
                               return {};
                             });
  if (!res)
    out.resize(start);
  return res;
}

result<std::size_t> parse_books(std::string_view payload, std::uint32_t count,
                                std::string_view kst_date, std::int64_t received_ns,
                                std::vector<order_book>& out, market_code market) {
  const auto start = out.size();
  const auto tr = tr_id_of(feed_channel::book, market, false);
  auto res = for_each_record(payload, count, book_fields, tr,
                             [&](const record& r, std::size_t per) -> api_error {
                               auto& b = out.emplace_back();
                               if (r[0].empty())
                                 return bad_field(tr, 0, "MKSC_SHRN_ISCD");
                               b.symbol.assign(r[0]);
                               auto ts = api::kst::parse_date_time(kst_date, r[1]);
                               if (!ts)
                                 return bad_field(tr, 1, "BSOP_HOUR");
                               b.exchange_ns = *ts;
                               b.hour_class.assign(r[2]);
                               b.asks.resize(10);
                               b.bids.resize(10);
                               for (std::size_t i = 0; i < 10; ++i) {
                                 if (!to_int(r[3 + i], b.asks[i].price))
                                   return bad_field(tr, 3 + i, "ASKP");
                                 if (!to_int(r[13 + i], b.bids[i].price))
                                   return bad_field(tr, 13 + i, "BIDP");
                                 if (!to_int(r[23 + i], b.asks[i].qty))
                                   return bad_field(tr, 23 + i, "ASKP_RSQN");
                                 if (!to_int(r[33 + i], b.bids[i].qty))
                                   return bad_field(tr, 33 + i, "BIDP_RSQN");
                               }
                               if (auto e = read_ints(r, tr,
                                                      {{43, "TOTAL_ASKP_RSQN", &b.total_ask_qty},
                                                       {44, "TOTAL_BIDP_RSQN", &b.total_bid_qty},
                                                       {53, "ACML_VOL", &b.acc_volume}});
                                   !e.message.empty())
                                 return e;
                               // Expected-price fields mean something only in auctions
                               // (HOUR_CLS_CODE != 0).
                               if (b.hour_class != "0"sv) {
                                 if (auto e = read_ints(r, tr,
                                                        {{47, "ANTC_CNPR", &b.expected_price},
                                                         {48, "ANTC_CNQN", &b.expected_qty}});
                                     !e.message.empty())
                                   return e;
                               }
                               if (per >= book_fields_kmid && !to_int(r[59], b.krx_mid_price))
                                 b.krx_mid_price = 0;
                               if (per >= book_fields_nxt && !to_int(r[62], b.nxt_mid_price))
                                 b.nxt_mid_price = 0;
                               b.market = market;
                               b.received_ns = received_ns;
                               return {};
                             });
  if (!res)
    out.resize(start);
  return res;
}

result<std::size_t> parse_notices(std::string_view payload, std::uint32_t count,
                                  std::int64_t received_ns, std::vector<execution_notice>& out) {
  constexpr auto tr = "H0STCNI0"sv;
  const auto start = out.size();
  auto res = for_each_record(payload, count, notice_fields_old, tr,
                             [&](const record& r, std::size_t per) -> api_error {
                               // 26+ fields: the current layout; 23-25: the older one (no
                               // ORD_COND_PRC..FILLER).
                               const bool current = per >= notice_fields;
                               const std::size_t name_at = current ? 24 : 21;
                               const std::size_t price_at = current ? 25 : 22;
                               auto& n = out.emplace_back();
                               n.hts_id.assign(r[0]);
                               n.account.assign(r[1]);
                               n.order_no.assign(r[2]);
                               n.orig_order_no.assign(r[3]);
                               if (r[4] == "01"sv)
                                 n.dir = side::sell;
                               else if (r[4] == "02"sv)
                                 n.dir = side::buy;
                               else
                                 return bad_field(tr, 4, "SELN_BYOV_CLS");
                               if (!to_small(r[5], n.revise_cancel))
                                 return bad_field(tr, 5, "RCTF_CLS");
                               n.order_kind_code.assign(r[6]);
                               if (r[8].empty())
                                 return bad_field(tr, 8, "STCK_SHRN_ISCD");
                               n.symbol.assign(r[8]);
                               // Acks may leave price/qty fields blank: blank is zero here, junk is
                               // an error.
                               if (auto e = read_ints(r, tr,
                                                      {{9, "CNTG_QTY", &n.qty},
                                                       {10, "CNTG_UNPR", &n.price},
                                                       {16, "ODER_QTY", &n.order_qty},
                                                       {price_at, "ODER_PRC", &n.order_price}},
                                                      true);
                                   !e.message.empty())
                                 return e;
                               if (r[11].size() != 6)
                                 return bad_field(tr, 11, "STCK_CNTG_HOUR");
                               n.time.assign(r[11]);
                               n.rejected = r[12] == "1"sv;
                               n.is_fill = r[13] == "2"sv;
                               if (!r[14].empty() && !to_small(r[14], n.accept_state))
                                 return bad_field(tr, 14, "ACPT_YN");
                               n.branch.assign(r[15]);
                               n.name.assign(r[name_at]);
                               if (current)
                                 n.executed_on = api::parse_exec_venue(r[19]);
                               n.received_ns = received_ns;
                               return {};
                             });
  if (!res)
    out.resize(start);
  return res;
}

// --- control JSON -------------------------------------------------------------------------

std::string make_subscribe_request(std::string_view approval_key, std::string_view custtype,
                                   std::string_view tr_id, std::string_view tr_key,
                                   bool subscribe) {
  namespace json = boost::json;
  json::object header;
  header["approval_key"] = approval_key;
  header["custtype"] = custtype;
  header["tr_type"] = subscribe ? "1" : "2";
  header["content-type"] = "utf-8";
  json::object input;
  input["tr_id"] = tr_id;
  input["tr_key"] = tr_key;
  json::object body;
  body["input"] = std::move(input);
  json::object root;
  root["header"] = std::move(header);
  root["body"] = std::move(body);
  return json::serialize(root);
}

bool is_pingpong(std::string_view text) noexcept {
  return !text.empty() && text.front() == '{' &&
         text.find("\"PINGPONG\""sv) != std::string_view::npos;
}

api_error refusal_for(std::string_view msg_cd, std::string_view msg1) {
  auto code = errc::ws_refused;
  if (msg_cd == "OPSP0008"sv)
    code = errc::ws_cap_reached; // MAX SUBSCRIBE OVER
  else if (msg_cd == "OPSP0010"sv || msg_cd == "OPSP0011"sv || msg_cd == "OPSP8996"sv)
    code = errc::auth; // approval key unknown, or the app key's one session is in use
  else if (msg_cd == "OPSP0007"sv || msg_cd == "OPSP0009"sv)
    code = errc::server_error;
  // msg1 is server text without secrets (e.g. "MAX SUBSCRIBE OVER").
  return api::make_api_error(code, "real-time server refused: " + std::string{msg1},
                             std::string{msg_cd});
}

result<control_reply> parse_control(std::string_view text) {
  namespace json = boost::json;
  boost::system::error_code ec;
  auto root = api::json::parse_untrusted(text, ec);
  if (ec)
    return malformed("control frame: not JSON");
  const auto* obj = root.if_object();
  const json::value* hv = obj ? obj->if_contains("header") : nullptr;
  const auto* header = hv ? hv->if_object() : nullptr;
  if (header == nullptr)
    return malformed("control frame: no header object");
  auto str = [](const json::object* o, std::string_view k) -> std::string {
    if (o == nullptr)
      return {};
    const auto* v = o->if_contains(json::string_view{k.data(), k.size()});
    const auto* s = v ? v->if_string() : nullptr;
    return s ? std::string{s->data(), s->size()} : std::string{};
  };
  control_reply rep;
  rep.tr_id = str(header, "tr_id");
  if (rep.tr_id.empty())
    return malformed("control frame: header has no tr_id");
  if (rep.tr_id == "PINGPONG"sv) {
    rep.kind = control_kind::ping;
    return rep;
  }
  rep.tr_key = str(header, "tr_key");
  rep.encrypted = str(header, "encrypt") == "Y"sv;
  const json::value* bv = obj->if_contains("body");
  const auto* body = bv ? bv->if_object() : nullptr;
  if (body == nullptr)
    return malformed("control frame: no body object");
  rep.msg_cd = str(body, "msg_cd");
  rep.msg1 = str(body, "msg1");
  if (rep.msg_cd.empty())
    return malformed("control frame: body has no msg_cd");
  if (const auto* ov = body->if_contains("output"); ov != nullptr && ov->is_object()) {
    rep.key = str(ov->if_object(), "key");
    rep.iv = str(ov->if_object(), "iv");
  }
  if (rep.msg_cd == "OPSP0000"sv)
    rep.kind = control_kind::subscribed;
  else if (rep.msg_cd == "OPSP0002"sv)
    rep.kind = control_kind::already_subscribed;
  else if (rep.msg_cd == "OPSP0001"sv)
    rep.kind = control_kind::unsubscribed;
  else {
    rep.kind = control_kind::refused;
    rep.refusal = refusal_for(rep.msg_cd, rep.msg1);
  }
  return rep;
}

} // namespace kis::api
