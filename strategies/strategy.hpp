// The strategy plug-in API: everything a user strategy sees. A strategy is a plain class with
// event handlers; the engine hosts each configured instance in its own actor (strategy_host),
// so a strategy never sees threads, actors or the network. Include only this header (and
// registry.hpp to register); both depend on messages/ alone.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include <caf/error.hpp>

#include "messages/orders.hpp"
#include "messages/events.hpp"
#include "messages/sessions.hpp"

namespace kis {

// A parameter as the TOML config writes it ([[strategy]] params = { fast = 5, ... }).
using param_value = std::variant<std::int64_t, double, bool, std::string>;

// The typed parameter map of one strategy instance. A strategy reads what it needs in
// on_start with get<T>(name, fallback); afterwards the host calls check(), which turns a
// wrong type or a name the strategy never asked for (a typo in the config) into a typed
// errc::config error, so a misconfigured strategy never trades on defaults silently.
class strategy_params {
public:
  strategy_params() = default;
  explicit strategy_params(std::map<std::string, param_value> values)
      : values_(values.begin(), values.end()) {}

  void set(std::string name, param_value value) { values_[std::move(name)] = std::move(value); }
  bool contains(std::string_view name) const { return values_.find(name) != values_.end(); }

  // T is one of std::int64_t, double, bool, std::string. An integer is accepted where a
  // double is asked for; anything else of the wrong type yields the fallback and a problem.
  template <class T>
  T get(std::string_view name, const T& fallback) {
    static_assert(std::is_same_v<T, std::int64_t> || std::is_same_v<T, double> ||
                      std::is_same_v<T, bool> || std::is_same_v<T, std::string>,
                  "strategy_params::get<T>: T must be int64_t, double, bool or std::string");
    read_.emplace(name);
    auto i = values_.find(name);
    if (i == values_.end())
      return fallback;
    if (auto* v = std::get_if<T>(&i->second))
      return *v;
    if constexpr (std::is_same_v<T, double>)
      if (auto* n = std::get_if<std::int64_t>(&i->second))
        return static_cast<double>(*n);
    wrong_type(name, type_name<T>());
    return fallback;
  }

  // Every problem so far plus the names nobody read; empty when all is well.
  std::vector<std::string> problems() const;

  // errc::config naming the strategy and every problem; a default error when all is well.
  caf::error check(std::string_view strategy_id) const;

private:
  template <class T>
  static constexpr std::string_view type_name() {
    if constexpr (std::is_same_v<T, std::int64_t>)
      return "an integer";
    else if constexpr (std::is_same_v<T, double>)
      return "a number";
    else if constexpr (std::is_same_v<T, bool>)
      return "a boolean";
    else
      return "a string";
  }

  void wrong_type(std::string_view name, std::string_view expected);

  std::map<std::string, param_value, std::less<>> values_;
  std::set<std::string, std::less<>> read_;
  std::vector<std::string> problems_;
};

// What the host offers a strategy. Implemented by strategy_host (and by test doubles).
class strategy_context {
public:
  virtual ~strategy_context() = default;
  // Hands a signal to the order executor. The host fills strategy_id and created_ns; the
  // outcome comes back through on_order_update (status queued/journaled..., or rejected
  // with the reason when the executor or risk refuses).
  virtual void emit(signal s) = 0;
  virtual std::int64_t now_ns() const = 0; // wall clock, UTC ns
  virtual const std::string& strategy_id() const = 0;
};

// A limit order signal; what strategy::limit_order and Python's kis.limit_order build.
inline signal make_limit_order(std::string symbol, side dir, std::int64_t qty, std::int64_t price,
                               std::string reason, std::int32_t priority = 0) {
  signal s;
  s.symbol = std::move(symbol);
  s.dir = dir;
  s.qty = qty;
  s.price = price;
  s.kind = order_kind::limit;
  s.priority = priority;
  s.reason = std::move(reason);
  return s;
}

// Base class of every strategy. Override the handlers you need; all default to no-ops.
// Handlers run one at a time (the host is an actor): no locking, ever. A handler that
// throws is caught and counted by the host; the strategy keeps receiving events.
class strategy {
public:
  virtual ~strategy() = default;

  // Read parameters here. Called once, before the first event; emit() does nothing yet.
  virtual void on_start(strategy_params& params) { static_cast<void>(params); }
  virtual void on_history(const market_event& ev) { static_cast<void>(ev); } // daily bars
  virtual void on_tick(const market_event& ev) { static_cast<void>(ev); }    // one trade
  virtual void on_quote(const market_event& ev) { static_cast<void>(ev); }   // book / polled
  virtual void on_bar(const market_event& ev) { static_cast<void>(ev); }     // bar closed
  virtual void on_order_update(const order_update& up) { static_cast<void>(up); }
  // A venue's session changed (pre-market, regular, closing auction, after-market, closed...;
  // messages/sessions.hpp). With a calendar the host first reports where each venue stands at
  // start (previous == now.phase), then every change as it happens, oldest first.
  virtual void on_session(const session_change& ev) { static_cast<void>(ev); }

  // Called by the host; a strategy does not call this.
  void bind(strategy_context* ctx) noexcept { ctx_ = ctx; }

protected:
  // Sends a signal; returns false when the strategy is not bound to a host yet.
  bool emit(signal s) {
    if (ctx_ == nullptr)
      return false;
    ctx_->emit(std::move(s));
    return true;
  }
  std::int64_t now_ns() const { return ctx_ != nullptr ? ctx_->now_ns() : 0; }
  std::string_view id() const {
    return ctx_ != nullptr ? std::string_view{ctx_->strategy_id()} : std::string_view{};
  }

  // Shorthands for the common signals (the free function below, for handlers).
  static signal limit_order(std::string symbol, side dir, std::int64_t qty, std::int64_t price,
                            std::string reason, std::int32_t priority = 0);

private:
  strategy_context* ctx_ = nullptr;
};

inline signal strategy::limit_order(std::string symbol, side dir, std::int64_t qty,
                                    std::int64_t price, std::string reason, std::int32_t priority) {
  return make_limit_order(std::move(symbol), dir, qty, price, std::move(reason), priority);
}

} // namespace kis
