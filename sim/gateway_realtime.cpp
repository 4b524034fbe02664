// The simulator's gateway as the WebSocket server's source: trades and books per market (KRX,
// Nextrade, both combined) from the same market the REST side answers from.
#include <algorithm>
#include <map>

#include "sim/gateway.hpp"

namespace kis::sim {

namespace {

// Levels of one side of two books merged by price, best first, ten at most.
std::vector<kis::book_level> merged(const std::vector<kis::book_level>& a,
                                    const std::vector<kis::book_level>& b, bool asks) {
  std::map<std::int64_t, std::int64_t> by_price;
  for (const auto* side : {&a, &b})
    for (const auto& l : *side)
      if (l.price != 0)
        by_price[l.price] += l.qty;
  std::vector<kis::book_level> out;
  auto put = [&](const auto& kv) {
    if (out.size() < 10)
      out.push_back({kv.first, kv.second});
  };
  if (asks)
    std::for_each(by_price.begin(), by_price.end(), put);
  else
    std::for_each(by_price.rbegin(), by_price.rend(), put);
  out.resize(10);
  return out;
}

// The combined (UN) book: both venues' levels merged, totals added, both mid prices.
kis::order_book combined_book(const kis::order_book& krx, const kis::order_book& nxt) {
  auto b = krx;
  b.market = market_code::combined;
  b.asks = merged(krx.asks, nxt.asks, true);
  b.bids = merged(krx.bids, nxt.bids, false);
  b.total_ask_qty += nxt.total_ask_qty;
  b.total_bid_qty += nxt.total_bid_qty;
  b.acc_volume += nxt.acc_volume;
  auto mid = [](const kis::order_book& x) {
    return x.asks.empty() || x.bids.empty() || x.asks[0].price == 0 || x.bids[0].price == 0
               ? std::int64_t{0}
               : (x.asks[0].price + x.bids[0].price) / 2;
  };
  b.krx_mid_price = mid(krx);
  b.nxt_mid_price = mid(nxt);
  return b;
}

} // namespace

bool gateway::known_symbol(std::string_view symbol) const {
  return market_.known(symbol);
}

std::vector<kis::trade_tick> gateway::trades(std::string_view symbol, market_code m) {
  std::vector<kis::trade_tick> out;
  {
    std::lock_guard lock{mu_};
    if (!market_.known(symbol))
      return out;
    // One cursor per (symbol, venue) and feed: the combined feed keeps its own pair.
    auto take = [&](venue v, char key) {
      auto it = ws_cursors_.find({std::string{symbol}, key});
      if (it == ws_cursors_.end()) // a new subscriber starts with the latest print
        it = ws_cursors_.emplace(std::pair{std::string{symbol}, key}, market_.current_step() - 1)
                 .first;
      auto ticks = market_.trades_since(symbol, it->second, v);
      out.insert(out.end(), ticks.begin(), ticks.end());
    };
    if (m == market_code::krx) {
      take(venue::krx, 'K');
    } else if (m == market_code::nxt) {
      if (market_.info(symbol).nxt)
        take(venue::nxt, 'N');
    } else {
      take(venue::krx, 'U');
      if (market_.info(symbol).nxt)
        take(venue::nxt, 'V');
      std::stable_sort(out.begin(), out.end(),
                       [](const auto& a, const auto& b) { return a.exchange_ns < b.exchange_ns; });
      for (auto& t : out)
        t.market = market_code::combined;
    }
    exchange_.match();
  }
  flush();
  return out;
}

kis::order_book gateway::book(std::string_view symbol, market_code m) {
  std::lock_guard lock{mu_};
  if (!market_.known(symbol))
    return kis::order_book{};
  if (m != market_code::combined)
    return market_.book(symbol, m == market_code::nxt ? venue::nxt : venue::krx);
  return combined_book(market_.book(symbol, venue::krx), market_.book(symbol, venue::nxt));
}

} // namespace kis::sim
