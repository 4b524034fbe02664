#include "actors/trading/analyzer.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <numeric>
#include <optional>

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/observability/instrumentation.hpp"
#include "actors/observability/measured.hpp"
#include "kis/kst.hpp"
#include "kis/venues.hpp"
#include "messages/errors.hpp"

namespace kis {
namespace {

using steady_time = caf::actor_clock::time_point;
using std::chrono::milliseconds;

constexpr std::int64_t ns_per_s = 1'000'000'000;
constexpr std::int64_t kst_offset_ns = 9 * 3600 * ns_per_s;

enum class source : std::uint8_t { pending, ws, poll };

struct symbol_state {
  source src = source::pending;
  std::vector<strategy_actor> followers;
  // polling
  bool poll_outstanding = false;
  steady_time next_poll{};
  milliseconds interval{0};
  std::int64_t last_acc_volume = 0;
  // activity since the last interest report (the feed's slot ranking)
  double turnover = 0;
  std::int64_t window_high = 0, window_low = 0;
  // bars and indicators
  bar cur;
  bool has_bar = false;
  std::deque<std::int64_t> closes; // the last sma_slow closes
  indicators ind;
  std::int64_t day = -1;
  double pv_sum = 0;
  std::int64_t last_price = 0, bid = 0, ask = 0;
  quote last_quote; // what the executor's market view gets, conflated
  bool price_dirty = false;
  std::int64_t price_sent_ns = 0; // when the executor last got this symbol's price (clock_)
  std::vector<bar> history;
  bool history_asked = false;
  bool history_loaded = false;
  steady_time history_retry{};  // when a failed history call is asked again ({}: none due)
  bool history_at_wake = false; // followed while the market was closed: asked at the wake-up
};

double mean_of_last(const std::deque<std::int64_t>& xs, std::size_t n) {
  if (n == 0 || xs.size() < n)
    return 0;
  auto first = xs.end() - static_cast<std::ptrdiff_t>(n);
  return std::accumulate(first, xs.end(), 0.0) / static_cast<double>(n);
}

// The logic needs only the typed interface of its actor, not the actor's state type.
using analyzer_self = measured<analyzer_actor::base>*;

// The analyzer's logic; the actor's state owns it (built from the config and the handles).
class analyzer final {
public:
  analyzer(analyzer_self self, analyzer_config cfg, market_data_actor gateway, ws_feed_actor feed)
      : self_(self)
      , cfg_(std::move(cfg))
      , gateway_(std::move(gateway))
      , feed_(std::move(feed))
      , clock_(cfg_.clock ? cfg_.clock : default_wall_clock()) {}

  analyzer_actor::behavior_type make_behavior() {
    self_->measure_with(rec_);
    // One instance per group of symbols: the sample carries the analyzer's own name.
    rec_.rename(cfg_.name);
    rec_.on_publish([this](actor_sample& s) {
      auto ms = metrics();
      s.values.insert(s.values.end(), ms.begin(), ms.end());
    });
    rec_.publish_when_idle(); // between slow polls the analyzer is quiet
    for (const auto& sym : cfg_.symbols) {
      symbols_[sym].interval = cfg_.poll_interval;
      subscribe(sym);
    }
    if (feed_ && cfg_.interest_interval.count() > 0)
      self_->delayed_send(self_, cfg_.interest_interval, interest_atom_v);
    return {
        [this](const trade_tick& t) { on_trade(t); },
        [this](const order_book& b) { on_book(b); },
        [this](slot_atom, const std::string& sym, bool on_ws) { on_slot(sym, on_ws); },
        [this](interest_atom) {
          report_interest();
          self_->delayed_send(self_, cfg_.interest_interval, interest_atom_v);
        },
        [this](follow_atom, const std::string& sym, strategy_actor st) { follow(sym, st); },
        [this](poll_atom) {
          timer_armed_ = false;
          poll_due();
        },
        [this](flush_atom) { flush_prices(); },
        [this](status_atom) { return metrics(); },
        [this](publish_atom) { rec_.publish(self_); },
    };
  }

private:
  // --- sources ------------------------------------------------------------------------------

