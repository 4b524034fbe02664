// Reading KIS JSON fields: every number arrives as a string ("70100", "-0.57"), some fields
// are optional, and an answer may carry fields we do not know. Errors name the field but never
// echo its value, so no token can leak through an error message.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/system/error_code.hpp>

#include "kis/result.hpp"

namespace kis::api::json {

// What a server may send us, parsed with explicit limits: nesting deeper than this (KIS
// answers are three levels deep) and invalid UTF-8 are errors, never a deep recursion or a
// string we pass on. The size is bounded before this: the transport caps bodies
// (api::max_response_body) and the WebSocket client frames (api::max_ws_frame_bytes).
inline constexpr std::size_t max_depth = 32;
boost::json::value parse_untrusted(std::string_view text, boost::system::error_code& ec);

api_error malformed(std::string_view field, std::string_view what);

// Strict text -> number conversions. Integers: optional sign, digits only, no overflow.
// Decimals: optional sign, digits, at most one '.', finite.
std::optional<std::int64_t> to_int(std::string_view s) noexcept;
std::optional<double> to_decimal(std::string_view s) noexcept;

// Required fields: missing, wrong type or bad text -> errc::malformed naming the field.
result<std::string> get_string(const boost::json::object& o, std::string_view key);
result<std::int64_t> get_int(const boost::json::object& o, std::string_view key);
result<double> get_decimal(const boost::json::object& o, std::string_view key);

// Optional fields: missing or "" -> fallback; present but bad -> malformed.
result<std::string> opt_string(const boost::json::object& o, std::string_view key,
                               std::string fallback = {});
result<std::int64_t> opt_int(const boost::json::object& o, std::string_view key,
                             std::int64_t fallback = 0);
result<double> opt_decimal(const boost::json::object& o, std::string_view key, double fallback = 0);

// A decimal field rounded to the nearest integer (pchs_avg_pric "70123.5000" -> 70124).
result<std::int64_t> get_rounded(const boost::json::object& o, std::string_view key);

// "output": an object, or an array holding one object (both occur). Required.
result<const boost::json::object*> get_object(const boost::json::object& o, std::string_view key);
// "output1"/"output2": an array of objects (an object alone counts as one row). Required.
result<std::vector<const boost::json::object*>> get_rows(const boost::json::object& o,
                                                         std::string_view key);

// Reads many fields of one object and keeps the first error, so a decoder reads like a list
// of fields and checks once at the end.
class reader {
public:
  explicit reader(const boost::json::object& o) noexcept
      : o_(&o) {}

  std::string str(std::string_view key);
  std::string opt_str(std::string_view key, std::string fallback = {});
  std::int64_t integer(std::string_view key);
  std::int64_t opt_integer(std::string_view key, std::int64_t fallback = 0);
  double decimal(std::string_view key);
  double opt_decimal(std::string_view key, double fallback = 0);
  std::int64_t rounded(std::string_view key);     // required decimal, rounded
  std::int64_t opt_rounded(std::string_view key); // optional decimal, rounded, 0 if absent

  void fail(api_error e);
  bool ok() const noexcept { return !error_; }
  api_error take_error() { return std::move(*error_); }

private:
  template <class T>
  T keep(result<T>&& r, T fallback) {
    if (r)
      return std::move(r).value();
    fail(std::move(r).error());
    return fallback;
  }

  const boost::json::object* o_;
  std::optional<api_error> error_;
};

// Cuts text to at most max bytes on a UTF-8 boundary (messages from KIS that we echo).
std::string capped(std::string_view s, std::size_t max = 160);

} // namespace kis::api::json
