// What identifies one KIS account to the API. Secrets live here and nowhere else; nothing in
// this struct may be logged (runtime/logging redacts these values from every line).
#pragma once

#include <string>

namespace kis::api {

struct credentials {
  std::string app_key;         // 36 chars on KIS
  std::string app_secret;      // 180 chars on KIS
  std::string account_no;      // CANO, 8 digits
  std::string account_product; // ACNT_PRDT_CD, 2 digits ("01")
  std::string hts_id;          // tr_key of the execution-notice registration
  std::string custtype = "P";  // P individual, B corporate
};

} // namespace kis::api
