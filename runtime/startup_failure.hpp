// A start that cannot go on is an api_error like any other failure. errc::config (the person
// must fix the configuration or a flag) ends the process with "config error: ..." and exit
// code 2; any other code with its message and exit code 1.
#pragma once

#include <iostream>
#include <string>

#include "kis/result.hpp"

namespace kis::runtime {

inline api::api_error config_refused(std::string what) {
  return api::make_api_error(errc::config, std::move(what));
}

inline api::api_error start_failed(std::string what, errc code = errc::io) {
  return api::make_api_error(code == errc::none ? errc::io : code, std::move(what));
}

// Writes the one line ("kis-engine: ...") and returns the exit code.
inline int report_startup_failure(const api::api_error& e, std::ostream& out = std::cerr) {
  const bool config = e.code == errc::config;
  out << "kis-engine: " << (config ? "config error: " : "") << e.message << "\n";
  return config ? 2 : 1;
}

} // namespace kis::runtime
