// What the gateway tests share: reading an answer, and the token every uapi call needs.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "kis/clock.hpp"
#include "sim/gateway.hpp"

namespace kis::sim::test {

// The uapi paths the tests call (the simulator keeps its own route table: sim/routes.cpp).
inline constexpr const char* price_path = "/uapi/domestic-stock/v1/quotations/inquire-price";
inline constexpr const char* chart_path =
    "/uapi/domestic-stock/v1/quotations/inquire-daily-itemchartprice";
inline constexpr const char* holiday_path = "/uapi/domestic-stock/v1/quotations/chk-holiday";
inline constexpr const char* order_path = "/uapi/domestic-stock/v1/trading/order-cash";
inline constexpr const char* revise_path = "/uapi/domestic-stock/v1/trading/order-rvsecncl";
inline constexpr const char* balance_path = "/uapi/domestic-stock/v1/trading/inquire-balance";
inline constexpr const char* ccld_path = "/uapi/domestic-stock/v1/trading/inquire-daily-ccld";

inline boost::json::object body_of(const http_response& r) {
  return boost::json::parse(r.body).as_object();
}

inline std::string str(const boost::json::object& o, std::string_view k) {
  return std::string{o.at(k).as_string()};
}

inline std::string header_of(const http_response& r, std::string_view name) {
  for (const auto& [n, v] : r.headers)
    if (n == name)
      return v;
  return "<none>";
}

// The headers of a uapi call with the server's own credentials and a token.
inline std::map<std::string, std::string>
uapi_headers(const options& opts, const std::string& token, const std::string& tr) {
  return {{"authorization", "Bearer " + token},
          {"appkey", opts.cred.app_key},
          {"appsecret", opts.cred.app_secret},
          {"tr_id", tr},
          {"custtype", "P"},
          {"content-type", "application/json; charset=utf-8"}};
}

// tokenP with the server's own credentials (the answer when it is refused).
inline http_response token_reply(gateway& gw, const options& opts) {
  return gw.handle(
      {"POST",
       "/oauth2/tokenP",
       {{"content-type", "application/json"}},
       boost::json::serialize(boost::json::object{{"grant_type", "client_credentials"},
                                                  {"appkey", opts.cred.app_key},
                                                  {"appsecret", opts.cred.app_secret}})});
}

// What every in-process gateway fixture holds: a gateway on a manual clock and its token. Each
// fixture makes its gateway with the options its tests need.
struct gateway_fixture : ::testing::Test {
  std::shared_ptr<kis::manual_wall_clock> clock = std::make_shared<kis::manual_wall_clock>();
  options opts;
  std::unique_ptr<gateway> gw;
  std::string token;

  std::map<std::string, std::string> headers(const std::string& tr) const {
    return uapi_headers(opts, token, tr);
  }
};

} // namespace kis::sim::test
