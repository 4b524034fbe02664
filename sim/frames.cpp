#include "sim/frames.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <memory>
#include <stdexcept>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <openssl/evp.h>

#include "kis/kst.hpp"
#include "kis/venues.hpp"

namespace kis::sim::frames {

namespace {

// A decimal printed with two places, as KIS prints rates ("-7.22").
struct fixed2 {
  double v;
};

// Appends '^'-separated fields; records that follow one another are '^'-joined too.
class field_writer {
public:
  explicit field_writer(std::string& out)
      : out_(out)
      , first_(out.empty()) {}

  field_writer& operator<<(std::int64_t v) {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return put({buf, static_cast<std::size_t>(end - buf)});
  }
  field_writer& operator<<(fixed2 d) {
    char buf[48];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d.v, std::chars_format::fixed, 2);
    return put({buf, static_cast<std::size_t>(end - buf)});
  }
  field_writer& operator<<(std::string_view s) { return put(s); }

private:
  field_writer& put(std::string_view s) {
    if (!first_)
      out_.push_back('^');
    first_ = false;
    out_.append(s);
    return *this;
  }
  std::string& out_;
  bool first_;
};

// Sign code of a difference: 2 up, 3 flat, 5 down.
std::int64_t sign_of(std::int64_t diff) noexcept {
  return diff > 0 ? 2 : diff < 0 ? 5 : 3;
}

double percent(std::int64_t part, std::int64_t whole) noexcept {
  return whole == 0 ? 0.0 : static_cast<double>(part) * 100.0 / static_cast<double>(whole);
}

std::string hhmmss(std::int64_t utc_ns) {
  return kis::api::kst::time_of(utc_ns);
}

std::int64_t level_price(const std::vector<kis::book_level>& side, std::size_t i) noexcept {
  return i < side.size() ? side[i].price : 0;
}
std::int64_t level_qty(const std::vector<kis::book_level>& side, std::size_t i) noexcept {
  return i < side.size() ? side[i].qty : 0;
}

} // namespace

std::string data_frame(bool encrypted, std::string_view tr_id, std::size_t count,
                       std::string_view payload) {
  char head[32];
  int n = std::snprintf(head, sizeof head, "%c|%.*s|%03zu|", encrypted ? '1' : '0',
                        static_cast<int>(tr_id.size()), tr_id.data(), count);
  std::string out;
  out.reserve(static_cast<std::size_t>(n) + payload.size());
  out.append(head, static_cast<std::size_t>(n));
  out.append(payload);
  return out;
}

void trade_tape::append(std::string& out, std::span<const kis::trade_tick> trades,
                        const kis::order_book* top) {
  for (const auto& t : trades)
    record(out, t, top);
}

void trade_tape::record(std::string& out, const kis::trade_tick& t, const kis::order_book* top) {
  // The tally first: the record carries the figures including this trade.
  if (t.side == kis::aggressor::buy) {
    ++buy_count_;
    buy_volume_ += t.qty;
  } else if (t.side == kis::aggressor::sell) {
    ++sell_count_;
    sell_volume_ += t.qty;
  }
  if (open_ns_ == 0)
    open_ns_ = t.exchange_ns;
  if (high_ns_ == 0 || t.high > high_) {
    high_ = t.high;
    high_ns_ = t.exchange_ns;
  }
  if (low_ns_ == 0 || t.low < low_) {
    low_ = t.low;
    low_ns_ = t.exchange_ns;
  }

  const std::int64_t base = t.price - t.change; // the previous close
  std::int64_t ask_qty = 0, bid_qty = 0, total_ask = 0, total_bid = 0;
  if (top != nullptr) {
    ask_qty = level_qty(top->asks, 0);
    bid_qty = level_qty(top->bids, 0);
    total_ask = top->total_ask_qty;
    total_bid = top->total_bid_qty;
  }
  const std::string_view session = t.session.empty() ? std::string_view{"20"} : t.session;

  field_writer w{out};
  w << t.symbol << hhmmss(t.exchange_ns) << t.price << static_cast<std::int64_t>(t.sign) << t.change
    << fixed2{percent(t.change, base)} << fixed2{static_cast<double>(t.vwap)} << t.open << t.high
    << t.low << t.ask1 << t.bid1 << t.qty << t.acc_volume << t.acc_turnover << sell_count_
    << buy_count_ << (buy_count_ - sell_count_) << fixed2{percent(buy_volume_, sell_volume_)}
    << sell_volume_ << buy_volume_ << static_cast<std::int64_t>(t.side)
    << fixed2{percent(buy_volume_, buy_volume_ + sell_volume_)} << fixed2{0.0} // vs yesterday
    << hhmmss(open_ns_) << sign_of(t.price - t.open) << (t.price - t.open) << hhmmss(high_ns_)
    << sign_of(t.price - t.high) << (t.price - t.high) << hhmmss(low_ns_)
    << sign_of(t.price - t.low) << (t.price - t.low)
    << static_cast<std::int64_t>(kis::api::kst::date_of(t.exchange_ns)) << session
    << std::string_view{t.halted ? "Y" : "N"} << ask_qty << bid_qty << total_ask << total_bid
    << fixed2{0.0} << std::int64_t{0} << fixed2{0.0}          // turnover rate, yesterday same hour
    << std::string_view{"0"} << std::string_view{} << t.open; // HOUR_CLS, MRKT_TRTM, VI base
}

