#include "runtime/lifetime.hpp"

#include <cstdio>
#include <iostream>

#include <unistd.h>

#include <caf/exit_reason.hpp>
#include <caf/send.hpp>

namespace kis::runtime {

namespace {

volatile std::sig_atomic_t stop_flag = 0;

extern "C" void on_stop_signal(int) {
  if (stop_flag != 0) {
    // The second signal: the user wants out now. Only async-signal-safe calls here.
    static const char msg[] = "\nkis-engine: second signal, exiting now without draining\n";
    (void)!::write(2, msg, sizeof(msg) - 1);
    ::_exit(130);
  }
  stop_flag = 1;
}

} // namespace

signal_guard::signal_guard() {
  stop_flag = 0;
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &old_int_);
  sigaction(SIGTERM, &sa, &old_term_);
}

signal_guard::~signal_guard() {
  sigaction(SIGINT, &old_int_, nullptr);
  sigaction(SIGTERM, &old_term_, nullptr);
}

bool signal_guard::stop_requested() noexcept {
  return stop_flag != 0;
}

shutdown_watchdog::~shutdown_watchdog() {
  disarm();
}

void shutdown_watchdog::arm(std::chrono::milliseconds budget) {
  if (thread_.joinable())
    return;
  thread_ = std::thread([this, budget] {
    std::unique_lock lock{mtx_};
    if (cv_.wait_for(lock, budget, [this] { return done_; }))
      return;
    std::cerr << "\nkis-engine: shutdown did not finish within "
              << std::chrono::duration_cast<std::chrono::seconds>(budget).count()
              << " s; exiting without waiting further" << std::endl;
    std::fflush(nullptr);
    ::_exit(1);
  });
}

void shutdown_watchdog::disarm() {
  {
    std::lock_guard guard{mtx_};
    done_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

void actor_owner::stop_all() {
  for (auto it = actors_.rbegin(); it != actors_.rend(); ++it)
    caf::anon_send_exit(*it, caf::exit_reason::user_shutdown);
  actors_.clear();
}

} // namespace kis::runtime
