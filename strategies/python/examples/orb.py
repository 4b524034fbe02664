"""Opening-range breakout, the Python port of strategies/orb.cpp.

The first `range_bars` bars of the day set a high and a low; the first trade above the high
buys, and the position is sold when the price falls back below the low (stop) or rises
target_pct above the entry (take profit). One entry per symbol a day.
params: range_bars (15), qty (1), target_pct (2.0), slippage_ticks (1).
"""
from dataclasses import dataclass

import kis

_NS_PER_DAY = 86_400_000_000_000
_KST_OFFSET_NS = 9 * 3_600_000_000_000


def kst_day(utc_ns: int) -> int:
    """Days since the epoch in Seoul: the trading day a bar or trade belongs to."""
    return (utc_ns + _KST_OFFSET_NS) // _NS_PER_DAY


@dataclass
class _Range:
    day: int = -1
    bars: int = 0
    high: int = 0
    low: int = 0
    entry: int = 0
    entered: bool = False


class OpeningRangeBreakout(kis.Strategy):
    def __init__(self) -> None:
        self.range_bars = 15
        self.qty = 1
        self.target_pct = 2.0
        self.ticks = 1
        self.ranges: dict[str, _Range] = {}
        self.book = kis.PositionBook()

    def on_start(self, params: kis.Params) -> None:
        self.range_bars = max(1, params.get("range_bars", 15))
        self.qty = max(1, params.get("qty", 1))
        self.target_pct = params.get("target_pct", 2.0)
        self.ticks = max(0, params.get("slippage_ticks", 1))

    def on_bar(self, event: kis.MarketEvent) -> None:
        r = self._day_of(event.symbol, event.last_bar.start_ns)
        if r.bars >= self.range_bars:
            return
        bar = event.last_bar
        r.high = bar.high if r.bars == 0 else max(r.high, bar.high)
        r.low = bar.low if r.bars == 0 else min(r.low, bar.low)
        r.bars += 1

    def on_tick(self, event: kis.MarketEvent) -> None:
        self._on_price(event)

    def on_quote(self, event: kis.MarketEvent) -> None:
        self._on_price(event)

    def on_order_update(self, update: kis.OrderUpdate) -> None:
        self.book.apply(update)
        if update.dir == kis.Side.BUY and update.last_fill_qty > 0:
            self.ranges.setdefault(update.symbol, _Range()).entry = update.avg_fill_price

    def _day_of(self, symbol: str, ns: int) -> _Range:
        r = self.ranges.setdefault(symbol, _Range())
        day = kst_day(ns)
        if day != r.day:
            # A position carried over keeps its entry price.
            r = _Range(day=day, entry=r.entry)
            self.ranges[symbol] = r
        return r

    def _on_price(self, event: kis.MarketEvent) -> None:
        if event.price <= 0 or self.book.pending(event.symbol):
            return
        r = self._day_of(event.symbol, event.exchange_ns or event.received_ns)
        if r.bars < self.range_bars:
            return
        held = self.book.qty(event.symbol)
        if held <= 0 and not r.entered and event.price > r.high:
            r.entered = True
            self._send(event, kis.Side.BUY, self.qty, "broke above the opening range")
        elif held > 0 and event.price < r.low:
            self._send(event, kis.Side.SELL, held, "fell below the opening range")
        elif held > 0 and r.entry > 0 and event.price >= r.entry * (1.0 + self.target_pct / 100.0):
            self._send(event, kis.Side.SELL, held, "take profit")

    def _send(self, event: kis.MarketEvent, side: kis.Side, qty: int, why: str) -> None:
        price = kis.marketable_price(event.price, side, self.ticks)
        if price > 0 and self.emit(kis.limit_order(event.symbol, side, qty, price, why)):
            self.book.sent(event.symbol)
