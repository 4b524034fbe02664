// What the real-time frame tests share: the payload of a frame, the fields of a record, fields
// joined into a record, and a 26-field notice record.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace kis::api::test {

// Everything after the third '|'.
inline std::string payload_of(const std::string& frame) {
  return frame.substr(frame.find('|', frame.find('|', 2) + 1) + 1);
}

// How many '^'-separated fields a record (or a run of records) holds.
inline std::size_t fields_in(std::string_view record) {
  return static_cast<std::size_t>(std::count(record.begin(), record.end(), '^')) + 1;
}

inline std::string join(const std::vector<std::string>& fields) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0)
      out += '^';
    out += fields[i];
  }
  return out;
}

// A fill notice in the current 26-field layout; ORD_EXG_GB (field 19) as given.
inline std::vector<std::string> notice_26(std::string ord_exg_gb = "1") {
  return {"hts1", "12345678", "0000012345", "0000000000", "02", "0", "00",       "0",    "005930",
          "10",   "70100",    "093015",     "0",          "2",  "2", "06590",    "10",   "홍길동",
          "0",    ord_exg_gb, "N",          "",           "",   "",  "삼성전자", "70100"};
}

} // namespace kis::api::test
