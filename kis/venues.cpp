#include "kis/venues.hpp"

#include <string>

namespace kis::api {

namespace {

constexpr order_kind_mask codes(std::initializer_list<unsigned> list) noexcept {
  order_kind_mask m = 0;
  for (auto c : list)
    m |= order_kind_mask{1} << c;
  return m;
}

constexpr order_kind_mask krx_kinds =
    codes({0, 1, 2, 3, 4, 5, 6, 7, 11, 12, 13, 14, 15, 16, 21, 22, 23, 24});
constexpr order_kind_mask nxt_kinds = codes({0, 3, 4, 11, 12, 13, 14, 15, 16, 21, 22, 23, 24});
constexpr order_kind_mask sor_kinds = codes({0, 1, 3, 4, 11, 12, 13, 14, 15, 16});

api_error refused(std::string msg) {
  return make_api_error(errc::venue_refused, std::move(msg));
}

} // namespace

std::string_view venue_code(venue v) noexcept {
  switch (v) {
  case venue::nxt:
    return "NXT";
  case venue::sor:
    return "SOR";
  case venue::unset:
  case venue::krx:
    break;
  }
  return "KRX";
}

std::optional<venue> parse_venue_code(std::string_view code) noexcept {
  if (code == "KRX")
    return venue::krx;
  if (code == "NXT")
    return venue::nxt;
  if (code == "SOR")
    return venue::sor;
  return std::nullopt;
}

result<std::string_view> scope_code(venue_scope scope, environment env) {
  const bool paper = env == environment::paper;
  switch (scope) {
  case venue_scope::automatic:
  case venue_scope::all:
    return std::string_view{paper ? "KRX" : "ALL"};
  case venue_scope::krx:
    return std::string_view{"KRX"};
  case venue_scope::nxt:
  case venue_scope::sor:
    if (paper)
      return refused("paper trading lists KRX orders only");
    return std::string_view{scope == venue_scope::nxt ? "NXT" : "SOR"};
  }
  return make_api_error(errc::invalid_argument, "unknown venue scope");
}

exec_venue parse_exec_venue(std::string_view code) noexcept {
  if (code.size() == 1 && code[0] >= '1' && code[0] <= '4')
    return static_cast<exec_venue>(code[0] - '0');
  return exec_venue::unknown;
}

std::string_view exec_venue_code(exec_venue v) noexcept {
  switch (v) {
  case exec_venue::krx:
    return "1";
  case exec_venue::nxt:
    return "2";
  case exec_venue::sor_krx:
    return "3";
  case exec_venue::sor_nxt:
    return "4";
  case exec_venue::unknown:
    break;
  }
  return "";
}

std::string_view market_div_code(market_code m) noexcept {
  switch (m) {
  case market_code::nxt:
    return "NX";
  case market_code::combined:
    return "UN";
  case market_code::krx:
    break;
  }
  return "J";
}

std::optional<market_code> parse_market_div_code(std::string_view code) noexcept {
  if (code == "J")
    return market_code::krx;
  if (code == "NX")
    return market_code::nxt;
  if (code == "UN")
    return market_code::combined;
  return std::nullopt;
}

order_kind_mask venue_order_kinds(venue v) noexcept {
  switch (v) {
  case venue::nxt:
    return nxt_kinds;
  case venue::sor:
    return sor_kinds;
  case venue::unset:
  case venue::krx:
    break;
  }
  return krx_kinds;
}

std::optional<api_error> check_venue(venue v, environment env, order_kind kind, bool nxt_eligible) {
  const auto where = effective_venue(v);
  const std::string name{venue_code(where)};
  if (env == environment::paper && where != venue::krx)
    return refused("paper trading takes KRX orders only, not " + name);
  if (where == venue::nxt && !nxt_eligible)
    return refused("Nextrade does not trade this symbol (or its eligibility is not known yet)");
  if ((venue_order_kinds(where) & mask_of(kind)) == 0) {
    const auto code = static_cast<unsigned>(kind);
    return refused(name + " does not take ORD_DVSN " + (code < 10 ? "0" : "") +
                   std::to_string(code));
  }
  return std::nullopt;
}

} // namespace kis::api
