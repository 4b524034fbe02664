"""Moving-average crossover, the Python port of strategies/ma_cross.cpp.

Buys when the fast SMA of bar closes crosses above the slow one and sells the position when it
crosses back below. One position per symbol, one order at a time.
params: fast (5), slow (20), qty (1), slippage_ticks (1: the price goes that many KRX ticks
through the last close so the limit order is marketable).
"""
from collections import deque
from dataclasses import dataclass, field

import kis


@dataclass
class _Series:
    closes: deque = field(default_factory=deque)
    last_sign: int = 0


class MaCross(kis.Strategy):
    def __init__(self) -> None:
        self.fast = 5
        self.slow = 20
        self.qty = 1
        self.ticks = 1
        self.series: dict[str, _Series] = {}
        self.book = kis.PositionBook()

    def on_start(self, params: kis.Params) -> None:
        self.fast = max(1, params.get("fast", 5))
        self.slow = max(self.fast + 1, params.get("slow", 20))
        self.qty = max(1, params.get("qty", 1))
        self.ticks = max(0, params.get("slippage_ticks", 1))

    def on_bar(self, event: kis.MarketEvent) -> None:
        s = self.series.setdefault(event.symbol, _Series())
        s.closes.append(event.last_bar.close)
        if len(s.closes) > self.slow:
            s.closes.popleft()
        if len(s.closes) < self.slow:
            return
        closes = list(s.closes)
        diff = sum(closes[-self.fast:]) / self.fast - sum(closes) / self.slow
        sign = 1 if diff > 0 else (-1 if diff < 0 else 0)
        before = s.last_sign
        if sign != 0:
            s.last_sign = sign
        if before == 0 or sign == 0 or sign == before or self.book.pending(event.symbol):
            return
        held = self.book.qty(event.symbol)
        if sign > 0 and held <= 0:
            self._send(event, kis.Side.BUY, self.qty, "fast SMA crossed above slow")
        elif sign < 0 and held > 0:
            self._send(event, kis.Side.SELL, held, "fast SMA crossed below slow")

    def on_order_update(self, update: kis.OrderUpdate) -> None:
        self.book.apply(update)

    def _send(self, event: kis.MarketEvent, side: kis.Side, qty: int, why: str) -> None:
        price = kis.marketable_price(event.last_bar.close, side, self.ticks)
        if price > 0 and self.emit(kis.limit_order(event.symbol, side, qty, price, why)):
            self.book.sent(event.symbol)
