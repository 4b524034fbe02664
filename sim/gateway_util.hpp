// Helpers the gateway's endpoint bodies share: reading parameters (a bad one throws an
// input_error that dispatch turns into KIS's rt_cd "1" answer), and writing numbers the way
// KIS prints them (every number a string; rates with fixed decimals).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "kis/kst.hpp"
#include "sim/gateway.hpp"

namespace kis::sim::detail {

// Bad input inside a handler; dispatch turns it into an rt_cd "1" answer (never a crash).
struct input_error {
  std::string code;
  std::string text;
};

[[noreturn]] inline void missing(std::string_view name) {
  throw input_error{"OPSQ2001", "ERROR : INPUT_FIELD_NAME " + std::string{name}};
}
[[noreturn]] inline void invalid(std::string_view name) {
  throw input_error{"OPSQ2002", "ERROR : INPUT_FIELD_VALUE " + std::string{name}};
}

inline const std::string& need(const gateway::call& c, const std::string& name) {
  auto it = c.params.find(name);
  if (it == c.params.end())
    missing(name);
  return it->second;
}

inline std::string opt(const gateway::call& c, const std::string& name) {
  auto it = c.params.find(name);
  return it == c.params.end() ? std::string{} : it->second;
}

// Digits only, at most 15 of them: KRW amounts and share counts fit easily.
inline std::int64_t to_count(const std::string& name, std::string_view s) {
  if (s.empty() || s.size() > 15 ||
      !std::all_of(s.begin(), s.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
    invalid(name);
  std::int64_t v = 0;
  for (char ch : s)
    v = v * 10 + (ch - '0');
  return v;
}

inline std::int64_t need_count(const gateway::call& c, const std::string& name) {
  return to_count(name, need(c, name));
}

inline std::int32_t need_date(const gateway::call& c, const std::string& name) {
  auto d = api::kst::parse_date(need(c, name));
  if (!d)
    invalid(name);
  return *d;
}

inline void one_of(const gateway::call& c, const std::string& name,
                   std::initializer_list<std::string_view> allowed, bool required = true) {
  auto it = c.params.find(name);
  if (it == c.params.end()) {
    if (required)
      missing(name);
    return;
  }
  if (std::find(allowed.begin(), allowed.end(), it->second) == allowed.end())
    invalid(name);
}

inline std::string trimmed(std::string_view s) {
  auto first = s.find_first_not_of(' ');
  if (first == std::string_view::npos)
    return {};
  return std::string{s.substr(first, s.find_last_not_of(' ') - first + 1)};
}

inline std::string num(std::int64_t v) {
  return std::to_string(v);
}

inline std::string fixed(double v, int places) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", places, v);
  return buf;
}

inline double ratio(std::int64_t part, std::int64_t whole) {
  return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
}

inline double pct(std::int64_t part, std::int64_t whole) {
  return ratio(part, whole) * 100.0;
}

inline std::string date_text(std::int32_t yyyymmdd) {
  return std::to_string(yyyymmdd);
}

// Sign code of a close against the day before: 1 upper limit, 2 up, 3 flat, 4 lower, 5 down.
std::string sign_code(std::int64_t close, std::int64_t prev);

// KIS pads account-query texts and context keys with spaces to their field length, counted
// in EUC-KR bytes (a Hangul syllable takes two): msg1 is 80, ctx_area_* 100.
inline std::string padded(std::string_view s, std::size_t width) {
  std::size_t bytes = 0;
  for (std::size_t i = 0; i < s.size();) {
    const auto lead = static_cast<unsigned char>(s[i]);
    const std::size_t len = lead < 0x80 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
    bytes += len == 1 ? 1 : 2;
    i += len;
  }
  std::string out{s};
  if (bytes < width)
    out.append(width - bytes, ' ');
  return out;
}

inline boost::json::object ok_body(std::string_view code, std::string_view text) {
  return {{"rt_cd", "0"}, {"msg_cd", code}, {"msg1", text}};
}

inline boost::json::object query_ok() {
  return ok_body("MCA00000", "정상처리 되었습니다.");
}

// Account queries answer KIOK0510 with msg1 padded, as the portal's examples show.
inline boost::json::object account_ok() {
  return ok_body("KIOK0510", padded("조회가 완료되었습니다", 80));
}

// tr_cont: F/M when more pages follow, D/E on the last (first call / continuation).
inline std::string tr_cont_for(bool continuation, bool more) {
  return more ? (continuation ? "M" : "F") : (continuation ? "E" : "D");
}

// The page offset a continuation asks for; a first call starts at 0.
inline std::size_t page_offset(const gateway::call& c) {
  if (c.tr_cont != "N")
    return 0;
  auto nk = trimmed(opt(c, "CTX_AREA_NK100"));
  return nk.empty() ? 0 : static_cast<std::size_t>(to_count("CTX_AREA_NK100", nk));
}

} // namespace kis::sim::detail
