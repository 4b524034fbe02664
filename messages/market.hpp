// Market data values: what KIS tells us about prices, as plain integers (KRW, shares).
// Times are nanoseconds since the Unix epoch (UTC); KIS sends KST wall-clock, and the
// codecs in kis/ convert explicitly.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

namespace kis {

// KIS sign codes (prdy_vrss_sign): 1 upper limit, 2 up, 3 flat, 4 lower limit, 5 down.
enum class price_sign : std::uint8_t {
  none = 0,
  upper_limit = 1,
  up = 2,
  flat = 3,
  lower_limit = 4,
  down = 5
};

// Whose prices: KRX's (quotes FID_COND_MRKT_DIV_CODE J, real-time H0ST...), Nextrade's (NX,
// H0NX...) or both venues combined (UN, H0UN...). Never mix them in one cache or series.
enum class market_code : std::uint8_t { krx = 0, nxt = 1, combined = 2 };

constexpr const char* to_cstr(market_code m) noexcept {
  switch (m) {
  case market_code::krx:
    return "krx";
  case market_code::nxt:
    return "nxt";
  case market_code::combined:
    return "combined";
  }
  return "unknown";
}

// A REST snapshot of one symbol (inquire-price).
struct quote {
  std::string symbol;
  std::int64_t price = 0;
  std::int64_t change = 0; // signed, versus the previous close
  price_sign sign = price_sign::none;
  double change_pct = 0;
  std::int64_t open = 0;
  std::int64_t high = 0;
  std::int64_t low = 0;
  std::int64_t upper_limit = 0;
  std::int64_t lower_limit = 0;
  std::int64_t base_price = 0; // previous close used for the limits
  std::int64_t volume = 0;     // accumulated shares today
  std::int64_t turnover = 0;   // accumulated KRW today
  std::int64_t tick_size = 0;  // aspr_unit
  bool halted = false;
  std::int64_t received_ns = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, quote& x) {
  return f(caf::meta::type_name("quote"), x.symbol, x.price, x.change, x.sign, x.change_pct, x.open,
           x.high, x.low, x.upper_limit, x.lower_limit, x.base_price, x.volume, x.turnover,
           x.tick_size, x.halted, x.received_ns);
}

// One day (or week/month) of history; date as YYYYMMDD in KST.
struct daily_bar {
  std::string symbol;
  std::int32_t date = 0;
  std::int64_t open = 0;
  std::int64_t high = 0;
  std::int64_t low = 0;
  std::int64_t close = 0;
  std::int64_t volume = 0;
  std::int64_t turnover = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, daily_bar& x) {
  return f(caf::meta::type_name("daily_bar"), x.symbol, x.date, x.open, x.high, x.low, x.close,
           x.volume, x.turnover);
}

// Which side started a trade (H0STCNT0 CCLD_DVSN): 1 buy, 5 sell, 3 pre-open.
enum class aggressor : std::uint8_t { unknown = 0, buy = 1, auction = 3, sell = 5 };

// One real-time trade (H0STCNT0).
struct trade_tick {
  std::string symbol;
  std::int64_t exchange_ns = 0; // trade time, from BSOP_DATE + STCK_CNTG_HOUR (KST)
  std::int64_t price = 0;
  std::int64_t change = 0;
  price_sign sign = price_sign::none;
  std::int64_t qty = 0;        // CNTG_VOL
  std::int64_t acc_volume = 0; // ACML_VOL
  std::int64_t acc_turnover = 0;
  std::int64_t vwap = 0;
  std::int64_t open = 0;
  std::int64_t high = 0;
  std::int64_t low = 0;
  std::int64_t ask1 = 0;
  std::int64_t bid1 = 0;
  aggressor side = aggressor::unknown;
  std::string session; // NEW_MKOP_CLS_CODE, two characters
  bool halted = false;
  std::int64_t received_ns = 0;          // local receive time, for latency
  market_code market = market_code::krx; // H0STCNT0 krx, H0NXCNT0 nxt, H0UNCNT0 combined
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, trade_tick& x) {
  return f(caf::meta::type_name("trade_tick"), x.symbol, x.exchange_ns, x.price, x.change, x.sign,
           x.qty, x.acc_volume, x.acc_turnover, x.vwap, x.open, x.high, x.low, x.ask1, x.bid1,
           x.side, x.session, x.halted, x.received_ns, x.market);
}

// One price level of an order book.
struct book_level {
  std::int64_t price = 0;
  std::int64_t qty = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, book_level& x) {
  return f(caf::meta::type_name("book_level"), x.price, x.qty);
}

// Ten levels a side (H0STASP0; H0NXASP0 and H0UNASP0 for Nextrade and both venues combined).
struct order_book {
  std::string symbol;
  std::int64_t exchange_ns = 0;
  std::string hour_class; // HOUR_CLS_CODE: "0" regular; expected-* fields only count otherwise
  std::vector<book_level> asks; // best first
  std::vector<book_level> bids; // best first
  std::int64_t total_ask_qty = 0;
  std::int64_t total_bid_qty = 0;
  std::int64_t expected_price = 0; // ANTC_CNPR, meaningful only in auctions
  std::int64_t expected_qty = 0;
  std::int64_t acc_volume = 0;
  std::int64_t received_ns = 0;
  market_code market = market_code::krx;
  std::int64_t krx_mid_price = 0; // KMID_PRC (62- and 65-field records), 0 when absent
  std::int64_t nxt_mid_price = 0; // NMID_PRC (65-field records: H0NXASP0, H0UNASP0)
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, order_book& x) {
  return f(caf::meta::type_name("order_book"), x.symbol, x.exchange_ns, x.hour_class, x.asks,
           x.bids, x.total_ask_qty, x.total_bid_qty, x.expected_price, x.expected_qty, x.acc_volume,
           x.received_ns, x.market, x.krx_mid_price, x.nxt_mid_price);
}

// What the engine keeps of search-stock-info (CTPF1002R): where a symbol trades. Fetched once
// a day per symbol (KIS has no bulk NXT list).
struct stock_info {
  std::string symbol;
  std::string name;          // prdt_abrv_name
  std::string market_id;     // mket_id_cd: STK (KOSPI), KSQ (KOSDAQ), KNX (KONEX), ...
  bool nxt_eligible = false; // cptt_trad_tr_psbl_yn: Nextrade trades it
  bool nxt_halted = false;   // nxt_tr_stop_yn
  bool krx_halted = false;   // tr_stop_yn
  std::int32_t as_of = 0;    // KST date (YYYYMMDD) it was fetched on; the caller stamps it
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stock_info& x) {
  return f(caf::meta::type_name("stock_info"), x.symbol, x.name, x.market_id, x.nxt_eligible,
           x.nxt_halted, x.krx_halted, x.as_of);
}

// One day of chk-holiday (CTCA0903R). open (opnd_yn) is the one that says whether orders can
// be sent; trading_day (tr_day_yn) is Y on Saturdays too.
struct market_day {
  std::int32_t date = 0;       // bass_dt, YYYYMMDD
  std::uint8_t weekday = 0;    // wday_dvsn_cd: 1 Sunday .. 7 Saturday
  bool business_day = false;   // bzdy_yn
  bool trading_day = false;    // tr_day_yn
  bool open = false;           // opnd_yn
  bool settlement_day = false; // sttl_day_yn
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, market_day& x) {
  return f(caf::meta::type_name("market_day"), x.date, x.weekday, x.business_day, x.trading_day,
           x.open, x.settlement_day);
}

// What an analyzer tells the order executor about a symbol, conflated (the newest per symbol,
// a few times a second at most): the executor's market view, so a covered order needs no
// quote call. q.price is the last trade; limits are derived from the base price when the
// source (a WebSocket trade) does not carry them. valid_for_ns: how long the price may stand
// for the market (longer for a symbol polled every 20 s than for one on the WebSocket).
struct price_update {
  quote q;
  std::int64_t bid = 0;
  std::int64_t ask = 0;
  std::int64_t valid_for_ns = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, price_update& x) {
  return f(caf::meta::type_name("price_update"), x.q, x.bid, x.ask, x.valid_for_ns);
}

} // namespace kis
