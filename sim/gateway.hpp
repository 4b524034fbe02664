// The simulator's KIS front door without the sockets: takes one HTTP request as plain values
// and answers exactly as KIS would (paths, tr_ids, headers, JSON shapes, codes, statuses), and
// feeds the WebSocket server from the same market. Thread-safe: one mutex around the state;
// notices leave through notice_sink outside that lock.
//
// Status rule: gateway errors (EGW...) come with a non-200 status, order/query server answers
// (OPSQ..., business rejections) with HTTP 200 and rt_cd "1":
//   EGW00102..00105 app key / secret         403 (KIS-PROTOCOL.md §2.1 sample)
//   EGW00133 token issued too soon           403 (§2.1)
//   EGW00101/00131/00132/00208, EGW02006,
//   EGW00121/00123/00205 token,
//   EGW00201 rate limit, EGW00001 injected   500 (KIS's gateway answers 500; clients classify
//                                                 by code)
//   unknown path                             404
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/object.hpp>

#include "sim/auth.hpp"
#include "sim/exchange.hpp"
#include "sim/market.hpp"
#include "sim/routes.hpp"
#include "sim/server.hpp"
#include "sim/ws_server.hpp"

namespace kis::sim {

struct http_request {
  std::string method;                         // "GET", "POST"
  std::string target;                         // path and query string
  std::map<std::string, std::string> headers; // names in lower case
  std::string body;
};

struct http_response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool hang = false;                  // never answer (hang_next)
  std::chrono::milliseconds delay{0}; // answer late (faults.delay, faults.hold_for)
};

class gateway final : public realtime_source {
public:
  explicit gateway(const options& opts);

  http_response handle(const http_request& req);

  // realtime_source, for ws_server.
  bool known_symbol(std::string_view symbol) const override;
  std::vector<kis::trade_tick> trades(std::string_view symbol, market_code m) override;
  kis::order_book book(std::string_view symbol, market_code m) override;

  std::shared_ptr<const wall_clock> market_clock() const { return market_clock_; }

  bool accept_approval_key(std::string_view key) const;
  // The id of the app key an approval key was issued for ("" when never issued): a hash, so
  // the app key itself never travels further.
  std::string approval_owner(std::string_view key) const;
  // Lets resting orders meet the trades printed since the last look; the server calls it
  // periodically so fills do not wait for the next request.
  void tick();

  // Receives acks and fills (H0STCNI0 material); called outside the lock.
  std::function<void(const kis::execution_notice&)> notice_sink;

  sim::stats stats() const;
  std::vector<order_log_entry> orders() const;
  void set_faults(const faults& f);
  void hang_next(std::string tr_id, int count, bool execute);
  void expire_tokens();
  void forget_tokens();
  std::vector<std::int64_t> call_arrivals() const;
  std::vector<std::string> issued_secrets() const;
  void step_market(std::int64_t steps);
  kis::quote quote(std::string_view symbol);
  std::vector<std::string> symbols() const;
  std::int64_t cash() const;
  std::vector<kis::holding> holdings();

  // One parsed call: parameters by name (query names upper-cased, as KIS matches them without
  // regard to case; JSON body keys as sent, since KIS wants them in upper case).
  struct call {
    const route* r = nullptr;
    std::string tr_id;
    std::string tr_cont; // request header: "" first page, "N" continuation
    std::map<std::string, std::string> params;
    const http_request* req = nullptr;
  };

private:
  struct hang_rule {
    std::string key; // tr_id or OAuth path
    int count = 0;
    bool execute = true;
  };

  http_response route(const http_request& req);
  http_response oauth(service what, const http_request& req);
  http_response hashkey(const http_request& req);
  std::optional<http_response> check_credentials(const http_request& req, std::string_view tr);
  std::optional<http_response> check_token(const http_request& req, std::string_view tr);
  std::optional<http_response> check_custtype(const http_request& req, std::string_view tr);
  std::optional<http_response> read_params(call& c, std::string_view query);
  http_response dispatch(const call& c);
  std::optional<hang_rule> take_hang(std::string_view key);
  void count_arrival(std::int64_t now_ns);

  // Endpoint bodies: market data (gateway_quotes.cpp) and trading (gateway_trading.cpp).
  http_response inquire_price(const call& c);
  http_response inquire_daily_price(const call& c);
  http_response inquire_chart(const call& c);
  http_response inquire_minutes(const call& c);
  http_response search_info(const call& c);
  http_response search_stock_info(const call& c);
  http_response order_cash(const call& c);
  http_response order_revise(const call& c);
  http_response inquire_revisable(const call& c);
  http_response inquire_balance(const call& c);
  http_response inquire_buyable(const call& c);
  http_response inquire_sellable(const call& c);
  http_response inquire_fills(const call& c);
  http_response chk_holiday(const call& c);

  void log_order(const call& c, std::int64_t qty, std::int64_t price, const order_answer& a);
  void flush(); // hands queued notices to notice_sink; call without the lock

  options opts_;
  std::shared_ptr<const wall_clock> clock_;        // rate limits, tokens, the server's record
  std::shared_ptr<const wall_clock> market_clock_; // the market, its sessions, order times
  mutable std::mutex mu_;
  market market_;
  exchange exchange_;
  token_authority tokens_;
  rate_limiter limiter_;
  sliding_window arrivals_;
  rng fault_gen_;
  rng hold_gen_; // its own stream: switching holds on leaves the error sequence as it was
  faults faults_;
  std::vector<hang_rule> hangs_;
  sim::stats stats_;
  std::vector<order_log_entry> order_log_;
  std::deque<std::int64_t> arrival_log_;
  std::map<std::pair<std::string, char>, std::int64_t> ws_cursors_; // (symbol, K/N) -> step
  std::vector<kis::execution_notice> pending_;
  std::mutex sink_mu_; // keeps notices in order when several threads flush
};

// Helpers shared by the gateway's TUs.
namespace reply {
http_response json(int status, const boost::json::object& body, std::string_view tr_id = {},
                   std::string_view tr_cont = {});
// {"rt_cd":"1","msg_cd":code,"msg1":text}
http_response kis_error(int status, std::string_view code, std::string_view text,
                        std::string_view tr_id = {});
// {"error_code":code,"error_description":text} (OAuth endpoints)
http_response oauth_error(int status, std::string_view code, std::string_view text);
} // namespace reply

} // namespace kis::sim
