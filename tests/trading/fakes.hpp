// Test doubles of the gateway, the feed and a strategy, written against the typed
// interfaces. Tests run under CAF's single-threaded test coordinator, so the doubles and the
// test share their records through a plain shared_ptr.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include "messages/errors.hpp"
#include "messages/interfaces.hpp"

namespace kis::test {

enum class order_mode { ack, unknown, reject, hang };

struct gateway_record {
  // knobs
  std::map<std::string, quote> quotes; // missing symbols get default_quote()
  buyable buy{"", 100'000'000, 1'000'000, 100'000'000, 1'000'000, 100'000'000, 0};
  balance account{{}, 100'000'000, 100'000'000, 100'000'000, 0, 0}; // what inquire-balance says
  int balance_queries = 0;
  order_mode mode = order_mode::ack;
  std::vector<fill_record> ccld; // what inquire-daily-ccld answers
  std::vector<daily_bar> history;
  std::set<std::string> nxt_symbols; // what search-stock-info says Nextrade trades
  bool hold_quotes = false;          // park price queries until release (done_atom)
  bool quote_error = false;          // answer price queries with rate_limited
  int chart_failures = 0;            // answer this many chart queries with HTTP 500 first
  std::function<void(const order_request&)> on_order; // runs when an order arrives
  // records
  std::vector<order_request> orders;
  std::vector<revise_cancel_request> cancels;
  std::vector<std::string> calls; // "quote:005930", "order:K...", "ccld", ...
  std::vector<chart_query> charts;
  int price_queries = 0;
  std::vector<std::string> markets; // FID_COND_MRKT_DIV_CODE of each price query
  int max_parked = 0;
  std::vector<std::pair<std::string, caf::typed_response_promise<quote>>> parked;
  std::vector<std::pair<std::string, caf::typed_response_promise<order_ack>>> hung; // client id
  int next_odno = 1;