  void subscribe(const std::string& sym) {
    if (!feed_) {
      start_polling(sym);
      return;
    }
    subscribe_request req{feed_channel::trades, sym, cfg_.ws_priority,
                          api::parse_market_div_code(market_of(sym)).value_or(market_code::krx)};
    self_->request(feed_, cfg_.request_timeout, req, caf::actor_cast<market_sink_actor>(self_))
        .then([this, sym](subscription&) { symbols_[sym].src = source::ws; },
              [this, sym](caf::error& err) {
                if (view(err).code == errc::ws_cap_reached)
                  ++cap_fallbacks_;
                start_polling(sym); // any refusal: the symbol is still watched, over REST
              });
  }

  // The feed re-ranked its slots: a symbol that got one streams (its poll loop stops at the
  // next due time), one that lost it is polled from now on.
  void on_slot(const std::string& sym, bool on_ws) {
    auto i = symbols_.find(sym);
    if (i == symbols_.end())
      return;
    if (on_ws)
      i->second.src = source::ws;
    else if (i->second.src != source::poll)
      start_polling(sym);
  }

  // What the feed ranks slots by: who is followed, turnover and price range since last time.
  void report_interest() {
    interest_report r{cfg_.name, {}};
    r.symbols.reserve(symbols_.size());
    for (auto& [sym, s] : symbols_) {
      symbol_interest i;
      i.symbol = sym;
      i.followed = !s.followers.empty();
      i.turnover = s.turnover;
      if (s.window_low > 0)
        i.range_pct = 100.0 * static_cast<double>(s.window_high - s.window_low) /
                      static_cast<double>(s.window_low);
      r.symbols.push_back(std::move(i));
      s.turnover = 0;
      s.window_high = s.window_low = s.last_price;
    }
    self_->send(feed_, std::move(r));
  }

  void start_polling(const std::string& sym) {
    auto& s = symbols_[sym];
    s.src = source::poll;
    s.next_poll = self_->clock().now();
    poll_due();
  }

  void arm(milliseconds delay) {
    if (timer_armed_)
      return;
    timer_armed_ = true;
    self_->delayed_send(self_, delay, poll_atom_v);
  }

  const std::string& market_of(const std::string& sym) const {
    auto it = cfg_.markets.find(sym);
    return it == cfg_.markets.end() ? cfg_.poll_market : it->second;
  }

  // Whether a traded venue is open now or within wake_before (always without a calendar).
  bool awake() const {
    if (!cfg_.calendar)
      return true;
    return cfg_.calendar->open_or_opening(cfg_.venues, clock_->now_ns(),
                                          std::chrono::nanoseconds{cfg_.wake_before}.count());
  }

  // Closed: no polling; the timer looks again when the wake-up comes, or after closed_check.
  void sleep_until_open() {
    ++closed_waits_;
    const auto now = clock_->now_ns();
    const auto open = cfg_.calendar->next_open(cfg_.venues, now);
    auto wait = cfg_.closed_check;
    if (open != 0) {
      const auto wake = open - std::chrono::nanoseconds{cfg_.wake_before}.count();
      wait = std::min(wait, std::chrono::ceil<milliseconds>(std::chrono::nanoseconds{wake - now}));
    }
    arm(std::max(wait, milliseconds{1}));
  }

  void poll_due() {
    if (!awake())
      return sleep_until_open();
    auto now = self_->clock().now();
    std::optional<steady_time> next;
    for (auto& [sym, s] : symbols_) {
      if (std::exchange(s.history_at_wake, false))
        load_history(sym);
      if (s.history_retry != steady_time{}) {
        if (s.history_retry <= now) {
          s.history_retry = {};
          load_history(sym);
        } else {
          next = next ? std::min(*next, s.history_retry) : s.history_retry;
        }
      }
      if (s.src != source::poll || s.poll_outstanding)
        continue;
      if (s.next_poll <= now)
        poll(sym, s);
      else
        next = next ? std::min(*next, s.next_poll) : s.next_poll;
    }
    // Rounded up: a poll due in less than a millisecond must not re-arm a 0 ms timer until the
    // clock gets there (a busy loop in real time, a livelock on a virtual clock).
    if (next)
      arm(std::chrono::ceil<milliseconds>(*next - now));
  }

