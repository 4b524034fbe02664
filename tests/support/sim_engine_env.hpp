// What an end-to-end run hands kis-engine to trade against an in-process kis-sim: symbols for
// its config as a TOML list, and the KIS_* variables that give it the simulator's credentials and
// URLs.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "sim/server.hpp"

namespace kis::test {

// The simulator's first `n` symbols as the inside of a TOML array of strings: "A", "B", "C".
inline std::string toml_symbols(const sim::server& sim, std::size_t n) {
  auto symbols = sim.symbols();
  symbols.resize(n);
  std::string list;
  for (const auto& s : symbols)
    list += (list.empty() ? "\"" : ", \"") + s + "\"";
  return list;
}

// The simulator's default credentials and its URLs; KIS_HTS_ID (what notices are registered
// under) only when `with_hts_id`.
inline std::vector<std::string> sim_engine_env(const sim::server& sim, bool with_hts_id = true) {
  const auto cred = sim::default_credentials();
  std::vector<std::string> env{"KIS_APP_KEY=" + cred.app_key, "KIS_APP_SECRET=" + cred.app_secret,
                               "KIS_ACCOUNT=" + cred.account_no + "-" + cred.account_product};
  if (with_hts_id)
    env.push_back("KIS_HTS_ID=" + cred.hts_id);
  env.push_back("KIS_REST_URL=" + sim.rest_url());
  env.push_back("KIS_WS_URL=" + sim.ws_url());
  return env;
}

} // namespace kis::test
