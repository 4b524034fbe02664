// The embedded `kis` module: the engine's value types as read-only Python classes, the helpers
// of the C++ API (limit_order, krx_tick_size, marketable_price, PositionBook), then the Python
// part (kis_api.py: the Strategy base class) executed into the same module.
#include <pybind11/embed.h>
#include <pybind11/stl.h>

#include "strategies/position_book.hpp"
#include "strategies/python/kis_api_source.hpp"
#include "strategies/python/python_strategy.hpp"

namespace py = pybind11;

namespace kis::python {
namespace {

void bind_enums(py::module_& m) {
  py::enum_<side>(m, "Side").value("BUY", side::buy).value("SELL", side::sell);
  py::enum_<event_kind>(m, "EventKind")
      .value("TICK", event_kind::tick)
      .value("QUOTE", event_kind::quote)
      .value("BAR_CLOSED", event_kind::bar_closed)
      .value("HISTORY", event_kind::history);
  py::enum_<order_kind>(m, "OrderKind")
      .value("LIMIT", order_kind::limit)
      .value("MARKET", order_kind::market)
      .value("CONDITIONAL", order_kind::conditional)
      .value("BEST_LIMIT", order_kind::best_limit)
      .value("TOP_LIMIT", order_kind::top_limit)
      .value("IOC_LIMIT", order_kind::ioc_limit)
      .value("FOK_LIMIT", order_kind::fok_limit)
      .value("IOC_MARKET", order_kind::ioc_market)
      .value("FOK_MARKET", order_kind::fok_market);
  py::enum_<venue>(m, "Venue")
      .value("UNSET", venue::unset)
      .value("KRX", venue::krx)
      .value("NXT", venue::nxt)
      .value("SOR", venue::sor);
  py::enum_<order_status>(m, "OrderStatus")
      .value("QUEUED", order_status::queued)
      .value("JOURNALED", order_status::journaled)
      .value("SENT", order_status::sent)
      .value("PARTIALLY_FILLED", order_status::partially_filled)
      .value("FILLED", order_status::filled)
      .value("CANCELLED", order_status::cancelled)
      .value("REJECTED", order_status::rejected)
      .value("UNKNOWN", order_status::unknown)
      .value("EXPIRED", order_status::expired)
      .value("UNREACHABLE", order_status::unreachable);
  py::enum_<session_kind>(m, "SessionKind")
      .value("CLOSED", session_kind::closed)
      .value("PRE_MARKET", session_kind::pre_market)
      .value("PRE_CLOSE_PRICE", session_kind::pre_close_price)
      .value("OPENING_AUCTION", session_kind::opening_auction)
      .value("REGULAR", session_kind::regular)
      .value("CLOSING_AUCTION", session_kind::closing_auction)
      .value("POST_CLOSE_PRICE", session_kind::post_close_price)
      .value("SINGLE_PRICE", session_kind::single_price)
      .value("AFTER_MARKET", session_kind::after_market);
}

// What on_session receives: a venue's phase changed (KST calendar, see docs/sessions.md).
void bind_sessions(py::module_& m) {
  py::class_<venue_status>(m, "VenueStatus")
      .def_readonly("venue", &venue_status::where)
      .def_readonly("phase", &venue_status::phase)
      .def_readonly("since_ns", &venue_status::since_ns)
      .def_readonly("until_ns", &venue_status::until_ns)
      .def("takes",
           [](const venue_status& v, order_kind k) { return (v.order_kinds & mask_of(k)) != 0; });
  py::class_<session_change>(m, "SessionChange")
      .def_readonly("previous", &session_change::previous)
      .def_readonly("now", &session_change::now)
      .def_readonly("at_ns", &session_change::at_ns);
}

void bind_events(py::module_& m) {
  py::class_<bar>(m, "Bar")
      .def_readonly("symbol", &bar::symbol)
      .def_readonly("start_ns", &bar::start_ns)
      .def_readonly("seconds", &bar::seconds)
      .def_readonly("open", &bar::open)
      .def_readonly("high", &bar::high)
      .def_readonly("low", &bar::low)
      .def_readonly("close", &bar::close)
      .def_readonly("volume", &bar::volume);
  py::class_<indicators>(m, "Indicators")
      .def_readonly("sma_fast", &indicators::sma_fast)
      .def_readonly("sma_slow", &indicators::sma_slow)
      .def_readonly("ema", &indicators::ema)
      .def_readonly("vwap", &indicators::vwap)
      .def_readonly("day_high", &indicators::day_high)
      .def_readonly("day_low", &indicators::day_low)
      .def_readonly("day_volume", &indicators::day_volume)
      .def_readonly("bars", &indicators::bars);
  py::class_<market_event>(m, "MarketEvent")
      .def_readonly("kind", &market_event::kind)
      .def_readonly("symbol", &market_event::symbol)
      .def_readonly("price", &market_event::price)
      .def_readonly("qty", &market_event::qty)
      .def_readonly("exchange_ns", &market_event::exchange_ns)
      .def_readonly("received_ns", &market_event::received_ns)
      .def_readonly("last_bar", &market_event::last_bar)
      .def_readonly("ind", &market_event::ind)
      .def_readonly("history", &market_event::history)
      .def_readonly("bid", &market_event::bid)
      .def_readonly("ask", &market_event::ask);
  py::class_<order_update>(m, "OrderUpdate")
      .def_readonly("client_id", &order_update::client_id)
      .def_readonly("strategy_id", &order_update::strategy_id)
      .def_readonly("symbol", &order_update::symbol)
      .def_readonly("dir", &order_update::dir)
      .def_readonly("status", &order_update::status)
      .def_readonly("order_no", &order_update::order_no)
      .def_readonly("qty", &order_update::qty)
      .def_readonly("filled_qty", &order_update::filled_qty)
      .def_readonly("avg_fill_price", &order_update::avg_fill_price)
      .def_readonly("last_fill_qty", &order_update::last_fill_qty)
      .def_readonly("last_fill_price", &order_update::last_fill_price)
      .def_readonly("reason", &order_update::reason)
      .def_readonly("at_ns", &order_update::at_ns);
}

void bind_orders(py::module_& m) {
  py::class_<signal>(m, "Signal")
      .def(py::init<>())
      .def_readwrite("symbol", &signal::symbol)
      .def_readwrite("dir", &signal::dir)
      .def_readwrite("qty", &signal::qty)
      .def_readwrite("price", &signal::price)
      .def_readwrite("kind", &signal::kind)
      .def_readwrite("priority", &signal::priority)
      .def_readwrite("reason", &signal::reason)
      .def_readwrite("expires_ns", &signal::expires_ns)
      .def_readwrite("route", &signal::route)
      .def_readonly("strategy_id", &signal::strategy_id)
      .def_readonly("created_ns", &signal::created_ns);
  m.def("limit_order", &make_limit_order, py::arg("symbol"), py::arg("dir"), py::arg("qty"),
        py::arg("price"), py::arg("reason") = "", py::arg("priority") = 0,
        "A limit order signal (the shorthand of the C++ API).");
  m.def("krx_tick_size", &krx_tick_size, py::arg("price"), "The KRX price grid step at a price.");
  m.def("marketable_price", &marketable_price, py::arg("last"), py::arg("dir"), py::arg("ticks"),
        "A limit price `ticks` grid steps through the last price, on the KRX grid.");
  py::class_<position_book>(m, "PositionBook")
      .def(py::init<>())
      .def("apply", &position_book::apply, py::arg("update"),
           "Call from on_order_update; True when the update ended an order.")
      .def("sent", &position_book::sent, py::arg("symbol"), "Count an emitted order as pending.")
      .def("qty", &position_book::qty, py::arg("symbol"), "Net position in shares.")
      .def("pending", &position_book::pending, py::arg("symbol"),
           "Whether an order of this symbol is still open.");
}

// params.get(name, default): the default's type is the parameter's type.
py::object get_param(params_link& p, const std::string& name, const py::object& fallback) {
  if (p.params == nullptr)
    throw std::runtime_error("Params are only readable inside on_start");
  auto& ps = *p.params;
  if (py::isinstance<py::bool_>(fallback))
    return py::bool_(ps.get<bool>(name, fallback.cast<bool>()));
  if (py::isinstance<py::int_>(fallback))
    return py::int_(ps.get<std::int64_t>(name, fallback.cast<std::int64_t>()));
  if (py::isinstance<py::float_>(fallback))
    return py::float_(ps.get<double>(name, fallback.cast<double>()));
  if (py::isinstance<py::str>(fallback))
    return py::str(ps.get<std::string>(name, fallback.cast<std::string>()));
  throw py::type_error("params.get: the default must be an int, float, bool or str");
}

void bind_host(py::module_& m) {
  py::class_<params_link, std::shared_ptr<params_link>>(m, "Params")
      .def("get", &get_param, py::arg("name"), py::arg("default"),
           "The parameter's value, or default when the config leaves it out; the default's "
           "type is the one expected.")
      .def("__contains__", [](const params_link& p, const std::string& name) {
        return p.params != nullptr && p.params->contains(name);
      });
  py::class_<host_link, std::shared_ptr<host_link>>(m, "_Host")
      .def("emit",
           [](host_link& h, signal s) {
             return h.owner != nullptr && h.owner->emit_signal(std::move(s));
           })
      .def("now_ns", [](const host_link& h) { return h.owner ? h.owner->clock_ns() : 0; })
      .def("strategy_id", [](const host_link& h) {
        return h.owner != nullptr ? h.owner->instance_id() : std::string{};
      });
}

} // namespace
} // namespace kis::python

PYBIND11_EMBEDDED_MODULE(kis, m) {
  m.doc() = "kis-engine's strategy API (embedded in the engine; see kis.pyi for the types)";
  kis::python::bind_enums(m);
  kis::python::bind_events(m);
  kis::python::bind_sessions(m);
  kis::python::bind_orders(m);
  kis::python::bind_host(m);
  py::exec(kis::python::kis_api_source, m.attr("__dict__"));
  m.attr("Strategy").attr("limit_order") = py::staticmethod(m.attr("limit_order"));
}
