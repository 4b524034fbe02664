// Daily bars for `kis-engine backtest --bars D`: fetched once through the engine's own budgeted
// path (rate governor, token keeper, REST gateway; the embedded simulator in sim mode, KIS in
// paper and live) and cached on disk, then turned into what replay eats: trade frames at
// session times (open, the day's first extreme, the other, close) and the chart answers the
// analyzers ask for their history. The strategies see the same events as live, one bar a day.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kis/endpoints.hpp"
#include "kis/recording_format.hpp"
#include "kis/result.hpp"
#include "messages/market.hpp"
#include "runtime/config.hpp"

namespace kis::runtime {

using bar_series = std::map<std::string, std::vector<daily_bar>>; // symbol -> oldest first

struct bar_request {
  std::vector<std::string> symbols;
  std::int32_t from = 0, to = 0; // KST dates, inclusive: the backtest's days
  std::int32_t history_days = 0; // trading days before `from` the strategies get as history
};

struct bar_fetch {
  bar_series bars;
  api::environment env = api::environment::real;
  std::size_t from_cache = 0; // symbols read from the cache
  std::size_t fetched = 0;    // symbols fetched through the gateway
  std::uint64_t calls = 0;    // REST calls the governor granted for them
};

// Reads each symbol's bars from <data_dir>/bars, fetching the missing ones (cfg.mode decides
// from where). refresh: fetch even when cached.
api::result<bar_fetch> load_bars(const engine_config& cfg, const bar_request& req, bool refresh,
                                 std::ostream* progress);

// The cache file of one symbol's bars, and its reading and writing (CSV, oldest first).
std::filesystem::path bar_cache_file(const engine_config& cfg, const std::string& symbol,
                                     const bar_request& req);
bool write_bar_cache(const std::filesystem::path& file, const std::vector<daily_bar>& bars);
std::optional<std::vector<daily_bar>> read_bar_cache(const std::filesystem::path& file,
                                                     const std::string& symbol);

// The bars of [from, to] as H0STCNT0 frames at KST session times, in time order.
std::vector<rec::record> bar_records(const bar_series& bars, std::int32_t from, std::int32_t to);

// Answers to the analyzers' inquire-daily-itemchartprice requests from the bars before the
// virtual day, in KIS's shape (newest first, at most 100 rows a page).
class bar_answers {
public:
  explicit bar_answers(std::shared_ptr<const bar_series> bars);
  const rec::record* answer(const std::string& key, std::int64_t now_ns);

private:
  std::shared_ptr<const bar_series> bars_;
  std::map<std::string, rec::record> made_; // keeps the answers alive for the venue
};

} // namespace kis::runtime
