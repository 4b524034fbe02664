// Python strategies run outside the core: in a strategy-host process, a `kis-engine node` that
// joins the core through CAF's middleman like any node. A crash or a hang of Python then costs
// the core one node (the executor sees its strategies go and settles their waiting signals),
// never the budget, the executor or the journal. In sim mode `kis-engine run` starts that host
// itself; in paper and live the operator runs it (`kis-engine node --python-host`).
// Replay and backtest host Python strategies in-process, on their virtual clock.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>

#include <sys/types.h>

#include "kis/result.hpp"
#include "runtime/config.hpp"

namespace kis::runtime {

// An enabled [[strategy]] with file = ... (a Python strategy).
bool is_python_strategy(const strategy_entry& s);
std::size_t python_strategy_count(const engine_config& cfg);

// The core's share of a config: its Python strategies left out (the list still counts as
// configured: no default strategies take their place).
engine_config without_python_strategies(const engine_config& cfg);

// A strategy-host node's share: the Python strategies alone, watching only their symbols.
// errc-free: a Python strategy without symbols is reported by the caller.
engine_config only_python_strategies(const engine_config& cfg);

// A Python handler running longer than `limit` ends the process with one line on stderr
// ("<who>: <what>; <then>") and `code`: in a strategy-host node (3) the core sees the node go
// instead of a strategy that silently stopped; in replay and backtest (1), whose strategies run
// on the caller's thread, a hung handler would otherwise hang the command. 0 turns it off.
void exit_on_hung_handler(std::chrono::milliseconds limit, std::string who, std::string then,
                          int code);

// The strategy-host process `kis-engine run` starts in sim mode: this executable's `node
// --python-host`, same config, against the core's directory on 127.0.0.1:port.
class python_host_process {
public:
  python_host_process() = default;
  ~python_host_process(); // stop(5 s)
  python_host_process(const python_host_process&) = delete;
  python_host_process& operator=(const python_host_process&) = delete;

  // errc::io when it cannot start.
  std::optional<api::api_error> start(const std::string& config_path, std::uint16_t core_port,
                                      const std::string& log_level);
  pid_t pid() const noexcept { return pid_; }
  bool exited() const noexcept { return exited_.load(); }
  // SIGTERM (the node stops in order), SIGKILL when it is still there after `grace`.
  void stop(std::chrono::milliseconds grace);

private:
  pid_t pid_ = -1;
  std::thread waiter_; // blocks in waitpid, logs an unexpected end
  std::atomic<bool> exited_{false};
  std::atomic<bool> stopping_{false};
};

} // namespace kis::runtime
