// The simulator's listed instruments: the real codes, names and plausible prices of the large
// caps of KOSPI and KOSDAQ, then synthetic six-digit codes up to the size of the whole market
// (about 2,700 codes: ~950 KOSPI, ~1,750 KOSDAQ), with prices, share counts and liquidity spread
// as in the real market, and an NXT flag on about 800 of them. Plain data, no state.
//
// The universe does not depend on the market seed: the same codes in the same order, liquid
// large caps first, so that "the first N symbols" is a stable, tradable choice.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kis::sim {

enum class listing : std::uint8_t { kospi, kosdaq };

// What does not move during the session.
struct instrument {
  std::string symbol;
  std::string name;
  listing market = listing::kospi;
  std::string sector;          // bstp_kor_isnm
  bool nxt = false;            // traded on Nextrade too (cptt_trad_tr_psbl_yn)
  std::int64_t base_price = 0; // previous close, on the KRX grid
  std::int64_t shares = 0;     // listed shares
  std::int64_t par_value = 0;  // stck_fcam, KRW
  std::int64_t eps = 0;
  std::int64_t bps = 0;
  double trade_share = 1.0;   // share of market steps that print a trade, (0, 1]
  std::int64_t lot = 1;       // a typical trade size in shares (a trade is a few lots)
  std::int32_t listed_on = 0; // YYYYMMDD
  double foreign_pct = 0;     // foreign holding, % of the listed shares (hts_frgn_ehrt)
  bool kospi200 = false;
};

inline constexpr std::size_t universe_size = 2'700;
inline constexpr std::size_t nxt_eligible = 800;

// The whole market, liquid large caps first, then synthetic codes by market cap (descending).
const std::vector<instrument>& universe();

// The instrument for a code: the universe's entry, or a synthetic one derived from the code
// alone (a test may trade any six-digit code it likes).
instrument instrument_for(std::string_view symbol);

// The codes of universe(), in order.
std::vector<std::string> default_universe();

} // namespace kis::sim
