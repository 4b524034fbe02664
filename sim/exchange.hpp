// The simulator's exchange: one account with cash and positions, cash orders (ORD_DVSN 00 limit,
// 01 market, 03 best and 04 top-of-book limit), revise/cancel, and matching against the
// synthetic market, on KRX, Nextrade, or either through SOR (the better price of the two; KRX
// for a symbol Nextrade does not trade). Market orders and marketable limits fill at once at
// the venue's last price while it trades; resting limits fill when a later trade on their
// venue crosses them, up to that trade's size. With the market's calendar, an order must suit
// its venue's session, and it expires when its session ends (KRX pre/after-market orders with
// their session, KRX day orders at 15:30, Nextrade orders at 20:00). Plain C++; the owner
// serialises access.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "messages/orders.hpp"
#include "sim/market.hpp"
#include "sim/tape.hpp"

namespace kis::sim {

// A business answer in KIS's words. Codes other than 40580000, APBK0952, APBK0013, APBK1943,
// APBK3013 and the paper acks (40600000 buy, 40590000 sell, 40620000 revise, 40630000 cancel)
// are the simulator's own: KIS does not publish its order-server rejection codes
// (KIS-PROTOCOL §5.2, §9.2).
struct verdict {
  bool ok = true;
  std::string msg_cd;
  std::string msg1;
};

struct order_input {
  std::string tr_id;
  std::string cano, product; // CANO, ACNT_PRDT_CD
  std::string symbol;        // PDNO
  side dir = side::buy;
  std::string kind_code; // ORD_DVSN
  std::int64_t qty = 0;
  std::int64_t price = 0;   // ORD_UNPR
  venue route = venue::krx; // EXCG_ID_DVSN_CD (blank is KRX)
};

struct revise_input {
  std::string tr_id;
  std::string cano, product;
  std::string org_no;       // KRX_FWDG_ORD_ORGNO
  std::string order_no;     // ORGN_ODNO
  std::string kind_code;    // ORD_DVSN
  bool cancel = false;      // RVSE_CNCL_DVSN_CD 02
  bool all_qty = true;      // QTY_ALL_ORD_YN
  std::int64_t qty = 0;     // with !all_qty
  std::int64_t price = 0;   // revise only
  venue route = venue::krx; // EXCG_ID_DVSN_CD (blank is KRX)
};

struct order_answer {
  verdict v;
  std::string org_no;   // KRX_FWDG_ORD_ORGNO, 5 digits
  std::string order_no; // ODNO, 10 digits zero-padded
  std::string time;     // ORD_TMD, HHMMSS KST
  std::string symbol;   // of the order (revise/cancel: of the original)
  side dir = side::buy;
};

// A page of rows plus whether more follow; `next` is the offset to send back as CTX_AREA_NK100.
template <class Row>
struct page {
  std::vector<Row> rows;
  bool more = false;
  std::size_t next = 0;
};

struct ccld_query {
  std::int32_t from = 0, to = 0;        // INQR_STRT_DT / INQR_END_DT
  std::string side_code;                // SLL_BUY_DVSN_CD: 00 all, 01 sell, 02 buy
  std::string symbol;                   // PDNO, empty = all
  std::string order_no;                 // ODNO, empty = all
  std::string ccld_code;                // CCLD_DVSN: 00 all, 01 filled, 02 unfilled
  bool oldest_first = false;            // INQR_DVSN 01
  venue_scope scope = venue_scope::krx; // EXCG_ID_DVSN_CD: KRX (also blank), NXT, SOR, ALL
};

// One order as the account queries show it: inquire-daily-ccld and inquire-psbl-rvsecncl.
struct order_view : kis::fill_record {
  std::uint8_t rctf = 0;          // 0 new, 1 revise, 2 cancel record
  std::string last_fill_time;     // HHMMSS of the last fill notice, empty before one
  venue executed_on = venue::krx; // where the order went (an SOR order: the venue it chose)
  std::int64_t expired_qty = 0;   // left when its session ended
};

// What inquire-psbl-sell reports for one symbol.
struct sellable_view {
  std::int64_t bought_today = 0, sold_today = 0;
  std::int64_t held = 0, orderable = 0;
  std::int64_t cost = 0; // purchase amount of the shares held
};

struct ccld_totals {
  std::int64_t order_qty = 0, filled_qty = 0, filled_amount = 0;
};

class exchange {
public:
  exchange(tape& m, std::string cano, std::string product, std::string hts_id, std::int64_t cash,
           bool paper);

