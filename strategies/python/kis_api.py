# The Python side of kis-engine's strategy API, executed inside the embedded `kis` module after
# its C++ types (MarketEvent, OrderUpdate, Signal, Params, PositionBook, ...) are defined.
# Users write `import kis` and subclass kis.Strategy; see strategies/python/kis.pyi for types.


class Strategy:
    """Base class of a Python strategy. Override the handlers you need; all are no-ops.

    Handlers run one at a time (the host is an actor): no locking, ever. A handler that raises
    is caught and counted (strategy_errors_total); the strategy keeps receiving events.
    """

    def on_start(self, params: "Params") -> None:
        """Read parameters with params.get(name, default). Called once before any event;
        emit() does nothing yet. A parameter never read here is a config error."""

    def on_history(self, event: "MarketEvent") -> None:
        """Daily bars of a followed symbol (event.history), once at start."""

    def on_tick(self, event: "MarketEvent") -> None:
        """One trade."""

    def on_quote(self, event: "MarketEvent") -> None:
        """An order-book snapshot or a polled quote."""

    def on_bar(self, event: "MarketEvent") -> None:
        """An intraday bar closed (event.last_bar)."""

    def on_session(self, event: "SessionChange") -> None:
        """A venue's session changed (event.previous -> event.now.phase, on event.now.venue);
        event.now.takes(kind) says whether it accepts that order kind now. Sent once per venue
        at start, then at every change, when the engine runs with a session calendar."""

    def on_order_update(self, update: "OrderUpdate") -> None:
        """What became of an emitted signal: queued, sent, filled, rejected (with the reason),
        expired, unreachable..."""

    # --- what the host offers -----------------------------------------------------------------

    def emit(self, signal: "Signal") -> bool:
        """Hands a signal to the order executor; False before the strategy is started."""
        host = getattr(self, "_kis_host", None)
        return host.emit(signal) if host is not None else False

    def now_ns(self) -> int:
        """Wall clock (virtual in replay and backtest), UTC nanoseconds."""
        host = getattr(self, "_kis_host", None)
        return host.now_ns() if host is not None else 0

    @property
    def id(self) -> str:
        """This instance's strategy id ([[strategy]] id)."""
        host = getattr(self, "_kis_host", None)
        return host.strategy_id() if host is not None else ""
