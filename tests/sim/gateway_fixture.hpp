// What the gateway tests share: reading an answer, and the token every uapi call needs.
#pragma once

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