std::optional<market_tr> market_tr_of(std::string_view tr_id) noexcept {
  for (auto m : {market_code::krx, market_code::nxt, market_code::combined})
    for (bool book : {false, true})
      if (tr_of(book, m) == tr_id)
        return market_tr{book, m};
  return std::nullopt;
}

std::string_view tr_of(bool book, market_code m) noexcept {
  switch (m) {
  case market_code::nxt:
    return book ? tr_book_nxt : tr_trades_nxt;
  case market_code::combined:
    return book ? tr_book_combined : tr_trades_combined;
  case market_code::krx:
    break;
  }
  return book ? tr_book : tr_trades;
}

std::string book_record(const kis::order_book& b, std::size_t width, const kis::order_book* prev) {
  std::string out;
  out.reserve(width > book_fields ? 540 : 480);
  field_writer w{out};
  w << b.symbol << hhmmss(b.exchange_ns)
    << std::string_view{b.hour_class.empty() ? std::string_view{"0"} : b.hour_class};
  for (std::size_t i = 0; i < 10; ++i)
    w << level_price(b.asks, i);
  for (std::size_t i = 0; i < 10; ++i)
    w << level_price(b.bids, i);
  for (std::size_t i = 0; i < 10; ++i)
    w << level_qty(b.asks, i);
  for (std::size_t i = 0; i < 10; ++i)
    w << level_qty(b.bids, i);
  const std::int64_t ask_change = prev ? b.total_ask_qty - prev->total_ask_qty : 0;
  const std::int64_t bid_change = prev ? b.total_bid_qty - prev->total_bid_qty : 0;
  w << b.total_ask_qty << b.total_bid_qty << std::int64_t{0} << std::int64_t{0} // overtime totals
    << b.expected_price << b.expected_qty << b.expected_qty << std::int64_t{0} << std::int64_t{3}
    << fixed2{0.0} // expected-vs-close change, sign, rate
    << b.acc_volume << ask_change << bid_change << std::int64_t{0} << std::int64_t{0}
    << std::string_view{"0"}; // STCK_DEAL_CLS_CODE
  if (width >= wide_book_fields) {
    const std::int64_t ask1 = level_price(b.asks, 0), bid1 = level_price(b.bids, 0);
    const std::int64_t own_mid = ask1 > 0 && bid1 > 0 ? (ask1 + bid1) / 2 : 0;
    w << (b.krx_mid_price != 0 ? b.krx_mid_price : own_mid) << std::int64_t{0}
      << std::string_view{"1"};
    if (width >= nxt_book_fields)
      w << (b.nxt_mid_price != 0 ? b.nxt_mid_price : own_mid) << std::int64_t{0}
        << std::string_view{"1"};
  }
  return out;
}

std::string notice_record(const kis::execution_notice& n, std::string_view account_name) {
  std::string out;
  out.reserve(256);
  field_writer w{out};
  const std::string_view orig =
      n.orig_order_no.empty() ? std::string_view{"0000000000"} : std::string_view{n.orig_order_no};
  w << n.hts_id << n.account << n.order_no << orig
    << std::string_view{n.dir == kis::side::sell ? "01" : "02"}
    << static_cast<std::int64_t>(n.revise_cancel) << n.order_kind_code << std::string_view{"0"}
    << n.symbol << n.qty << n.price << n.time << std::string_view{n.rejected ? "1" : "0"}
    << std::string_view{n.is_fill ? "2" : "1"} << static_cast<std::int64_t>(n.accept_state)
    << n.branch << n.order_qty << account_name << std::int64_t{0} // ORD_COND_PRC
    << (n.executed_on == kis::exec_venue::unknown
            ? std::string_view{"1"}
            : kis::api::exec_venue_code(n.executed_on))               // ORD_EXG_GB
    << std::string_view{"N"}                                          // POPUP_YN
    << std::string_view{} << std::string_view{} << std::string_view{} // FILLER, CRDT_CLS, LOAN_DATE
    << n.name << n.order_price;
  return out;
}

