// kis-sim: a KIS-compatible exchange on loopback (REST + WebSocket). The engine's embedded
// default backend and the test double for everything that speaks KIS. Same paths, methods,
// headers, tr_ids and JSON shapes as KIS-PROTOCOL.md; strict limits; a seeded market.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kis/clock.hpp"
#include "kis/credentials.hpp"
#include "kis/endpoints.hpp"
#include "kis/sessions.hpp"
#include "messages/market.hpp"
#include "messages/orders.hpp"
#include "sim/tape.hpp"
#include "sim/ws_server.hpp"

namespace kis::sim {

// The credentials kis-sim accepts unless told otherwise (they open nothing real):
//   app key    "PSkisSimDefaultAppKey000000000000001"  (36 chars, like a KIS app key)
//   app secret 180 hex chars, see default_app_secret below
//   account    "50000000-01" (CANO 50000000, ACNT_PRDT_CD 01)
//   HTS id     "kissim"      (tr_key of the H0STCNI0/H0STCNI9 registration)
inline constexpr std::string_view default_app_key = "PSkisSimDefaultAppKey000000000000001";
inline constexpr std::string_view default_app_secret =
    "b5dea1f3f69fbb0ed6baf96b79410ce63f9732cc359d88c8398601c3476bf7dc2ccd6b18cc59f7502935824416aff4"
    "5eb3edecd39d5f6dbf57c4a489457ec50703686ffa9d3fbbc23e4ec84ef5e9b3cd764f24bd3108d4768b56";
static_assert(default_app_key.size() == 36 && default_app_secret.size() == 180);

api::credentials default_credentials();

// Switches a test can also flip on a running server (see server below).
struct faults {
  double error_rate = 0;              // share of uapi calls answered EGW00001 (HTTP 500), seeded
  std::chrono::milliseconds delay{0}; // added before every uapi answer
  // A share of uapi calls (seeded) is executed at once (orders are placed) but answered only
  // after hold_for, like KIS answering slowly at the open: longer than a client's timeout, the
  // client learns nothing of a call that did happen.
  double hold_rate = 0;
  std::chrono::milliseconds hold_for{20'000};
  bool market_closed = false; // orders get 40580000 "장종료" (HTTP 200, rt_cd 1)
};

struct options {
  api::environment env = api::environment::real;
  std::uint16_t rest_port = 0; // 0 = ephemeral
  std::uint16_t ws_port = 0;   // 0 = ephemeral
  int rate_limit = 0;          // calls per sliding second per account; 0 = KIS: 18 real, 1 paper
  std::uint64_t seed = 42;
  api::credentials cred = default_credentials();
  std::vector<std::string> symbols; // empty = the whole market: universe(), ~2,700 codes
  // The share of printing market steps that print several trades at once; the feed sends
  // them as one multi-record frame (KIS batches 2-4 records, more at the open and close).
  double multi_record_share = 0.3;
  // KIS's TRs want every documented query parameter present (blank where optional) and JSON
  // body keys in upper case. Off: only what a handler reads must be there, in any case.
  bool strict_params = true;
  std::chrono::seconds token_spacing{60};     // a second tokenP inside this -> 403 EGW00133
  std::chrono::hours token_reuse{6};          // tokenP answers the same token while it is younger
  std::chrono::hours token_lifetime{24};      // expires_in
  std::chrono::milliseconds market_step{250}; // one synthetic trade per symbol per step
  std::int64_t initial_cash = 100'000'000;    // KRW on the account
  std::shared_ptr<const wall_clock> clock;    // null = the system clock
  // The market's own clock and calendar (issue #14). By default the market never closes, as
  // the engine's tests have always had it: KRX and Nextrade trade at every step. With
  // `sessions`, or a `start`, the calendar decides: venues trade in their sessions only,
  // weekends and holidays are shut, orders must suit the session, chk-holiday answers from it.
  // `start` (UTC ns) puts the market clock at that instant, `speed` runs it that many times
  // faster than `clock` (60: an hour a minute); rate limits and tokens keep `clock`.
  bool sessions = false;
  std::optional<std::int64_t> start_ns;
  double speed = 1.0;
  kis::sessions::calendar calendar = kis::sessions::calendar::year_2026();
  faults fault;
  // What the exchange matches orders against; null = the synthetic market above. kis-engine's
  // replay and backtest pass a tape of recorded trades (the fill model).
  std::shared_ptr<tape> fill_tape;
  // The WebSocket side's knobs (pings, drops, multi-record frames, wide books). Its port, env,
  // hts_id, accept_key, clock and seed are taken from the fields above.
  ws_options ws;
};

// What the server saw; a snapshot, safe to copy.
struct stats {
  std::map<std::string, std::uint64_t> calls_by_tr_id; // uapi calls that passed auth
  std::uint64_t legacy_tr_calls = 0;     // of those, with an older tr_id KIS still accepts
  std::uint64_t http_requests = 0;       // everything that reached the server
  std::uint64_t rate_rejections = 0;     // EGW00201 answers
  std::uint64_t max_calls_in_window = 0; // most uapi calls that arrived in any sliding 1 s
  std::uint64_t token_requests = 0;      // tokenP calls, answered or not
  std::uint64_t token_issues = 0;        // new tokens minted (a reused token is not counted)
  std::uint64_t token_too_soon = 0;      // EGW00133 answers
  std::uint64_t approval_issues = 0;
  std::uint64_t auth_failures = 0;   // EGW001xx / token refusals
  std::uint64_t injected_errors = 0; // faults.error_rate hits
  std::uint64_t hung_responses = 0;  // requests never answered (hang_next)
  std::uint64_t held_responses = 0;  // executed, answered after faults.hold_for
  std::uint64_t orders_received = 0; // order-cash calls that reached the exchange
  std::uint64_t orders_accepted = 0;
  std::uint64_t orders_rejected = 0;
  std::uint64_t fills = 0;
};

// One order-cash / order-rvsecncl request as the exchange received it, accepted or not: lets a
// client prove it sent nothing twice.
struct order_log_entry {
  std::string tr_id;
  std::string symbol;
  side dir = side::buy;
  std::string kind_code; // ORD_DVSN
  std::int64_t qty = 0;
  std::int64_t price = 0;
  std::int64_t at_ns = 0;    // server clock
  std::string order_no;      // empty when rejected
  std::string orig_order_no; // revise/cancel only
  std::string msg_cd;
  std::string venue; // EXCG_ID_DVSN_CD as sent (empty when absent: KRX)
};

class server {
public:
  explicit server(options opts);
  ~server(); // stops
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // Binds 127.0.0.1 (REST and WebSocket) and runs its own io thread. Throws on bind failure.
  void start();
  // Closes every connection (hung ones too) and joins the io thread. Idempotent.
  void stop();

