# The simulator's sources that need no network server, relative to sim/. Shared by kis_sim and
# the clang fuzz tree (tests/fuzz/project), so a new file is listed once.
set(KIS_SIM_CORE_SOURCES
  universe.cpp
  market.cpp
  exchange.cpp
  exchange_venues.cpp
  auth.cpp
  routes.cpp
  gateway.cpp
  gateway_quotes.cpp
  gateway_trading.cpp
  gateway_realtime.cpp
  frames.cpp
)
