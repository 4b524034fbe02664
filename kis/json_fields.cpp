#include "kis/json_fields.hpp"

#include <charconv>
#include <cmath>
#include <limits>

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>

namespace kis::api::json {

namespace bj = boost::json;

boost::json::value parse_untrusted(std::string_view text, boost::system::error_code& ec) {
  boost::json::parse_options opts;
  opts.max_depth = max_depth;
  opts.allow_invalid_utf8 = false;
  opts.allow_comments = false;
  opts.allow_trailing_commas = false;
  return boost::json::parse(boost::json::string_view{text.data(), text.size()}, ec, {}, opts);
}

api_error malformed(std::string_view field, std::string_view what) {
  std::string msg = "field '";
  msg += capped(field, 64);
  msg += "': ";
  msg += what;
  return make_api_error(errc::malformed, std::move(msg));
}

std::optional<std::int64_t> to_int(std::string_view s) noexcept {
  if (s.size() > 1 && s.front() == '+' && s[1] >= '0' && s[1] <= '9')
    s.remove_prefix(1);
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size())
    return std::nullopt; // overflow, trailing junk or no digits
  return v;
}

std::optional<double> to_decimal(std::string_view s) noexcept {
  if (s.size() > 1 && s.front() == '+' && s[1] != '-')
    s.remove_prefix(1);
  // from_chars also takes "inf", "nan" and exponents; KIS sends none, so refuse them.
  bool digit = false;
  int dots = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c >= '0' && c <= '9')
      digit = true;
    else if (c == '.')
      ++dots;
    else if (!(c == '-' && i == 0))
      return std::nullopt;
  }
  if (!digit || dots > 1)
    return std::nullopt;
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || !std::isfinite(v))
    return std::nullopt;
  return v;
}

namespace {

const bj::value* find(const bj::object& o, std::string_view key) noexcept {
  auto it = o.find(key);
  return it == o.end() ? nullptr : &it->value();
}

// The text of a numeric field: KIS sends strings, but a JSON integer is taken too.
result<std::string_view> number_text(const bj::value& v, std::string_view key, std::string& buf) {
  if (v.is_string())
    return std::string_view{v.get_string()};
  if (v.is_int64()) {
    buf = std::to_string(v.get_int64());
    return std::string_view{buf};
  }
  if (v.is_uint64()) {
    buf = std::to_string(v.get_uint64());
    return std::string_view{buf};
  }
  return malformed(key, "expected a number in a string");
}

result<std::int64_t> int_of(const bj::value& v, std::string_view key) {
  std::string buf;
  auto text = number_text(v, key, buf);
  if (!text)
    return std::move(text).error();
  if (auto n = to_int(*text))
    return *n;
  return malformed(key, "not an integer or out of range");
}

result<double> decimal_of(const bj::value& v, std::string_view key) {
  if (v.is_double())
    return v.get_double();
  std::string buf;
  auto text = number_text(v, key, buf);
  if (!text)
    return std::move(text).error();
  if (auto d = to_decimal(*text))
    return *d;
  return malformed(key, "not a decimal number");
}

bool absent_or_empty(const bj::value* v) noexcept {
  return v == nullptr || v->is_null() || (v->is_string() && v->get_string().empty());
}

} // namespace

result<std::string> get_string(const bj::object& o, std::string_view key) {
  auto v = find(o, key);
  if (v == nullptr)
    return malformed(key, "missing");
  if (!v->is_string())
    return malformed(key, "expected a string");
  return std::string{v->get_string()};
}

result<std::int64_t> get_int(const bj::object& o, std::string_view key) {
  auto v = find(o, key);
  if (v == nullptr)
    return malformed(key, "missing");
  return int_of(*v, key);
}

result<double> get_decimal(const bj::object& o, std::string_view key) {
  auto v = find(o, key);
  if (v == nullptr)
    return malformed(key, "missing");
  return decimal_of(*v, key);
}

result<std::string> opt_string(const bj::object& o, std::string_view key, std::string fallback) {
  auto v = find(o, key);
  if (v == nullptr || v->is_null())
    return fallback;
  if (!v->is_string())
    return malformed(key, "expected a string");
  return std::string{v->get_string()};
}

result<std::int64_t> opt_int(const bj::object& o, std::string_view key, std::int64_t fallback) {
  auto v = find(o, key);
  if (absent_or_empty(v))
    return fallback;
  return int_of(*v, key);
}

result<double> opt_decimal(const bj::object& o, std::string_view key, double fallback) {
  auto v = find(o, key);
  if (absent_or_empty(v))
    return fallback;
  return decimal_of(*v, key);
}

result<std::int64_t> get_rounded(const bj::object& o, std::string_view key) {
  auto d = get_decimal(o, key);
  if (!d)
    return std::move(d).error();
  // Beyond 2^62 a double no longer rounds to a meaningful KRW amount.
  if (std::fabs(*d) > 4.6e18)
    return malformed(key, "out of range");
  return static_cast<std::int64_t>(std::llround(*d));
}

result<const bj::object*> get_object(const bj::object& o, std::string_view key) {
  auto v = find(o, key);
  if (v == nullptr)
    return malformed(key, "missing");
  if (v->is_object())
    return &v->get_object();
  if (v->is_array() && v->get_array().size() == 1 && v->get_array()[0].is_object())
    return &v->get_array()[0].get_object();
  return malformed(key, "expected an object");
}

result<std::vector<const bj::object*>> get_rows(const bj::object& o, std::string_view key) {
  auto v = find(o, key);
  if (v == nullptr)
    return malformed(key, "missing");
  std::vector<const bj::object*> rows;
  if (v->is_object()) {
    rows.push_back(&v->get_object());
    return rows;
  }
  if (!v->is_array())
    return malformed(key, "expected an array of objects");
  rows.reserve(v->get_array().size());
  for (const auto& row : v->get_array()) {
    if (!row.is_object())
      return malformed(key, "expected an array of objects");
    rows.push_back(&row.get_object());
  }
  return rows;
}

std::string reader::str(std::string_view key) {
  return keep(get_string(*o_, key), std::string{});
}

std::string reader::opt_str(std::string_view key, std::string fallback) {
  return keep(opt_string(*o_, key, std::move(fallback)), std::string{});
}

std::int64_t reader::integer(std::string_view key) {
  return keep(get_int(*o_, key), std::int64_t{0});
}

std::int64_t reader::opt_integer(std::string_view key, std::int64_t fallback) {
  return keep(opt_int(*o_, key, fallback), std::int64_t{0});
}

double reader::decimal(std::string_view key) {
  return keep(get_decimal(*o_, key), 0.0);
}

double reader::opt_decimal(std::string_view key, double fallback) {
  return keep(json::opt_decimal(*o_, key, fallback), 0.0);
}

std::int64_t reader::rounded(std::string_view key) {
  return keep(get_rounded(*o_, key), std::int64_t{0});
}

std::int64_t reader::opt_rounded(std::string_view key) {
  auto it = o_->find(key);
  if (it == o_->end() || it->value().is_null() ||
      (it->value().is_string() && it->value().get_string().empty()))
    return 0;
  return rounded(key);
}

void reader::fail(api_error e) {
  if (!error_)
    error_ = std::move(e);
}

std::string capped(std::string_view s, std::size_t max) {
  if (s.size() <= max)
    return std::string{s};
  std::size_t n = max;
  // Step back over UTF-8 continuation bytes so we never cut a character in half.
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80)
    --n;
  return std::string{s.substr(0, n)} + "...";
}

} // namespace kis::api::json
