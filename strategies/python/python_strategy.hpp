// A Python class behind the C++ strategy interface: the strategy host (actors/trading) runs it
// like any other strategy, so counting a raised exception, the executor's answers and the
// params check are the same code for both languages.
#pragma once

#include <memory>
#include <string>

#include <pybind11/pybind11.h>

#include "strategies/python/interpreter.hpp"
#include "strategies/registry.hpp"

namespace kis::python {

class python_strategy;

// What a Python strategy holds to reach its host (Strategy._kis_host): emptied when the C++
// side goes, so a Python object kept alive elsewhere cannot call into freed memory.
struct host_link {
  python_strategy* owner = nullptr;
};

// The parameters during on_start (kis.Params); unusable afterwards.
struct params_link {
  strategy_params* params = nullptr;
};

class python_strategy final : public strategy {
public:
  // Call with the GIL held. instance: an object of a kis.Strategy subclass.
  python_strategy(pybind11::object instance, std::string id);
  ~python_strategy() override;

  void on_start(strategy_params& params) override;
  void on_history(const market_event& ev) override;
  void on_tick(const market_event& ev) override;
  void on_quote(const market_event& ev) override;
  void on_bar(const market_event& ev) override;
  void on_order_update(const order_update& up) override;
  void on_session(const session_change& ev) override;

  // For kis.Strategy's emit / now_ns / id.
  bool emit_signal(signal s) { return emit(std::move(s)); }
  std::int64_t clock_ns() const { return now_ns(); }
  std::string instance_id() const { return std::string{id()}; }

  std::uint64_t errors() const noexcept { return errors_; }

private:
  // The user's override of a handler, or None when the class keeps kis.Strategy's no-op (then
  // the GIL is not even taken).
  pybind11::object handler(const char* name) const;
  template <class Arg>
  void call(const pybind11::object& method, const char* name, const Arg& arg);

  pybind11::object instance_;
  std::string id_;
  std::shared_ptr<host_link> link_;
  pybind11::object on_history_, on_tick_, on_quote_, on_bar_, on_order_update_, on_session_;
  call_slot slot_;
  std::uint64_t errors_ = 0;
};

// The registry's file loader: imports src.file (a .py path or a module name), finds the class
// and makes the instance. errc::config for a missing file, a syntax error, no or several
// kis.Strategy subclasses, a named class that is not one, or an __init__ that raises.
caf::expected<std::unique_ptr<strategy>> load_strategy(const strategy_source& src);

} // namespace kis::python
