"""A test strategy that trades as often as it can: buys one share when flat, sells it when
held, one order at a time per symbol; every 7th event raises (the host counts it and the
strategy keeps trading). With hang_after = N its Nth event never returns."""
import kis


class PingPong(kis.Strategy):
    def __init__(self) -> None:
        self.book = kis.PositionBook()
        self.events = 0

    def on_start(self, params: kis.Params) -> None:
        self.qty = params.get("qty", 1)
        self.ticks = params.get("slippage_ticks", 2)
        self.hang_after = params.get("hang_after", 0)

    def on_tick(self, event: kis.MarketEvent) -> None:
        self._trade(event)

    def on_quote(self, event: kis.MarketEvent) -> None:
        self._trade(event)

    def on_order_update(self, update: kis.OrderUpdate) -> None:
        self.book.apply(update)

    def _trade(self, event: kis.MarketEvent) -> None:
        self.events += 1
        if self.events == self.hang_after:
            while True:  # a handler that never returns: the host's watchdog ends the process
                pass
        if self.events % 7 == 0:
            raise RuntimeError("every 7th event fails on purpose")
        if event.price <= 0 or self.book.pending(event.symbol):
            return
        side = kis.Side.SELL if self.book.qty(event.symbol) > 0 else kis.Side.BUY
        price = kis.marketable_price(event.price, side, self.ticks)
        if self.emit(kis.limit_order(event.symbol, side, self.qty, price, "ping-pong")):
            self.book.sent(event.symbol)