  std::uint16_t rest_port() const;
  std::uint16_t ws_port() const;
  std::string rest_url() const; // "http://127.0.0.1:PORT"
  std::string ws_url() const;   // "ws://127.0.0.1:PORT"
  const options& config() const;

  sim::stats stats() const;
  ws_stats realtime_stats() const; // zeros before start()
  std::vector<order_log_entry> orders() const;
  // When each uapi call arrived (server clock, ns, oldest first; the last 65,536): the same
  // instants max_calls_in_window judges, taken before any delay or hold.
  std::vector<std::int64_t> call_arrivals() const;

  // Fault switches.
  void set_faults(const faults& f);
  // The next `count` requests with this tr_id (or OAuth path, e.g. "/oauth2/tokenP") are
  // executed when `execute` and then never answered: the client sees an unknown outcome.
  void hang_next(std::string tr_id, int count = 1, bool execute = true);
  void expire_tokens(); // every issued token answers EGW00123 from now on
  // Forget every access token issued, as a restarted KIS does: they answer EGW00121 from now
  // on. tokenP keeps its spacing rule (EGW00133 within token_spacing of its last answer).
  void forget_tokens();
  void drop_ws_sessions(); // close every WebSocket session (the client must reconnect)

  // The market's clock (the scaled one when `start` or `speed` is set, else `clock`): whoever
  // must agree with the simulated market about the time shares it.
  std::shared_ptr<const wall_clock> market_clock() const;

  // The market, for tests: move it `steps` market steps ahead of the wall clock.
  void step_market(std::int64_t steps);
  kis::quote quote(std::string_view symbol) const; // empty symbol when unknown
  std::vector<std::string> symbols() const;
  std::int64_t cash() const; // the account's deposit
  std::vector<kis::holding> holdings() const;

  // Every access token and approval key the server issued, for tests that prove a client
  // never lets one out (logs, metrics, recordings).
  std::vector<std::string> issued_secrets() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace kis::sim
