// The engine's wiring decisions that need no actor: which symbols are watched, and that asking
// for more than the market has is said, not silently capped.
#include "runtime/wiring.hpp"

#include <gtest/gtest.h>

namespace kis::runtime {
namespace {

std::vector<std::string> market(std::size_t n) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n; ++i)
    out.push_back(std::to_string(100000 + i));
  return out;
}

TEST(Wiring, AskingForMoreSymbolsThanTheMarketHasIsSaid) {
  engine_config cfg;
  cfg.analyzers.symbol_count = 3000;
  auto universe = market(2700);
  auto said = symbol_shortfall(cfg, universe);
  ASSERT_TRUE(said.has_value());
  EXPECT_NE(said->find("asked for 3000"), std::string::npos);
  EXPECT_NE(said->find("market has 2700"), std::string::npos);
  EXPECT_EQ(watched_symbols(cfg, universe).size(), 2700u);
}

TEST(Wiring, NothingToSayWhenTheCountFitsOrSymbolsAreNamed) {
  engine_config cfg;
  cfg.analyzers.symbol_count = 2700;
  EXPECT_FALSE(symbol_shortfall(cfg, market(2700)));
  cfg.analyzers.symbol_count = 5000;
  cfg.analyzers.symbols = {"005930"};
  EXPECT_FALSE(symbol_shortfall(cfg, market(2700)));
  EXPECT_EQ(watched_symbols(cfg, market(2700)), std::vector<std::string>{"005930"});
}

} // namespace
} // namespace kis::runtime
