// The process's one Python interpreter, shared by every Python strategy it hosts, and the
// watchdog that turns a hung handler into a process exit the core can see.
//
// Strategy hosts are actors on CAF's worker threads: any of them may call into Python, one at a
// time under the GIL. Each worker thread gets its Python thread state once and keeps it (a
// state made and dropped per call would cost more than a short handler).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include <Python.h>

namespace kis::python {

// Starts the interpreter on first use, without Python's own signal handlers (the runtime owns
// SIGINT and SIGTERM), with line-buffered stdout and stderr (it is never finalised, so nothing
// may wait in a buffer), and leaves the GIL released. Thread-safe.
void ensure_interpreter();

// Holds the GIL for a scope on any thread.
class gil_hold {
public:
  gil_hold();
  ~gil_hold();
  gil_hold(const gil_hold&) = delete;
  gil_hold& operator=(const gil_hold&) = delete;

private:
  PyGILState_STATE state_;
};

// One strategy's "inside a handler since" slot, watched while it exists.
class call_slot {
public:
  call_slot();
  ~call_slot();
  call_slot(const call_slot&) = delete;
  call_slot& operator=(const call_slot&) = delete;

  // Marks a handler running (the strategy's id and handler name say which, if it hangs).
  class scope {
  public:
    scope(call_slot& s, const char* handler) noexcept;
    ~scope();
    scope(const scope&) = delete;
    scope& operator=(const scope&) = delete;

  private:
    call_slot& slot_;
  };

  std::string label;                         // "strategy 'x'"
  std::atomic<std::int64_t> since_ns{0};     // steady clock; 0 = not in a handler
  std::atomic<const char*> handler{nullptr}; // a string literal
};

// A handler running longer than `limit` calls on_hang once with a description (the strategy
// host process then exits, so that its core sees the node go and settles its signals). 0 turns
// the watchdog off (the default: replay and backtest run without it).
void watch_handlers(std::chrono::milliseconds limit,
                    std::function<void(const std::string&)> on_hang);

} // namespace kis::python
