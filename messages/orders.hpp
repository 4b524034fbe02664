// Orders, signals, fills and account values. Prices and amounts in KRW, quantities in shares.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

namespace kis {

enum class side : std::uint8_t { buy = 1, sell = 2 };

// The subset of ORD_DVSN codes the engine sends; the codec maps them to "00", "01", ...
enum class order_kind : std::uint8_t {
  limit = 0,       // 00 지정가
  market = 1,      // 01 시장가
  conditional = 2, // 02 조건부지정가
  best_limit = 3,  // 03 최유리지정가
  top_limit = 4,   // 04 최우선지정가
  ioc_limit = 11,  // 11
  fok_limit = 12,  // 12
  ioc_market = 13,
  fok_market = 14,
};

// The KRX price grid (tick size by price level, KOSPI and KOSDAQ alike since 2023-01-25): a
// limit price must be a multiple of it. Strategies and the executor's risk check share it.
constexpr std::int64_t krx_tick_size(std::int64_t price) noexcept {
  if (price < 2'000)
    return 1;
  if (price < 5'000)
    return 5;
  if (price < 20'000)
    return 10;
  if (price < 50'000)
    return 50;
  if (price < 200'000)
    return 100;
  if (price < 500'000)
    return 500;
  return 1'000;
}

// The daily price band of a KRX symbol from its base price (the previous close): +-30 %,
// the upper limit rounded down and the lower rounded up to the tick grid of the limit itself.
struct price_band {
  std::int64_t lower = 0;
  std::int64_t upper = 0;
};

constexpr price_band krx_price_band(std::int64_t base) noexcept {
  if (base <= 0)
    return {};
  auto up = base * 13 / 10;
  up -= up % krx_tick_size(up);
  auto lo = (base * 7 + 9) / 10;
  if (auto t = krx_tick_size(lo); lo % t != 0)
    lo += t - lo % t;
  return {lo, up};
}

// Where an order goes (EXCG_ID_DVSN_CD): KRX, Nextrade, or KIS's smart order routing.
// unset: the strategy's default, else KRX.
enum class venue : std::uint8_t { unset = 0, krx = 1, nxt = 2, sor = 3 };

constexpr const char* to_cstr(venue v) noexcept {
  switch (v) {
  case venue::unset:
    return "unset";
  case venue::krx:
    return "krx";
  case venue::nxt:
    return "nxt";
  case venue::sor:
    return "sor";
  }
  return "unknown";
}

// Where an order executed, as execution notices say it (ORD_EXG_GB): 1 KRX, 2 NXT, 3 SOR routed
// to KRX, 4 SOR routed to NXT. unknown: not said (the older 23-field notice, or a blank field).
enum class exec_venue : std::uint8_t { unknown = 0, krx = 1, nxt = 2, sor_krx = 3, sor_nxt = 4 };

// The venue an execution happened on (SOR resolved): krx or nxt; unset when unknown.
constexpr venue venue_of(exec_venue e) noexcept {
  switch (e) {
  case exec_venue::krx:
  case exec_venue::sor_krx:
    return venue::krx;
  case exec_venue::nxt:
  case exec_venue::sor_nxt:
    return venue::nxt;
  case exec_venue::unknown:
    break;
  }
  return venue::unset;
}

// Which venues inquire-daily-ccld lists (its EXCG_ID_DVSN_CD). automatic: every venue the
// environment has, ALL on real and KRX on paper (paper knows KRX only), so no fill is missed.
enum class venue_scope : std::uint8_t { automatic = 0, krx = 1, nxt = 2, sor = 3, all = 4 };

// A strategy's wish to trade. price 0 with kind market means "at market".
struct signal {
  std::string strategy_id;
  std::string symbol;
  side dir = side::buy;
  std::int64_t qty = 0;
  std::int64_t price = 0;
  order_kind kind = order_kind::limit;
  std::int32_t priority = 0; // higher first
  std::string reason;
  std::int64_t created_ns = 0;
  std::int64_t expires_ns = 0; // wall clock; not sent by then -> expired. 0: no time limit
  venue route = venue::unset;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, signal& x) {
  return f(caf::meta::type_name("signal"), x.strategy_id, x.symbol, x.dir, x.qty, x.price, x.kind,
           x.priority, x.reason, x.created_ns, x.expires_ns, x.route);
}

// What the executor answers at once for an accepted signal: the order's client id. Everything
// after that arrives as order_updates; a refusal at intake is a typed error instead.
struct signal_ack {
  std::string client_id;
  std::size_t queue_depth = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, signal_ack& x) {
  return f(caf::meta::type_name("signal_ack"), x.client_id, x.queue_depth);
}

// A cash order on the wire (order-cash). The account comes from the gateway's config.
struct order_request {
  std::string client_id; // ours, for the journal; never sent to KIS
  std::string symbol;
  side dir = side::buy;
  order_kind kind = order_kind::limit;
  std::int64_t qty = 0;
  std::int64_t price = 0;     // 0 for market-type orders
  venue route = venue::unset; // EXCG_ID_DVSN_CD; unset is sent as KRX
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, order_request& x) {
  return f(caf::meta::type_name("order_request"), x.client_id, x.symbol, x.dir, x.kind, x.qty,
           x.price, x.route);
}

enum class revise_or_cancel : std::uint8_t { revise = 1, cancel = 2 };

// order-rvsecncl: needs the original order's branch (KRX_FWDG_ORD_ORGNO) and number (ODNO).
struct revise_cancel_request {
  std::string client_id;
  std::string org_no;
  std::string order_no;
  revise_or_cancel action = revise_or_cancel::cancel;
  order_kind kind = order_kind::limit;
  std::int64_t qty = 0; // 0 with all_qty
  std::int64_t price = 0;
  bool all_qty = true;
  venue route = venue::unset; // the original order's EXCG_ID_DVSN_CD; unset is sent as KRX
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, revise_cancel_request& x) {
  return f(caf::meta::type_name("revise_cancel_request"), x.client_id, x.org_no, x.order_no,
           x.action, x.kind, x.qty, x.price, x.all_qty, x.route);
}

// KIS's answer to an accepted order: branch + order number + time (HHMMSS, KST).
struct order_ack {
  std::string client_id;
  std::string org_no;
  std::string order_no;
  std::string order_time;
  std::string msg_cd;
  std::string message;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, order_ack& x) {
  return f(caf::meta::type_name("order_ack"), x.client_id, x.org_no, x.order_no, x.order_time,
           x.msg_cd, x.message);
}

// Real-time execution notice (H0STCNI0 real / H0STCNI9 paper), decrypted.
struct execution_notice {
  std::string hts_id;
  std::string account;
  std::string order_no;
  std::string orig_order_no;
  side dir = side::buy;
  std::uint8_t revise_cancel = 0; // RCTF_CLS: 0 normal, 1 revise, 2 cancel
  std::string order_kind_code;    // ODER_KIND, the ORD_DVSN code
  std::string symbol;
  std::int64_t qty = 0; // fill qty when is_fill, else the order qty
  std::int64_t price = 0;
  std::string time; // HHMMSS KST
  bool rejected = false;
  bool is_fill = false;          // CNTG_YN 2
  std::uint8_t accept_state = 0; // ACPT_YN 1 received, 2 confirmed, 3 cancelled (IOC/FOK)
  std::string branch;
  std::int64_t order_qty = 0;
  std::string name;
  std::int64_t order_price = 0;
  std::int64_t received_ns = 0;
  exec_venue executed_on = exec_venue::unknown; // ORD_EXG_GB
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, execution_notice& x) {
  return f(caf::meta::type_name("execution_notice"), x.hts_id, x.account, x.order_no,
           x.orig_order_no, x.dir, x.revise_cancel, x.order_kind_code, x.symbol, x.qty, x.price,
           x.time, x.rejected, x.is_fill, x.accept_state, x.branch, x.order_qty, x.name,
           x.order_price, x.received_ns, x.executed_on);
}

// Lifecycle of one order as the executor tracks it.
enum class order_status : std::uint8_t {
  queued = 0,    // accepted signal, waiting in the executor's queue
  journaled = 1, // intent written, request about to leave
  sent = 2,      // KIS acknowledged with an order number
  partially_filled = 3,
  filled = 4,
  cancelled = 5,
  rejected = 6,    // refused by risk or by KIS
  unknown = 7,     // the request left and no answer came back: reconcile before anything else
  expired = 8,     // could not be sent within its time to live; never left
  unreachable = 9, // the strategy host got no answer from the executor at all
};

struct order_update {
  std::string client_id;
  std::string strategy_id;
  std::string symbol;
  side dir = side::buy;
  order_status status = order_status::queued;
  std::string order_no;
  std::int64_t qty = 0;
  std::int64_t filled_qty = 0;
  std::int64_t avg_fill_price = 0;
  std::int64_t last_fill_qty = 0;
  std::int64_t last_fill_price = 0;
  std::string reason;
  std::int64_t at_ns = 0;
  venue route = venue::unset;                   // where the order was sent
  exec_venue executed_on = exec_venue::unknown; // where the last fill happened (notices)
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, order_update& x) {
  return f(caf::meta::type_name("order_update"), x.client_id, x.strategy_id, x.symbol, x.dir,
           x.status, x.order_no, x.qty, x.filled_qty, x.avg_fill_price, x.last_fill_qty,
           x.last_fill_price, x.reason, x.at_ns, x.route, x.executed_on);
}

// The order journal's record of one order (SQLite, written by the journal actor on its own
// thread): the intent before the request leaves, then every change of state.
struct journal_entry {
  std::int64_t seq = 0;
  std::string client_id;
  std::string strategy_id;
  std::string symbol;
  side dir = side::buy;
  order_kind kind = order_kind::limit;
  std::int64_t qty = 0;
  std::int64_t price = 0;
  std::string reason;
  order_status status = order_status::journaled;
  std::string org_no;
  std::string order_no;
  std::int64_t filled_qty = 0;
  std::int64_t avg_price = 0;
  std::string message;
  std::int32_t trading_day = 0; // YYYYMMDD, KST
  std::string intent_time;      // HHMMSS, KST: the earliest ORD_TMD KIS can report for it
  std::int64_t created_ns = 0;
  std::int64_t updated_ns = 0;
  venue route = venue::krx;                     // where it was sent; revise/cancel go there too
  exec_venue executed_on = exec_venue::unknown; // where its last notice said it executed
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, journal_entry& x) {
  return f(caf::meta::type_name("journal_entry"), x.seq, x.client_id, x.strategy_id, x.symbol,
           x.dir, x.kind, x.qty, x.price, x.reason, x.status, x.org_no, x.order_no, x.filled_qty,
           x.avg_price, x.message, x.trading_day, x.intent_time, x.created_ns, x.updated_ns,
           x.route, x.executed_on);
}

struct journal_fill {
  std::string client_id;
  std::string symbol;
  side dir = side::buy;
  std::int64_t qty = 0;
  std::int64_t price = 0;
  std::int64_t at_ns = 0;
  std::string source;                           // notice | ccld
  exec_venue executed_on = exec_venue::unknown; // ORD_EXG_GB of the notice; unknown from ccld
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, journal_fill& x) {
  return f(caf::meta::type_name("journal_fill"), x.client_id, x.symbol, x.dir, x.qty, x.price,
           x.at_ns, x.source, x.executed_on);
}

// One holding from inquire-balance (output1).
struct holding {
  std::string symbol;
  std::string name;
  std::int64_t qty = 0;
  std::int64_t orderable_qty = 0;
  std::int64_t avg_price = 0; // pchs_avg_pric, rounded to KRW
  std::int64_t last_price = 0;
  std::int64_t eval_amount = 0;
  std::int64_t eval_pnl = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, holding& x) {
  return f(caf::meta::type_name("holding"), x.symbol, x.name, x.qty, x.orderable_qty, x.avg_price,
           x.last_price, x.eval_amount, x.eval_pnl);
}

// inquire-balance, all pages merged: holdings plus the totals of output2.
struct balance {
  std::vector<holding> holdings;
  std::int64_t deposit = 0;        // dnca_tot_amt
  std::int64_t total_eval = 0;     // tot_evlu_amt
  std::int64_t net_assets = 0;     // nass_amt
  std::int64_t purchase_total = 0; // pchs_amt_smtl_amt
  std::int64_t eval_pnl_total = 0; // evlu_pfls_smtl_amt
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, balance& x) {
  return f(caf::meta::type_name("balance"), x.holdings, x.deposit, x.total_eval, x.net_assets,
           x.purchase_total, x.eval_pnl_total);
}

// inquire-psbl-order: what can be bought.
struct buyable {
  std::string symbol;
  std::int64_t orderable_cash = 0;    // ord_psbl_cash
  std::int64_t max_qty_no_margin = 0; // nrcvb_buy_qty
  std::int64_t max_amount_no_margin = 0;
  std::int64_t max_qty = 0; // max_buy_qty
  std::int64_t max_amount = 0;
  std::int64_t calc_price = 0; // psbl_qty_calc_unpr
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, buyable& x) {
  return f(caf::meta::type_name("buyable"), x.symbol, x.orderable_cash, x.max_qty_no_margin,
           x.max_amount_no_margin, x.max_qty, x.max_amount, x.calc_price);
}

// One row of inquire-daily-ccld (output1).
struct fill_record {
  std::string date; // ord_dt YYYYMMDD
  std::string org_no;
  std::string order_no;
  std::string orig_order_no;
  std::string symbol;
  side dir = side::buy;
  std::string order_kind_code;
  std::int64_t order_qty = 0;
  std::int64_t order_price = 0;
  std::string order_time;
  std::int64_t filled_qty = 0;
  std::int64_t avg_price = 0;
  std::int64_t filled_amount = 0;
  bool cancelled = false;
  std::int64_t remaining_qty = 0;
  std::int64_t rejected_qty = 0;
  venue route = venue::unset; // excg_id_dvsn_cd: KRX, NXT or SOR; unset when blank or unknown
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, fill_record& x) {
  return f(caf::meta::type_name("fill_record"), x.date, x.org_no, x.order_no, x.orig_order_no,
           x.symbol, x.dir, x.order_kind_code, x.order_qty, x.order_price, x.order_time,
           x.filled_qty, x.avg_price, x.filled_amount, x.cancelled, x.remaining_qty, x.rejected_qty,
           x.route);
}

} // namespace kis

namespace kis {

// A position the executor tracks from fills.
struct position {
  std::string symbol;
  std::int64_t qty = 0;
  std::int64_t avg_price = 0;
  std::int64_t realized_pnl = 0;
  std::int64_t last_price = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, position& x) {
  return f(caf::meta::type_name("position"), x.symbol, x.qty, x.avg_price, x.realized_pnl,
           x.last_price);
}

// A named count, e.g. refusals by reason or orders by state.
struct count_by {
  std::string name;
  std::uint64_t count = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, count_by& x) {
  return f(caf::meta::type_name("count_by"), x.name, x.count);
}

// What the executor reports (and what a drain returns).
struct executor_summary {
  std::uint64_t signals = 0;
  std::uint64_t accepted = 0;
  std::vector<count_by> refused; // by reason
  std::vector<count_by> orders;  // by order_status
  std::uint64_t fills = 0;
  std::vector<position> positions;
  std::int64_t realized_pnl = 0;
  std::size_t queue_depth = 0;
  bool killed = false;
  std::string journal_path;
  std::uint64_t orders_sent = 0;           // order requests that went to the gateway
  std::uint64_t pretrade_calls = 0;        // quotes and buyable checks the executor asked for
  std::uint64_t account_disagreements = 0; // figures KIS's balance corrected in the view
  std::uint64_t strategies_lost = 0;       // strategies gone without stopping (node lost)
  std::uint64_t signals_settled = 0;       // gone strategies' waiting signals, expired unsent
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, executor_summary& x) {
  return f(caf::meta::type_name("executor_summary"), x.signals, x.accepted, x.refused, x.orders,
           x.fills, x.positions, x.realized_pnl, x.queue_depth, x.killed, x.journal_path,
           x.orders_sent, x.pretrade_calls, x.account_disagreements, x.strategies_lost,
           x.signals_settled);
}

} // namespace kis
