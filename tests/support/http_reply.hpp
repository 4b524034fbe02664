// What the REST tests build answers from: an exchange that left and came back with a status and
// a body, and the JSON of a 200 answer that parse_reply must accept.
#pragma once

#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include <boost/json/object.hpp>

#include "kis/rest_codec.hpp"
#include "messages/rest.hpp"

namespace kis::test {

inline http_exchange reply(int status, std::string_view body, std::string tr_cont = {}) {
  http_exchange ex;
  ex.http_status = status;
  ex.body = std::string{body};
  ex.tr_cont = std::move(tr_cont);
  ex.sent = true;
  return ex;
}

inline boost::json::object parsed(std::string_view body, std::string tr_cont = {}) {
  auto r = api::parse_reply(reply(200, body, std::move(tr_cont)));
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  return r ? std::move(r).value() : boost::json::object{};
}

} // namespace kis::test