  bool owns(std::string_view cano, std::string_view product) const noexcept;
  void set_market_closed(bool closed) noexcept { closed_ = closed; }

  order_answer place(const order_input& in);
  order_answer revise(const revise_input& in);

  // Fill resting orders against the trades printed since the last call.
  void match();

  std::int64_t deposit() const noexcept { return cash_; }
  std::int64_t orderable_cash() const;
  std::vector<kis::holding> holdings();
  kis::balance totals();
  page<kis::holding> balance_page(std::size_t offset, std::size_t size);
  kis::buyable buyable(std::string_view symbol, std::int64_t price, std::string_view kind_code);
  page<order_view> fills_page(const ccld_query& q, std::size_t offset, std::size_t size);
  // Orders with a quantity left to revise or cancel, oldest first.
  page<order_view> revisable_page(std::size_t offset, std::size_t size);
  sellable_view sellable(const std::string& symbol) const;
  ccld_totals fill_totals(const ccld_query& q) const;
  // Shares bought and sold today in one symbol; KRW bought and sold today in all.
  std::pair<std::int64_t, std::int64_t> today_qty(const std::string& symbol) const;
  std::pair<std::int64_t, std::int64_t> traded_amounts() const;
  const std::string& name_of(const std::string& symbol) const { return m_.info(symbol).name; }

  // Acks and fills as H0STCNI0 wants them.
  std::function<void(const kis::execution_notice&)> on_notice;
  std::uint64_t fills() const noexcept { return fill_count_; }

private:
  struct order {
    std::string org_no, order_no, orig_order_no;
    std::string symbol;
    side dir = side::buy;
    std::string kind_code;
    std::int64_t qty = 0, price = 0;
    std::int64_t reserve_price = 0; // what a buy holds back per share (the upper limit at market)
    std::int64_t filled = 0, filled_amount = 0, cancelled = 0, expired = 0;
    std::uint8_t rctf = 0; // 0 new, 1 revise, 2 cancel record
    std::int32_t date = 0;
    std::string time;
    std::string last_fill_time;
    venue route = venue::krx;    // as sent: KRX, NXT or SOR
    venue exec = venue::krx;     // where it rests and fills: KRX or NXT
    std::int64_t expires_ns = 0; // 0: never (no calendar)
    std::int64_t remaining() const noexcept {
      return rctf == 2 ? 0 : qty - filled - cancelled - expired;
    }
  };
  struct holding_state {
    std::int64_t qty = 0;
    std::int64_t cost = 0; // purchase amount of the shares held
    std::int64_t bought_today = 0, sold_today = 0;
  };

  verdict check_price(const std::string& symbol, std::string_view kind, std::int64_t price) const;
  verdict check_venue(const std::string& symbol, venue route) const;
  verdict check_route_kind(venue route, std::string_view kind) const;
  std::optional<verdict> session_refusal(venue where, std::string_view kind) const;
  venue choose(const std::string& symbol, venue route, side dir, std::string_view kind);
  std::int64_t working_price(const std::string& symbol, venue where, side dir,
                             std::string_view kind, std::int64_t price);
  std::int64_t expiry(venue where) const;
  void expire_due(std::int64_t now_ns);
  std::int64_t reserved_cash() const;
  std::int64_t reserved_qty(const std::string& symbol) const;
  order& add(order o);
  void fill(order& o, std::int64_t qty, std::int64_t price);
  void try_cross(order& o);
  void notify(const order& o, bool is_fill, std::int64_t qty, std::int64_t price);
  bool selected(const order& o, const ccld_query& q) const;
  order_view row(const order& o) const;
  page<order_view> page_of(const std::vector<const order*>& hits, std::size_t offset,
                           std::size_t size) const;

  tape& m_;
  std::string cano_, product_, hts_id_;
  std::int64_t cash_;
  bool paper_;
  bool closed_ = false;
  std::string branch_ = "06010"; // KRX_FWDG_ORD_ORGNO of every order
  std::uint64_t next_no_ = 1;
  std::uint64_t fill_count_ = 0;
  std::vector<order> orders_; // in order-number order
  std::map<std::string, holding_state> holdings_;
  // Market step matched so far per (symbol, venue).
  std::map<std::pair<std::string, venue>, std::int64_t> cursors_;
};

} // namespace kis::sim
