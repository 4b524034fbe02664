// The venue of a replay or backtest: what stands behind the gateway's and the feed's seams
// instead of KIS. Recorded market data comes back through the same transports (frames to the
// feed, quotes and charts to the gateway); orders, account queries and OAuth go to kis-sim's
// gateway in-process, whose exchange matches against the recorded tape (the fill model) and
// whose execution notices reach the feed as encrypted H0STCNI0/H0STCNI9 frames.
//
// Everything here runs on the replay driver's one thread (the deterministic scheduler runs the
// actors there too), so the transports answer at once and nothing is locked.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "kis/clock.hpp"
#include "kis/credentials.hpp"
#include "kis/endpoints.hpp"
#include "kis/recording_format.hpp"
#include "runtime/replay_tape.hpp"
#include "runtime/transports.hpp"

namespace kis::runtime {

struct venue_options {
  api::environment env = api::environment::real;
  std::shared_ptr<const wall_clock> clock; // the virtual clock
  std::vector<std::string> symbols;        // watched: the fill model's account may trade them
  std::uint64_t seed = 1;                  // tokens and notice keys of the fill model
  std::int64_t initial_cash = 100'000'000;
  bool session_rules = false; // orders outside the KRX regular session are refused
  // Symbols the recording has WebSocket frames for; a registration of any other trade or book
  // key is refused (OPSP0008), so the engine polls it and meets the recorded REST answers.
  // Empty: every registration is accepted.
  std::set<std::string> ws_symbols;
};

// The first recorded REST record ahead of the virtual clock whose answer key matches, or
// null; the driver looks a bounded distance ahead.
using lookahead_fn = std::function<const rec::record*(const std::string& key)>;

struct venue_stats {
  std::uint64_t frames_delivered = 0; // recorded frames handed to the feed
  std::uint64_t frames_skipped = 0;   // for nothing registered, or recorded notices
  std::uint64_t trades_printed = 0;   // into the fill model's tape
  std::uint64_t answers_recorded = 0; // REST market data answered from the recording
  std::uint64_t answers_from_tape = 0;
  std::uint64_t answers_missing = 0;  // nothing recorded: answered with RPLY0001
  std::uint64_t fill_model_calls = 0; // orders, account queries, OAuth
  std::uint64_t notices_sent = 0;
  std::uint64_t registrations = 0;
  std::uint64_t registrations_refused = 0; // not on the WebSocket in the recording
};

class replay_venue {
public:
  explicit replay_venue(venue_options opts);
  ~replay_venue();
  replay_venue(const replay_venue&) = delete;
  replay_venue& operator=(const replay_venue&) = delete;

  // The seams: what the runtime injects into the gateway, the token keeper and the feed.
  std::shared_ptr<rest_transport> rest();
  ws_transport_factory ws();
  // The credentials the engine must present to the fill model (kis-sim's defaults).
  api::credentials credentials() const;

  void set_lookahead(lookahead_fn f);
  // A recorded record whose receive time has come on the virtual clock.
  void deliver(const rec::record& r);
  // The virtual clock moved: the fill model opens or closes with the session rules.
  void on_time();

  replay_tape& tape();
  const venue_stats& stats() const;

  // How recorded and replayed market-data requests are matched: endpoint and parameters.
  static std::string answer_key(std::string_view endpoint, const std::vector<kis::field>& params);

  struct impl;

private:
  std::shared_ptr<impl> impl_;
};

} // namespace kis::runtime
