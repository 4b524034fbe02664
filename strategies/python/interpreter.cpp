#include "strategies/python/interpreter.hpp"

#include <mutex>
#include <set>
#include <thread>

#include <pybind11/embed.h>

namespace kis::python {

namespace py = pybind11;

namespace {

std::int64_t steady_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The watchdog's state lives as long as the process (its thread is detached): never destroyed,
// so no exit-time order matters.
struct watchdog_state {
  std::mutex mutex;
  std::set<call_slot*> slots;
  std::chrono::milliseconds limit{0};
  std::function<void(const std::string&)> on_hang;
  bool started = false;
  bool fired = false;
};

watchdog_state& watchdog() {
  static auto* state = new watchdog_state;
  return *state;
}

void watch_loop() {
  auto& w = watchdog();
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
    std::function<void(const std::string&)> fire;
    std::string what;
    {
      std::lock_guard lock{w.mutex};
      if (w.fired || w.limit.count() <= 0)
        continue;
      auto now = steady_ns();
      auto limit_ns = std::chrono::nanoseconds{w.limit}.count();
      for (auto* s : w.slots) {
        auto since = s->since_ns.load(std::memory_order_acquire);
        if (since == 0 || now - since < limit_ns)
          continue;
        const char* h = s->handler.load(std::memory_order_acquire);
        what = s->label + ": " + (h != nullptr ? h : "a handler") + " has run for more than " +
               std::to_string(w.limit.count()) + " ms";
        fire = w.on_hang;
        w.fired = true;
        break;
      }
    }
    if (fire)
      fire(what);
  }
}

} // namespace

void ensure_interpreter() {
  static std::once_flag once;
  std::call_once(once, [] {
    py::initialize_interpreter(false);
    {
      // Nothing is finalised at exit: print() must not wait in a buffer.
      auto sys = py::module_::import("sys");
      for (const char* stream : {"stdout", "stderr"})
        if (py::hasattr(sys.attr(stream), "reconfigure"))
          sys.attr(stream).attr("reconfigure")(py::arg("line_buffering") = true);
      py::module_::import("kis"); // the embedded API module, ready before any strategy
    }
    PyEval_SaveThread(); // the GIL goes to whichever host calls next
  });
}

gil_hold::gil_hold() {
  // The first hold on a thread makes its Python state and keeps it (one Ensure never released).
  thread_local bool primed = false;
  if (!primed) {
    PyGILState_Ensure();
    PyEval_SaveThread();
    primed = true;
  }
  state_ = PyGILState_Ensure();
}

gil_hold::~gil_hold() {
  PyGILState_Release(state_);
}

call_slot::call_slot() {
  auto& w = watchdog();
  std::lock_guard lock{w.mutex};
  w.slots.insert(this);
}

call_slot::~call_slot() {
  auto& w = watchdog();
  std::lock_guard lock{w.mutex};
  w.slots.erase(this);
}

call_slot::scope::scope(call_slot& s, const char* handler) noexcept
    : slot_(s) {
  slot_.handler.store(handler, std::memory_order_relaxed);
  slot_.since_ns.store(steady_ns(), std::memory_order_release);
}

call_slot::scope::~scope() {
  slot_.since_ns.store(0, std::memory_order_release);
}

void watch_handlers(std::chrono::milliseconds limit,
                    std::function<void(const std::string&)> on_hang) {
  auto& w = watchdog();
  std::lock_guard lock{w.mutex};
  w.limit = limit;
  w.on_hang = std::move(on_hang);
  if (!w.started && limit.count() > 0) {
    w.started = true;
    std::thread{watch_loop}.detach();
  }
}

} // namespace kis::python