  static quote default_quote(const std::string& sym) {
    quote q;
    q.symbol = sym;
    q.price = 10'000;
    q.upper_limit = 13'000;
    q.lower_limit = 7'000;
    q.base_price = 10'000;
    q.volume = 1000;
    q.turnover = 10'000'000;
    return q;
  }
  quote quote_of(const std::string& sym) const {
    auto i = quotes.find(sym);
    return i != quotes.end() ? i->second : default_quote(sym);
  }
};

// The impl type, so tests can send done_atom as their "release the parked quotes" hook.
inline rest_gateway_impl_actor spawn_fake_gateway(caf::actor_system& sys,
                                                  std::shared_ptr<gateway_record> rec) {
  return sys.spawn(
      [rec](rest_gateway_impl_actor::pointer self) -> rest_gateway_impl_actor::behavior_type {
        return {
            [](const rest_call&) -> caf::result<rest_reply> {
              return make_kis_error(errc::not_supported, "fake");
            },
            [self, rec](const price_query& q) -> caf::result<quote> {
              ++rec->price_queries;
              rec->markets.push_back(q.market);
              rec->calls.push_back("quote:" + q.symbol);
              if (rec->quote_error)
                return make_kis_error(errc::rate_limited, "EGW00201", 500, "too many");
              if (rec->hold_quotes) {
                auto rp = self->make_response_promise<quote>();
                rec->parked.emplace_back(q.symbol, rp);
                rec->max_parked = std::max(rec->max_parked, static_cast<int>(rec->parked.size()));
                return rp;
              }
              return rec->quote_of(q.symbol);
            },
            [rec](const chart_query& q) -> caf::result<std::vector<daily_bar>> {
              rec->charts.push_back(q);
              if (rec->chart_failures > 0) {
                --rec->chart_failures;
                return make_kis_error(errc::server_error, "", 500, "server error");
              }
              return rec->history;
            },
            [self, rec](const order_request& o) -> caf::result<order_ack> {
              rec->calls.push_back("order:" + o.client_id);
              rec->orders.push_back(o);
              if (rec->on_order)
                rec->on_order(o);
              switch (rec->mode) {
              case order_mode::unknown:
                return make_kis_error(errc::outcome_unknown, "EGW00302", 500,
                                      "transaction timeout");
              case order_mode::reject:
                return make_kis_error(errc::rejected, "APBK0919", 200, "not enough cash");
              case order_mode::hang: {
                auto rp = self->make_response_promise<order_ack>();
                rec->hung.emplace_back(o.client_id, rp);
                return rp;
              }
              case order_mode::ack:
                break;
              }
              auto odno = std::to_string(rec->next_odno++);
              return order_ack{o.client_id, "06010",    std::string(10 - odno.size(), '0') + odno,
                               "090000",    "APBK0013", "ok"};
            },
            [rec](const revise_cancel_request& r) -> caf::result<order_ack> {
              rec->calls.push_back("cancel:" + r.order_no);
              rec->cancels.push_back(r);
              return order_ack{r.client_id, r.org_no, "9" + r.order_no.substr(1), "090001", "", ""};
            },
            [rec](const balance_query&) -> caf::result<balance> {
              ++rec->balance_queries;
              return rec->account;
            },
            [rec](const buyable_query& q) -> caf::result<buyable> {
              rec->calls.push_back("buyable:" + q.symbol);
              return rec->buy;
            },
            [rec](const fills_query&) -> caf::result<std::vector<fill_record>> {
              rec->calls.push_back("ccld");
              return rec->ccld;
            },
            [rec](const stock_info_query& q) -> caf::result<stock_info> {
              rec->calls.push_back("stock_info:" + q.symbol);
              stock_info si;
              si.symbol = q.symbol;
              si.nxt_eligible = rec->nxt_symbols.count(q.symbol) != 0;
              return si;
            },
            [rec](done_atom, const http_exchange&) { // test hook: answer the parked queries
              auto parked = std::move(rec->parked);
              rec->parked.clear();
              for (auto& [sym, rp] : parked)
                rp.deliver(rec->quote_of(sym));
            },
            [](publish_atom) {},
            [rec](retry_atom, std::uint64_t) { // test hook: acknowledge the hung orders now
              auto hung = std::move(rec->hung);
              rec->hung.clear();
              for (auto& [cid, rp] : hung) {
                auto odno = std::to_string(rec->next_odno++);
                rp.deliver(order_ack{cid, "06010", std::string(10 - odno.size(), '0') + odno,
                                     "090000", "APBK0013", "ok"});
              }
            },
        };
      });
}

struct feed_record {
  std::uint32_t cap = 41;
  std::uint32_t used = 0;
  std::vector<subscribe_request> trades; // registered
  std::vector<subscribe_request> asked;  // every market-data request, registered or refused
  std::vector<subscribe_request> notices;
  std::vector<market_sink_actor> sinks;
  std::vector<notice_sink_actor> notice_sinks;
  std::vector<interest_report> reports;
};

inline ws_feed_actor spawn_fake_feed(caf::actor_system& sys, std::shared_ptr<feed_record> rec) {
  return sys.spawn([rec]() -> ws_feed_actor::behavior_type {
    return {
        [rec](const subscribe_request& r, market_sink_actor sink) -> caf::result<subscription> {
          rec->asked.push_back(r);
          if (rec->used >= rec->cap)
            return make_kis_error(errc::ws_cap_reached, "OPSP0008", 0, "MAX SUBSCRIBE OVER");
          ++rec->used;
          rec->trades.push_back(r);
          rec->sinks.push_back(sink);
          return subscription{r.channel, r.key, 1, rec->used, rec->cap};
        },
        [rec](const subscribe_request& r, notice_sink_actor sink) -> caf::result<subscription> {
          rec->notices.push_back(r);
          rec->notice_sinks.push_back(sink);
          return subscription{r.channel, r.key, 1, rec->used, rec->cap};
        },
        [](caf::unsubscribe_atom, const subscribe_request&, const market_sink_actor&) {},
        [rec](const interest_report& r) { rec->reports.push_back(r); },
        [rec](status_atom) {
          return feed_status{true, rec->used, rec->cap};
        },
    };
  });
}

struct strategy_record {
  std::vector<market_event> events;
  std::vector<order_update> updates;
  std::vector<session_change> sessions;
};

inline strategy_actor spawn_fake_strategy(caf::actor_system& sys,
                                          std::shared_ptr<strategy_record> rec) {
  return sys.spawn([rec]() -> strategy_actor::behavior_type {
    return {
        [rec](const market_event& ev) { rec->events.push_back(ev); },
        [rec](const order_update& up) { rec->updates.push_back(up); },
        [rec](const session_change& c) { rec->sessions.push_back(c); },
        [](status_atom) { return std::vector<metric_point>{}; },
        [](calendar_atom) {},
        [](publish_atom) {},
    };
  });
}

} // namespace kis::test
