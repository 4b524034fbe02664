// kis::errc as a CAF error (category "kis"). The context carries the KIS code, the HTTP
// status and a safe message (never a secret), so a remote caller sees the same facts.
#pragma once

#include <string>

#include <caf/error.hpp>
#include <caf/make_message.hpp>

#include "messages/error_code.hpp"

CAF_ERROR_CODE_ENUM(kis::errc, "kis")

namespace kis {

inline std::string to_string(errc x) {
  return std::string{to_string_view(x)};
}

// An engine error: code, KIS code (may be empty), HTTP status (0 if none) and a message.
inline caf::error make_kis_error(errc code, std::string kis_code, int http_status,
                                 std::string message) {
  return caf::make_error(code, std::move(kis_code), http_status, std::move(message));
}

inline caf::error make_kis_error(errc code, std::string message) {
  return make_kis_error(code, std::string{}, 0, std::move(message));
}

// The parts of an engine error, for logs and tests.
struct error_view {
  errc code = errc::none;
  std::string kis_code;
  int http_status = 0;
  std::string message;
};

inline error_view view(const caf::error& e) {
  error_view v;
  if (e.category() != caf::atom("kis"))
    return v;
  v.code = static_cast<errc>(e.code());
  const auto& ctx = e.context();
  if (ctx.match_elements<std::string, int, std::string>()) {
    v.kis_code = ctx.get_as<std::string>(0);
    v.http_status = ctx.get_as<int>(1);
    v.message = ctx.get_as<std::string>(2);
  }
  return v;
}

// Register the renderer so sys.render(e) prints "kis::rate_limited EGW00201 (HTTP 500): ...".
template <class Config>
void add_kis_error_category(Config& cfg) {
  cfg.add_error_category(caf::atom("kis"),
                         [](std::uint8_t code, caf::atom_value, const caf::message& ctx) {
                           std::string out = "kis::" + to_string(static_cast<errc>(code));
                           if (ctx.match_elements<std::string, int, std::string>()) {
                             const auto& kc = ctx.get_as<std::string>(0);
                             if (!kc.empty())
                               out += " " + kc;
                             if (auto st = ctx.get_as<int>(1); st != 0)
                               out += " (HTTP " + std::to_string(st) + ")";
                             out += ": " + ctx.get_as<std::string>(2);
                           }
                           return out;
                         });
}

} // namespace kis
