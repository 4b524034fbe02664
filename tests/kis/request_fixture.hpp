// What the request-building tests share: made-up credentials and a call context for them.
#pragma once

#include "kis/rest_codec.hpp"

namespace kis::api::test {

inline credentials test_cred() {
  credentials c;
  c.app_key = "PSappkey000000000000000000000000000A";
  c.app_secret = "secret-value";
  c.account_no = "50000000";
  c.account_product = "01";
  return c;
}

inline call_context ctx(environment env = environment::real) {
  return {env, "https://openapi.example:9443", test_cred(), "tok.en"};
}

} // namespace kis::api::test
