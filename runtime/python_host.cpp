#include "runtime/python_host.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <vector>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/lifetime.hpp"
#include "runtime/logging.hpp"
#include "strategies/python/interpreter.hpp"

extern char** environ;

namespace kis::runtime {

bool is_python_strategy(const strategy_entry& s) {
  return s.enabled && !s.file.empty();
}

std::size_t python_strategy_count(const engine_config& cfg) {
  std::size_t n = 0;
  for (const auto& s : cfg.strategies)
    n += is_python_strategy(s) ? 1 : 0;
  return n;
}

engine_config without_python_strategies(const engine_config& cfg) {
  auto out = cfg;
  std::erase_if(out.strategies, [](const strategy_entry& s) { return !s.file.empty(); });
  return out;
}

engine_config only_python_strategies(const engine_config& cfg) {
  auto out = cfg;
  std::erase_if(out.strategies, [](const strategy_entry& s) { return !is_python_strategy(s); });
  out.strategies_configured = true;
  out.analyzers.symbols.clear(); // the core watches those; this node its strategies' symbols
  return out;
}

void exit_on_hung_handler(std::chrono::milliseconds limit, std::string who, std::string then,
                          int code) {
  python::watch_handlers(
      limit, [who = std::move(who), then = std::move(then), code](const std::string& what) {
        log::error("{}: {}; {}", who, what, then);
        std::cerr << who << ": " << what << "; " << then << std::endl;
        std::_Exit(code);
      });
}

namespace {

std::string describe_status(int status) {
  if (WIFEXITED(status))
    return "exit code " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status))
    return "signal " + std::to_string(WTERMSIG(status));
  return "status " + std::to_string(status);
}

} // namespace

std::optional<api::api_error> python_host_process::start(const std::string& config_path,
                                                         std::uint16_t core_port,
                                                         const std::string& log_level) {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec)
    return api::make_api_error(errc::io, "cannot find this executable: " + ec.message());
  std::vector<std::string> args{
      self.string(), "node",      "--core",        "127.0.0.1:" + std::to_string(core_port),
      "-c",          config_path, "--python-host", "--log-level",
      log_level};
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  if (int rc = posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ); rc != 0)
    return api::make_api_error(errc::io, "cannot start " + args[0] + ": " + std::strerror(rc));
  pid_ = pid;
  waiter_ = std::thread{[this, pid] {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    exited_ = true;
    if (!stopping_ && !signal_guard::stop_requested())
      log::error("python strategy host (pid {}) ended ({}) during the run: the core keeps "
                 "trading, its strategies' waiting signals are settled",
                 pid, describe_status(status));
    else
      log::info("python strategy host (pid {}) ended ({})", pid, describe_status(status));
  }};
  log::info("python strategy host started (pid {}): kis-engine node --core 127.0.0.1:{} "
            "--python-host",
            pid, core_port);
  return std::nullopt;
}

void python_host_process::stop(std::chrono::milliseconds grace) {
  if (pid_ <= 0)
    return;
  stopping_ = true;
  if (!exited_)
    ::kill(pid_, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + grace;
  while (!exited_ && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  if (!exited_) {
    log::warn("python strategy host (pid {}) still running after {} ms: killing it", pid_,
              grace.count());
    ::kill(pid_, SIGKILL);
  }
  if (waiter_.joinable())
    waiter_.join();
  pid_ = -1;
}

python_host_process::~python_host_process() {
  stop(std::chrono::seconds{5});
}

} // namespace kis::runtime
