#include "sim/universe.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "messages/orders.hpp"
#include "sim/rng.hpp"

namespace kis::sim {

namespace {

// Real codes and names of large caps; prices and share counts are round figures of the
// 2025-2026 range (plausible, not a quote). Ordered roughly by how much they trade.
struct large_cap {
  std::string_view code;
  std::string_view name;
  listing market;
  std::string_view sector;
  std::int64_t price;
  std::int64_t shares_m; // millions
  std::int64_t par;
};

constexpr auto K = listing::kospi;
constexpr auto Q = listing::kosdaq;

constexpr large_cap large_caps[] = {
    {"005930", "삼성전자", K, "전기·전자", 70'000, 5'920, 100},
    {"000660", "SK하이닉스", K, "전기·전자", 200'000, 728, 5'000},
    {"005380", "현대차", K, "운수장비", 210'000, 205, 5'000},
    {"035420", "NAVER", K, "서비스업", 200'000, 158, 100},
    {"000270", "기아", K, "운수장비", 95'000, 393, 5'000},
    {"068270", "셀트리온", K, "의약품", 170'000, 217, 1'000},
    {"105560", "KB금융", K, "금융업", 80'000, 393, 5'000},
    {"055550", "신한지주", K, "금융업", 50'000, 509, 5'000},
    {"035720", "카카오", K, "서비스업", 40'000, 442, 100},
    {"012330", "현대모비스", K, "운수장비", 250'000, 93, 5'000},
    {"005490", "POSCO홀딩스", K, "철강금속", 300'000, 85, 5'000},
    {"066570", "LG전자", K, "전기·전자", 75'000, 164, 5'000},
    {"028260", "삼성물산", K, "유통업", 130'000, 170, 100},
    {"051910", "LG화학", K, "화학", 250'000, 71, 5'000},
    {"006400", "삼성SDI", K, "전기·전자", 250'000, 69, 5'000},
    {"373220", "LG에너지솔루션", K, "전기·전자", 350'000, 234, 500},
    {"086790", "하나금융지주", K, "금융업", 60'000, 290, 5'000},
    {"015760", "한국전력", K, "전기가스업", 25'000, 642, 5'000},
    {"017670", "SK텔레콤", K, "통신업", 55'000, 215, 100},
    {"030200", "KT", K, "통신업", 45'000, 250, 5'000},
    {"034020", "두산에너빌리티", K, "기계", 40'000, 640, 5'000},
    {"010140", "삼성중공업", K, "운수장비", 14'000, 880, 1'000},
    {"011200", "HMM", K, "운수창고", 20'000, 1'025, 5'000},
    {"042660", "한화오션", K, "운수장비", 70'000, 306, 5'000},
    {"034220", "LG디스플레이", K, "전기·전자", 10'000, 500, 5'000},
    {"316140", "우리금융지주", K, "금융업", 18'000, 743, 5'000},
    {"024110", "기업은행", K, "은행", 15'000, 797, 5'000},
    {"003490", "대한항공", K, "운수창고", 22'000, 368, 5'000},
    {"009150", "삼성전기", K, "전기·전자", 130'000, 75, 5'000},
    {"018260", "삼성에스디에스", K, "서비스업", 140'000, 77, 500},
    {"032830", "삼성생명", K, "보험", 90'000, 200, 500},
    {"096770", "SK이노베이션", K, "화학", 100'000, 150, 5'000},
    {"003550", "LG", K, "서비스업", 70'000, 157, 5'000},
    {"034730", "SK", K, "서비스업", 150'000, 73, 200},
    {"033780", "KT&G", K, "음식료품", 110'000, 126, 5'000},
    {"047050", "포스코인터내셔널", K, "유통업", 50'000, 176, 5'000},
    {"003670", "포스코퓨처엠", K, "비금속광물", 150'000, 77, 500},
    {"005935", "삼성전자우", K, "전기·전자", 57'000, 823, 100},
    {"138040", "메리츠금융지주", K, "금융업", 110'000, 190, 100},
    {"323410", "카카오뱅크", K, "은행", 25'000, 477, 5'000},
    {"377300", "카카오페이", K, "서비스업", 30'000, 134, 500},
    {"010950", "S-Oil", K, "화학", 55'000, 112, 2'500},
    {"251270", "넷마블", K, "서비스업", 45'000, 86, 100},
    {"086280", "현대글로비스", K, "운수창고", 120'000, 75, 500},
    {"004020", "현대제철", K, "철강금속", 25'000, 133, 5'000},
    {"161390", "한국타이어앤테크놀로지", K, "화학", 40'000, 123, 500},
    {"021240", "코웨이", K, "기타제조업", 70'000, 73, 500},
    {"000100", "유한양행", K, "의약품", 100'000, 80, 1'000},
    {"326030", "SK바이오팜", K, "의약품", 90'000, 78, 500},
    {"011170", "롯데케미칼", K, "화학", 70'000, 42, 5'000},
    {"090430", "아모레퍼시픽", K, "화학", 120'000, 58, 500},
    {"271560", "오리온", K, "음식료품", 100'000, 40, 500},
    {"036570", "엔씨소프트", K, "서비스업", 180'000, 21, 500},
    {"011070", "LG이노텍", K, "전기·전자", 150'000, 24, 5'000},
    {"402340", "SK스퀘어", K, "서비스업", 100'000, 133, 100},
    {"009540", "HD한국조선해양", K, "운수장비", 250'000, 71, 5'000},
    {"329180", "HD현대중공업", K, "운수장비", 350'000, 89, 5'000},
    {"267260", "HD현대일렉트릭", K, "전기·전자", 350'000, 36, 5'000},
    {"259960", "크래프톤", K, "서비스업", 350'000, 48, 100},
    {"352820", "하이브", K, "서비스업", 250'000, 42, 500},
    {"000810", "삼성화재", K, "보험", 380'000, 47, 500},
    {"097950", "CJ제일제당", K, "음식료품", 250'000, 15, 5'000},
    {"012450", "한화에어로스페이스", K, "운수장비", 700'000, 51, 5'000},
    {"010130", "고려아연", K, "철강금속", 800'000, 21, 5'000},
    {"207940", "삼성바이오로직스", K, "의약품", 1'000'000, 71, 2'500},
    {"247540", "에코프로비엠", Q, "일반전기전자", 150'000, 98, 500},
    {"086520", "에코프로", Q, "일반전기전자", 80'000, 133, 500},
    {"196170", "알테오젠", Q, "제약", 350'000, 53, 500},
    {"028300", "HLB", Q, "제약", 70'000, 131, 500},
    {"293490", "카카오게임즈", Q, "디지털컨텐츠", 16'000, 83, 100},
    {"263750", "펄어비스", Q, "디지털컨텐츠", 35'000, 64, 100},
    {"035900", "JYP Ent.", Q, "오락·문화", 60'000, 36, 500},
    {"041510", "에스엠", Q, "오락·문화", 90'000, 24, 500},
    {"066970", "엘앤에프", Q, "화학", 70'000, 36, 500},
    {"403870", "HPSP", Q, "반도체", 30'000, 83, 100},
    {"240810", "원익IPS", Q, "반도체", 30'000, 49, 500},
    {"036930", "주성엔지니어링", Q, "반도체", 30'000, 48, 500},
    {"112040", "위메이드", Q, "디지털컨텐츠", 30'000, 34, 100},
    {"095340", "ISC", Q, "반도체", 60'000, 21, 500},
    {"214150", "클래시스", Q, "의료·정밀기기", 50'000, 65, 100},
    {"068760", "셀트리온제약", Q, "제약", 60'000, 45, 500},
    {"253450", "스튜디오드래곤", Q, "방송서비스", 40'000, 30, 500},
    {"277810", "레인보우로보틱스", Q, "기계·장비", 200'000, 19, 500},
    {"039030", "이오테크닉스", Q, "반도체", 150'000, 12, 500},
    {"058470", "리노공업", Q, "반도체", 200'000, 15, 500},
    {"145020", "휴젤", Q, "제약", 300'000, 12, 500},
    {"357780", "솔브레인", Q, "화학", 200'000, 8, 500},
};

constexpr std::string_view kospi_sectors[] = {
    "전기·전자", "화학",   "운수장비", "의약품",   "기계",       "철강금속", "음식료품",
    "유통업",    "건설업", "서비스업", "섬유의복", "비금속광물", "종이목재", "금융업"};
constexpr std::string_view kosdaq_sectors[] = {
    "반도체",        "제약", "소프트웨어", "디지털컨텐츠", "일반전기전자", "기계·장비",
    "의료·정밀기기", "화학", "IT부품",     "통신장비",     "오락·문화",    "금속",
    "운송장비·부품", "건설", "유통",       "음식료·담배"};

std::int64_t on_grid(double price) {
  auto p = std::max<std::int64_t>(1, static_cast<std::int64_t>(price));
  return p / krx_tick_size(p) * krx_tick_size(p);
}

// How often a name trades follows its size: about half a percent of the market cap changes
// hands a day (93,600 steps of 250 ms in a 6.5-hour session), a trade being about three lots.
double trade_share_for(std::int64_t price, std::int64_t shares, std::int64_t lot) {
  const double cap = static_cast<double>(price) * static_cast<double>(shares);
  const double per_step = 0.005 * cap / 93'600.0;
  const double per_trade = 3.0 * static_cast<double>(lot * price);
  return std::clamp(per_step / per_trade, 0.02, 1.0);
}

std::int64_t lot_for(std::int64_t price, double krw) {
  return std::max<std::int64_t>(1, static_cast<std::int64_t>(krw / static_cast<double>(price)));
}

// Earnings and book value from a PER and a PBR drawn around the market's medians; a quarter
// of the small names lose money.
void fundamentals(instrument& in, rng& g, bool small) {
  const double per = std::exp(std::log(15.0) + 0.6 * g.normal());
  const double pbr = std::exp(0.8 * g.normal());
  in.eps = static_cast<std::int64_t>(static_cast<double>(in.base_price) / per);
  if (small && g.unit() < 0.25)
    in.eps = -in.eps / 3;
  in.bps = static_cast<std::int64_t>(static_cast<double>(in.base_price) / pbr);
}

std::int32_t listing_date(rng& g, listing m) {
  const int first = m == listing::kospi ? 1975 : 1996;
  const int year = first + static_cast<int>(g.below(static_cast<std::uint64_t>(2025 - first)));
  return year * 10'000 + static_cast<int>(1 + g.below(12)) * 100 +
         static_cast<int>(1 + g.below(28));
}

instrument from_table(const large_cap& c) {
  instrument in;
  in.symbol = std::string{c.code};
  in.name = std::string{c.name};
  in.market = c.market;
  in.sector = std::string{c.sector};
  in.nxt = true;
  in.base_price = on_grid(static_cast<double>(c.price));
  in.shares = c.shares_m * 1'000'000;
  in.par_value = c.par;
  in.trade_share = 1.0;
  in.lot = lot_for(in.base_price, 5'000'000.0);
  rng g{fnv1a(c.code) ^ 0x1a49ecull};
  fundamentals(in, g, false);
  in.listed_on = listing_date(g, c.market);
  in.foreign_pct = 15.0 + 40.0 * g.unit();
  in.kospi200 = c.market == listing::kospi;
  return in;
}

// A synthetic listing from its own stream: log-normal price and share count around the
// market's medians (KOSPI names larger than KOSDAQ ones).
instrument synthetic(std::string symbol, listing m, std::uint64_t stream) {
  rng g{stream};
  const bool kospi = m == listing::kospi;
  instrument in;
  in.market = m;
  in.name = "모의종목" + symbol;
  in.symbol = std::move(symbol);
  const auto& sectors = kospi ? kospi_sectors : kosdaq_sectors;
  const auto count = kospi ? std::size(kospi_sectors) : std::size(kosdaq_sectors);
  in.sector = std::string{(&sectors[0])[g.below(count)]};
  const double price = std::exp(std::log(kospi ? 8'000.0 : 5'000.0) + 1.0 * g.normal());
  in.base_price = on_grid(std::clamp(price, 200.0, 800'000.0));
  const double shares = std::exp(std::log(kospi ? 40e6 : 20e6) + (kospi ? 1.1 : 0.9) * g.normal());
  in.shares = static_cast<std::int64_t>(std::clamp(shares, 1e6, 3e9));
  in.par_value = g.below(3) == 0 ? 100 : g.below(2) == 0 ? 500 : 5'000;
  in.lot = lot_for(in.base_price, 500'000.0);
  in.trade_share = trade_share_for(in.base_price, in.shares, in.lot);
  fundamentals(in, g, true);
  in.listed_on = listing_date(g, m);
  in.foreign_pct = 0.5 + 14.5 * g.unit() * g.unit();
  return in;
}

std::vector<instrument> build() {
  std::vector<instrument> out;
  std::size_t kospi = 0, kosdaq = 0;
  for (const auto& c : large_caps) {
    out.push_back(from_table(c));
    ++(c.market == listing::kospi ? kospi : kosdaq);
  }
  // About 950 KOSPI and 1,750 KOSDAQ listings in all. Synthetic codes live in ranges real
  // common stocks do not use (81xxx0 KOSPI, 91xxx0 KOSDAQ), so they never shadow a real name.
  std::vector<instrument> rest;
  for (std::size_t i = 0; kospi + i < 950; ++i)
    rest.push_back(synthetic(std::to_string(810'000 + 10 * i), listing::kospi, 0x5eed0000ull + i));
  for (std::size_t i = 0; kosdaq + i < universe_size - 950; ++i)
    rest.push_back(synthetic(std::to_string(910'000 + 10 * i), listing::kosdaq, 0x5eed9000ull + i));
  auto cap = [](const instrument& in) { return in.base_price * in.shares; };
  std::stable_sort(rest.begin(), rest.end(),
                   [&](const instrument& a, const instrument& b) { return cap(a) > cap(b); });
  // Nextrade lists the large and liquid part of the market.
  for (auto& in : rest) {
    in.nxt = out.size() < nxt_eligible;
    out.push_back(std::move(in));
  }
  return out;
}

} // namespace

const std::vector<instrument>& universe() {
  static const std::vector<instrument> all = build();
  return all;
}

instrument instrument_for(std::string_view symbol) {
  static const auto index = [] {
    std::unordered_map<std::string_view, std::size_t> m;
    const auto& all = universe();
    for (std::size_t i = 0; i < all.size(); ++i)
      m.emplace(all[i].symbol, i);
    return m;
  }();
  if (auto it = index.find(symbol); it != index.end())
    return universe()[it->second];
  // A code the universe does not list trades on every step, as a test that names it expects.
  auto in = synthetic(std::string{symbol}, listing::kosdaq, fnv1a(symbol));
  in.trade_share = 1.0;
  return in;
}

std::vector<std::string> default_universe() {
  std::vector<std::string> out;
  out.reserve(universe().size());
  for (const auto& in : universe())
    out.push_back(in.symbol);
  return out;
}

} // namespace kis::sim
