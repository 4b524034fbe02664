// What the gateway tests share: reading an answer, and the token every uapi call needs.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "sim/gateway.hpp"

namespace kis::sim::test {

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

} // namespace kis::sim::test