  void poll(const std::string& sym, symbol_state& s) {
    s.poll_outstanding = true;
    ++polls_;
    self_->request(gateway_, cfg_.poll_timeout, price_query{sym, market_of(sym), true})
        .then(
            [this, sym](quote& q) {
              auto& st = symbols_[sym];
              st.interval = cfg_.poll_interval;
              polled(sym);
              on_quote(q);
            },
            [this, sym](caf::error& err) {
              rec_.fail();
              ++poll_errors_;
              auto& st = symbols_[sym];
              if (view(err).code == errc::rate_limited || err == caf::sec::request_timeout)
                st.interval = std::min(st.interval * 2, cfg_.poll_max_interval);
              polled(sym);
            });
  }

  void polled(const std::string& sym) {
    auto& s = symbols_[sym];
    s.poll_outstanding = false;
    s.next_poll = self_->clock().now() + s.interval;
    arm(s.interval);
  }

  // Daily history is for strategies: asked for when a symbol gets its first follower, from the
  // day's cache when it is there, else with one history-class call (the lowest permit class).
  void load_history(const std::string& sym) {
    auto& s = symbols_[sym];
    if (cfg_.history_days <= 0 || s.history_asked)
      return;
    s.history_asked = true;
    if (cfg_.history_cache) {
      if (auto hit = cfg_.history_cache->find(sym); hit != cfg_.history_cache->end()) {
        ++history_cached_;
        history_arrived(sym, hit->second);
        return;
      }
    }
    if (!awake()) { // warm-up is for the wake-up: poll_due asks when the market is near
      s.history_asked = false;
      s.history_at_wake = true;
      sleep_until_open();
      return;
    }
    auto today = api::kst::date_of(clock_->now_ns());
    // history_days counts trading days: ask for enough calendar days to cover them.
    auto from = api::kst::add_days(today, -(cfg_.history_days * 7 / 5 + 10));
    ++history_calls_;
    // Its own, long timeout: history is the lowest class and at paper's 1 call/s the pages of
    // many symbols take minutes; a caller that gave up earlier would waste every call made.
    self_->request(gateway_, cfg_.history_timeout, chart_query{sym, from, today, 'D', true, "J"})
        .then(
            [this, sym, today](std::vector<daily_bar>& rows) {
              std::sort(rows.begin(), rows.end(),
                        [](const auto& a, const auto& b) { return a.date < b.date; });
              auto keep = static_cast<std::size_t>(cfg_.history_days);
              if (rows.size() > keep)
                rows.erase(rows.begin(), rows.end() - static_cast<std::ptrdiff_t>(keep));
              std::vector<bar> bars;
              for (const auto& r : rows) {
                auto start = api::kst::parse_date_time(std::to_string(r.date));
                bars.push_back(
                    bar{sym, start ? *start : 0, 86'400, r.open, r.high, r.low, r.close, r.volume});
              }
              if (cfg_.history_store)
                self_->send(cfg_.history_store, daily_history{sym, today, cfg_.history_days, bars});
              history_arrived(sym, std::move(bars));
            },
            [this, sym](caf::error&) {
              rec_.fail();
              ++history_errors_;
              auto& st = symbols_[sym];
              st.history_asked = false;
              st.history_retry = self_->clock().now() + cfg_.history_retry; // see poll_due
              poll_due();
            });
  }

  void history_arrived(const std::string& sym, std::vector<bar> bars) {
    auto& s = symbols_[sym];
    s.history = std::move(bars);
    s.history_loaded = true;
    for (const auto& f : s.followers)
      send_history(sym, f);
  }

  // --- the executor's market view ---

  // A followed symbol whose price the executor lacks (never sent, or half its validity gone)
  // goes at once, ahead of the strategy's event: a signal on it then finds the price in the
  // market view instead of costing a REST quote. Everything else is conflated per price_flush.
  void mark_price(symbol_state& s) {
    if (!cfg_.price_sink || s.last_quote.price <= 0)
      return;
    const auto now = clock_->now_ns();
    if (!s.followers.empty() &&
        (s.price_sent_ns == 0 || now - s.price_sent_ns >= price_valid_ns(s) / 2)) {
      s.price_dirty = false;
      s.price_sent_ns = now;
      self_->send(cfg_.price_sink, std::vector<price_update>{price_of(s)});
      return;
    }
    s.price_dirty = true;
    if (!flush_armed_) {
      flush_armed_ = true;
      self_->delayed_send(self_, cfg_.price_flush, flush_atom_v);
    }
  }

  std::int64_t price_valid_ns(const symbol_state& s) const {
    auto valid = s.src == source::poll ? 2 * s.interval : cfg_.ws_price_valid;
    return std::chrono::nanoseconds{valid}.count();
  }

  price_update price_of(const symbol_state& s) const {
    return price_update{s.last_quote, s.bid, s.ask, price_valid_ns(s)};
  }

  // The newest price of every symbol that moved since the last flush, in one message.
  void flush_prices() {
    flush_armed_ = false;
    std::vector<price_update> out;
    const auto now = clock_->now_ns();
    for (auto& [sym, s] : symbols_) {
      if (!s.price_dirty)
        continue;
      s.price_dirty = false;
      s.price_sent_ns = now;
      out.push_back(price_of(s));
    }
    if (!out.empty())
      self_->send(cfg_.price_sink, std::move(out));
  }

  // --- events -------------------------------------------------------------------------------

  void on_trade(const trade_tick& t) {
    auto i = symbols_.find(t.symbol);
    if (i == symbols_.end())
      return;
    ++ticks_;
    auto& s = i->second;
    auto ts = t.exchange_ns != 0 ? t.exchange_ns : t.received_ns;
    if (t.bid1 > 0)
      s.bid = t.bid1;
    if (t.ask1 > 0)
      s.ask = t.ask1;
    update(t.symbol, s, ts, t.price, t.qty, 0, 0);
    auto& q = s.last_quote;
    q.symbol = t.symbol;
    q.price = t.price;
    q.change = t.change;
    q.sign = t.sign;
    q.open = t.open;
    q.high = t.high;
    q.low = t.low;
    q.volume = t.acc_volume;
    q.halted = t.halted;
    q.received_ns = t.received_ns;
    mark_price(s);
    publish(t.symbol, s, event_kind::tick, t.price, t.qty, ts, t.received_ns);
  }

  void on_book(const order_book& b) {
    auto i = symbols_.find(b.symbol);
    if (i == symbols_.end())
      return;
    auto& s = i->second;
    s.bid = b.bids.empty() ? 0 : b.bids.front().price;
    s.ask = b.asks.empty() ? 0 : b.asks.front().price;
    auto px = s.last_price != 0 ? s.last_price : (s.bid + s.ask) / 2;
    publish(b.symbol, s, event_kind::quote, px, 0, b.exchange_ns, b.received_ns);
  }

  void on_quote(const quote& q) {
    auto i = symbols_.find(q.symbol);
    if (i == symbols_.end() || q.price <= 0)
      return;
    ++quotes_;
    auto& s = i->second;
    auto ts = clock_->now_ns();
    auto traded =
        s.last_acc_volume > 0 ? std::max<std::int64_t>(0, q.volume - s.last_acc_volume) : 0;
    s.last_acc_volume = q.volume;
    update(q.symbol, s, ts, q.price, traded, q.volume, q.turnover);
    s.last_quote = q;
    mark_price(s);
    publish(q.symbol, s, event_kind::quote, q.price, traded, ts, q.received_ns);
  }

  // Rolls the bar and the day, then folds one price in. acc_* are the day's totals when the
  // source knows them (polled quotes), else 0 and the analyzer sums itself.
  void update(const std::string& sym, symbol_state& s, std::int64_t ts, std::int64_t px,
              std::int64_t qty, std::int64_t acc_volume, std::int64_t acc_turnover) {
    auto day = (ts + kst_offset_ns) / (86'400 * ns_per_s);
    if (day != s.day) {
      if (s.has_bar)
        close_bar(sym, s);
      s.day = day;
      s.ind.day_high = s.ind.day_low = px;
      s.ind.day_volume = 0;
      s.pv_sum = 0;
    }
    auto len = std::int64_t{cfg_.bar_seconds} * ns_per_s;
    auto start = ts - ts % len;
    if (s.has_bar && start > s.cur.start_ns)
      close_bar(sym, s);
    if (!s.has_bar) {
      s.cur = bar{sym, start, cfg_.bar_seconds, px, px, px, px, 0};
      s.has_bar = true;
    }
    s.cur.high = std::max(s.cur.high, px);
    s.cur.low = std::min(s.cur.low, px);
    s.cur.close = px;
    s.cur.volume += qty;
    s.last_price = px;
    s.turnover += static_cast<double>(px) * static_cast<double>(qty);
    s.window_high = s.window_high == 0 ? px : std::max(s.window_high, px);
    s.window_low = s.window_low == 0 ? px : std::min(s.window_low, px);
    s.ind.day_high = std::max(s.ind.day_high, px);
    s.ind.day_low = std::min(s.ind.day_low, px);
    if (acc_volume > 0) {
      s.ind.day_volume = acc_volume;
      s.ind.vwap = static_cast<double>(acc_turnover) / static_cast<double>(acc_volume);
    } else if (qty > 0) {
      s.ind.day_volume += qty;
      s.pv_sum += static_cast<double>(px) * static_cast<double>(qty);
      s.ind.vwap = s.pv_sum / static_cast<double>(s.ind.day_volume);
    }
  }

  void close_bar(const std::string& sym, symbol_state& s) {
    s.has_bar = false;
    ++bars_;
    auto close = s.cur.close;
    s.closes.push_back(close);
    auto keep = static_cast<std::size_t>(std::max({cfg_.sma_slow, cfg_.sma_fast, 1}));
    while (s.closes.size() > keep)
      s.closes.pop_front();
    s.ind.sma_fast = mean_of_last(s.closes, static_cast<std::size_t>(cfg_.sma_fast));
    s.ind.sma_slow = mean_of_last(s.closes, static_cast<std::size_t>(cfg_.sma_slow));
    auto alpha = 2.0 / (static_cast<double>(std::max(cfg_.ema_period, 1)) + 1.0);
    s.ind.ema = s.ind.bars == 0 ? static_cast<double>(close)
                                : s.ind.ema + alpha * (static_cast<double>(close) - s.ind.ema);
    ++s.ind.bars;
    publish(sym, s, event_kind::bar_closed, close, s.cur.volume, s.cur.start_ns, 0);
  }

  void publish(const std::string& sym, const symbol_state& s, event_kind kind, std::int64_t px,
               std::int64_t qty, std::int64_t exchange_ns, std::int64_t received_ns) {
    if (s.followers.empty())
      return;
    market_event ev;
    ev.kind = kind;
    ev.symbol = sym;
    ev.price = px;
    ev.qty = qty;
    ev.exchange_ns = exchange_ns;
    ev.received_ns = received_ns;
    ev.last_bar = s.cur;
    ev.ind = s.ind;
    ev.bid = s.bid;
    ev.ask = s.ask;
    for (const auto& f : s.followers)
      self_->send(f, ev);
    events_ += s.followers.size();
  }

  void follow(const std::string& sym, const strategy_actor& st) {
    auto i = symbols_.find(sym);
    if (i == symbols_.end())
      return; // the spawner routes each symbol to the analyzer that owns it
    i->second.followers.push_back(st);
    if (i->second.history_loaded)
      send_history(sym, st);
    else
      load_history(sym);
  }

  void send_history(const std::string& sym, const strategy_actor& st) {
    const auto& s = symbols_[sym];
    market_event ev;
    ev.kind = event_kind::history;
    ev.symbol = sym;
    ev.history = s.history;
    if (!s.history.empty()) {
      ev.price = s.history.back().close;
      ev.last_bar = s.history.back();
    }
    self_->send(st, std::move(ev));
  }

  std::vector<metric_point> metrics() const {
    std::size_t ws = 0, polled = 0, pending = 0;
    for (const auto& [sym, s] : symbols_)
      (s.src == source::ws ? ws : s.src == source::poll ? polled : pending)++;
    auto point = [&](const char* n, metric_type t, double v, std::vector<label> extra = {}) {
      std::vector<label> l{{"analyzer", cfg_.name}};
      l.insert(l.end(), extra.begin(), extra.end());
      return metric_point{n, t, std::move(l), v};
    };
    auto d = [](auto x) { return static_cast<double>(x); };
    return {
        point(metric_names::analyzer_symbols, metric_type::gauge, d(ws), {{"source", "ws"}}),
        point(metric_names::analyzer_symbols, metric_type::gauge, d(polled), {{"source", "poll"}}),
        point(metric_names::analyzer_symbols, metric_type::gauge, d(pending),
              {{"source", "pending"}}),
        point(metric_names::analyzer_ticks_total, metric_type::counter, d(ticks_)),
        point(metric_names::analyzer_quotes_total, metric_type::counter, d(quotes_)),
        point(metric_names::analyzer_polls_total, metric_type::counter, d(polls_)),
        point(metric_names::analyzer_closed_waits_total, metric_type::counter, d(closed_waits_)),
        point(metric_names::analyzer_poll_errors_total, metric_type::counter, d(poll_errors_)),
        point(metric_names::analyzer_ws_cap_fallbacks_total, metric_type::counter,
              d(cap_fallbacks_)),
        point(metric_names::analyzer_bars_total, metric_type::counter, d(bars_)),
        point(metric_names::analyzer_events_total, metric_type::counter, d(events_)),
        point(metric_names::analyzer_history_errors_total, metric_type::counter,
              d(history_errors_)),
        point(metric_names::analyzer_history_calls_total, metric_type::counter, d(history_calls_)),
        point(metric_names::analyzer_history_cached_total, metric_type::counter,
              d(history_cached_))};
  }

  analyzer_self self_;
  analyzer_config cfg_;
  market_data_actor gateway_;
  ws_feed_actor feed_;
  std::shared_ptr<const wall_clock> clock_;
  std::map<std::string, symbol_state> symbols_;
  bool timer_armed_ = false;
  bool flush_armed_ = false;
  std::uint64_t ticks_ = 0, quotes_ = 0, polls_ = 0, poll_errors_ = 0, cap_fallbacks_ = 0;
  std::uint64_t closed_waits_ = 0;
  std::uint64_t bars_ = 0, events_ = 0, history_errors_ = 0;
  std::uint64_t history_calls_ = 0, history_cached_ = 0;
  actor_recorder rec_{"analyzer", "analyzer"};
};

struct analyzer_state {
  std::optional<analyzer> logic;
  static inline const char* name = "analyzer";
};
using analyzer_ptr = caf::stateful_actor<analyzer_state, measured<analyzer_actor::base>>*;

analyzer_actor::behavior_type analyzer_behavior(analyzer_ptr self, analyzer_config cfg,
                                                market_data_actor gateway, ws_feed_actor feed) {
  return self->state.logic.emplace(self, std::move(cfg), std::move(gateway), std::move(feed))
      .make_behavior();
}

} // namespace

analyzer_actor spawn_analyzer(caf::actor_system& sys, analyzer_config cfg,
                              market_data_actor gateway, ws_feed_actor feed) {
  return sys.spawn(analyzer_behavior, std::move(cfg), std::move(gateway), std::move(feed));
}

} // namespace kis
