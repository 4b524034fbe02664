// expected-style results for the protocol library: a value or an api_error, never an
// exception across the library boundary.
#pragma once

#include <string>
#include <utility>
#include <variant>

#include "messages/error_code.hpp"

namespace kis::api {

// One error type for everything the protocol can say went wrong. message is safe to log:
// it never holds a secret (app key, secret, token, approval key).
struct api_error {
  errc code = errc::none;
  std::string kis_code; // msg_cd or error_code, e.g. "EGW00201"; empty when not from KIS
  int http_status = 0;  // 0 when there was no HTTP response
  std::string message;
};

template <class T>
class result {
public:
  result(T value)
      : v_(std::in_place_index<0>, std::move(value)) {}
  result(api_error err)
      : v_(std::in_place_index<1>, std::move(err)) {}

  bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const api_error& error() const& { return std::get<1>(v_); }
  api_error&& error() && { return std::get<1>(std::move(v_)); }

private:
  std::variant<T, api_error> v_;
};

inline api_error make_api_error(errc code, std::string message, std::string kis_code = {},
                                int http_status = 0) {
  return api_error{code, std::move(kis_code), http_status, std::move(message)};
}

} // namespace kis::api
