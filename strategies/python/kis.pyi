# Type stubs of the `kis` module that kis-engine embeds (for editors and mypy; point
# MYPYPATH or your editor's stub path at this folder). The module exists only inside the
# engine: `kis-engine run`, `node`, `replay` and `backtest` provide it.
from enum import IntEnum
from typing import Optional

class Side(IntEnum):
    BUY: int
    SELL: int

class EventKind(IntEnum):
    TICK: int
    QUOTE: int
    BAR_CLOSED: int
    HISTORY: int

class OrderKind(IntEnum):
    LIMIT: int
    MARKET: int
    CONDITIONAL: int
    BEST_LIMIT: int
    TOP_LIMIT: int
    IOC_LIMIT: int
    FOK_LIMIT: int
    IOC_MARKET: int
    FOK_MARKET: int

class Venue(IntEnum):
    UNSET: int
    KRX: int
    NXT: int
    SOR: int

class OrderStatus(IntEnum):
    QUEUED: int
    JOURNALED: int
    SENT: int
    PARTIALLY_FILLED: int
    FILLED: int
    CANCELLED: int
    REJECTED: int
    UNKNOWN: int
    EXPIRED: int
    UNREACHABLE: int

class Bar:
    symbol: str
    start_ns: int
    seconds: int
    open: int
    high: int
    low: int
    close: int
    volume: int

class Indicators:
    sma_fast: float
    sma_slow: float
    ema: float
    vwap: float
    day_high: int
    day_low: int
    day_volume: int
    bars: int

class MarketEvent:
    kind: EventKind
    symbol: str
    price: int  # KRW
    qty: int
    exchange_ns: int  # UTC ns
    received_ns: int
    last_bar: Bar
    ind: Indicators
    history: list[Bar]  # daily bars, only for EventKind.HISTORY
    bid: int
    ask: int

class OrderUpdate:
    client_id: str
    strategy_id: str
    symbol: str
    dir: Side
    status: OrderStatus
    order_no: str
    qty: int
    filled_qty: int
    avg_fill_price: int
    last_fill_qty: int
    last_fill_price: int
    reason: str
    at_ns: int

class Signal:
    symbol: str
    dir: Side
    qty: int
    price: int
    kind: OrderKind
    priority: int
    reason: str
    expires_ns: int
    route: Venue
    @property
    def strategy_id(self) -> str: ...
    @property
    def created_ns(self) -> int: ...
    def __init__(self) -> None: ...

class Params:
    def get(self, name: str, default: int | float | bool | str) -> int | float | bool | str: ...
    def __contains__(self, name: str) -> bool: ...

class PositionBook:
    def __init__(self) -> None: ...
    def apply(self, update: OrderUpdate) -> bool: ...
    def sent(self, symbol: str) -> None: ...
    def qty(self, symbol: str) -> int: ...
    def pending(self, symbol: str) -> bool: ...

def limit_order(symbol: str, dir: Side, qty: int, price: int, reason: str = "",
                priority: int = 0) -> Signal: ...
def krx_tick_size(price: int) -> int: ...
def marketable_price(last: int, dir: Side, ticks: int) -> int: ...

class SessionKind(IntEnum):
    CLOSED = 0
    PRE_MARKET = 1
    PRE_CLOSE_PRICE = 2
    OPENING_AUCTION = 3
    REGULAR = 4
    CLOSING_AUCTION = 5
    POST_CLOSE_PRICE = 6
    SINGLE_PRICE = 7
    AFTER_MARKET = 8

class VenueStatus:
    venue: Venue
    phase: SessionKind
    since_ns: int
    until_ns: int  # 0 when the calendar has no later change
    def takes(self, kind: OrderKind) -> bool: ...

class SessionChange:
    previous: SessionKind
    now: VenueStatus
    at_ns: int

class Strategy:
    limit_order = staticmethod(limit_order)
    def on_start(self, params: Params) -> None: ...
    def on_history(self, event: MarketEvent) -> None: ...
    def on_tick(self, event: MarketEvent) -> None: ...
    def on_quote(self, event: MarketEvent) -> None: ...
    def on_bar(self, event: MarketEvent) -> None: ...
    def on_session(self, event: SessionChange) -> None: ...
    def on_order_update(self, update: OrderUpdate) -> None: ...
    def emit(self, signal: Signal) -> bool: ...
    def now_ns(self) -> int: ...
    @property
    def id(self) -> str: ...
