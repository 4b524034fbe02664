// The order executor's view of the account: cash and holdings from a balance query at start,
// kept current from the executor's own fills, with the cash and shares its open orders have
// spoken for, and replaced by KIS's figures on every periodic refresh (each disagreement is
// counted: the view and KIS should agree). A buy the view covers with room to spare needs no
// inquire-psbl-order call; one near the limit asks KIS. Plain code.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "messages/orders.hpp"

namespace kis {

enum class coverage : std::uint8_t {
  covered,   // the view says yes with the margin to spare
  ask_kis,   // near the limit (or no view yet): inquire-psbl-order decides
  uncovered, // the view says no, by more than the margin
};

class account_view {
public:
  // margin: the share of the cash (or shares) kept as doubt; 0.1 = within 10 % of the limit,
  // KIS is asked.
  explicit account_view(double margin = 0.1)
      : margin_(margin) {}

  bool known() const noexcept { return known_; }
  // A balance from KIS: the view takes its figures; returns how many figures differed
  // (cash beyond 1 KRW, each holding's quantity).
  std::uint32_t reconcile(const balance& b);
  void seed(const balance& b) { (void)reconcile(b); }

  // An own fill moves cash and shares at once (fees are left to the next refresh).
  void fill(const std::string& symbol, side dir, std::int64_t qty, std::int64_t price);
  // Cash and shares an open order holds until it ends; release with the same figures.
  void hold(const std::string& symbol, side dir, std::int64_t qty, std::int64_t notional);
  void release(const std::string& symbol, side dir, std::int64_t qty, std::int64_t notional);

  coverage buy(std::int64_t notional) const;
  coverage sell(const std::string& symbol, std::int64_t qty) const;

  std::int64_t cash() const noexcept { return cash_; }
  std::int64_t free_cash() const noexcept { return cash_ - held_cash_; }
  std::int64_t shares(const std::string& symbol) const;
  std::uint64_t disagreements() const noexcept { return disagreements_; }

private:
  double margin_;
  bool known_ = false;
  std::int64_t cash_ = 0;
  std::int64_t held_cash_ = 0;
  std::map<std::string, std::int64_t> shares_;
  std::map<std::string, std::int64_t> held_shares_;
  std::uint64_t disagreements_ = 0;
};

} // namespace kis