std::string encrypt(std::string_view plain, std::string_view key, std::string_view iv) {
  if (key.size() != 32 || iv.size() != 16)
    throw std::invalid_argument("notice encryption needs a 32-byte key and a 16-byte iv");
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx{EVP_CIPHER_CTX_new(),
                                                                      &EVP_CIPHER_CTX_free};
  std::string cipher(plain.size() + 16, '\0');
  auto* cipher_bytes = reinterpret_cast<unsigned char*>(cipher.data());
  int len = 0, tail = 0;
  if (!ctx ||
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_cbc(), nullptr,
                         reinterpret_cast<const unsigned char*>(key.data()),
                         reinterpret_cast<const unsigned char*>(iv.data())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), cipher_bytes, &len,
                        reinterpret_cast<const unsigned char*>(plain.data()),
                        static_cast<int>(plain.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), cipher_bytes + len, &tail) != 1)
    throw std::runtime_error("AES-256-CBC encryption failed");
  const auto n = static_cast<std::size_t>(len + tail);
  std::string b64(4 * ((n + 2) / 3) + 1, '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()), cipher_bytes,
                                      static_cast<int>(n));
  b64.resize(static_cast<std::size_t>(written));
  return b64;
}

std::string random_chars(std::mt19937_64& rng, std::size_t n) {
  static constexpr std::string_view alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::uniform_int_distribution<std::size_t> pick{0, alphabet.size() - 1};
  std::string out(n, '\0');
  std::generate(out.begin(), out.end(), [&] { return alphabet[pick(rng)]; });
  return out;
}

namespace {

const boost::json::object* object_at(const boost::json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() ? it->value().if_object() : nullptr;
}

const boost::json::string* string_at(const boost::json::object* o, std::string_view key) {
  if (o == nullptr)
    return nullptr;
  auto it = o->find(key);
  return it != o->end() ? it->value().if_string() : nullptr;
}

std::string text_of(const boost::json::string* s) {
  return s ? std::string{*s} : std::string{};
}

} // namespace

inbound parse_inbound(std::string_view text) {
  boost::system::error_code ec;
  auto doc = boost::json::parse(text, ec);
  if (ec || !doc.is_object())
    return parse_refusal{code::bad_json, {}, {}};
  const auto& root = doc.get_object();
  const auto* header = object_at(root, "header");
  if (auto* tr = string_at(header, "tr_id"); tr && *tr == tr_pingpong)
    return pingpong_echo{};

  // Read the body first so that a refusal can name the TR it refuses.
  const auto* body = object_at(root, "body");
  const auto* input = body ? object_at(*body, "input") : nullptr;
  const auto* tr_id = string_at(input, "tr_id");
  const auto* tr_key = string_at(input, "tr_key");
  auto refuse = [&](const opsp& why) -> inbound {
    return parse_refusal{why, text_of(tr_id), text_of(tr_key)};
  };

  if (header == nullptr)
    return refuse(code::no_header);
  const auto* key = string_at(header, "approval_key");
  if (key == nullptr || key->empty())
    return refuse(code::no_key);
  const auto* custtype = string_at(header, "custtype");
  if (custtype == nullptr)
    return refuse(code::no_custtype);
  if (*custtype != "P" && *custtype != "B")
    return refuse(code::bad_custtype);
  const auto* tr_type = string_at(header, "tr_type");
  if (tr_type == nullptr || (*tr_type != "1" && *tr_type != "2"))
    return refuse(code::bad_tr_type);
  if (body == nullptr)
    return refuse(code::no_body);
  if (input == nullptr)
    return refuse(code::no_input);
  if (tr_id == nullptr || tr_id->empty())
    return refuse(code::bad_tr_id);
  if (tr_key == nullptr || tr_key->empty())
    return refuse(code::no_tr_key);
  return request{std::string{*key}, std::string{*tr_id}, std::string{*tr_key}, *tr_type == "1"};
}

std::string ack(const opsp& c, std::string_view tr_id, std::string_view tr_key, bool encrypted,
                std::string_view iv, std::string_view key) {
  boost::json::object header{
      {"tr_id", tr_id}, {"tr_key", tr_key}, {"encrypt", encrypted ? "Y" : "N"}};
  boost::json::object body{{"rt_cd", c.rt_cd}, {"msg_cd", c.code}, {"msg1", c.msg}};
  body["output"] = boost::json::object{{"iv", iv}, {"key", key}};
  return boost::json::serialize(
      boost::json::object{{"header", std::move(header)}, {"body", std::move(body)}});
}

std::string refusal(const opsp& c, std::string_view tr_id, std::string_view tr_key) {
  boost::json::object header;
  if (tr_id.empty()) {
    header["tr_id"] = "(null)";
  } else {
    header["tr_id"] = tr_id;
    header["tr_key"] = tr_key;
  }
  boost::json::object body{{"rt_cd", c.rt_cd}, {"msg_cd", c.code}, {"msg1", c.msg}};
  return boost::json::serialize(
      boost::json::object{{"header", std::move(header)}, {"body", std::move(body)}});
}

std::string pingpong(std::int64_t utc_ns) {
  char stamp[16];
  std::snprintf(stamp, sizeof stamp, "%08d", static_cast<int>(kis::api::kst::date_of(utc_ns)));
  boost::json::object header{{"tr_id", tr_pingpong},
                             {"datetime", std::string{stamp} + hhmmss(utc_ns)}};
  return boost::json::serialize(boost::json::object{{"header", std::move(header)}});
}

} // namespace kis::sim::frames
