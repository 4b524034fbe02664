// `kis-engine replay <recording>` and the pieces `backtest` shares with it: what the recording
// says about its run (mode, environment, symbols), the time range flags, and the replay setup
// built from a config and a recording.
#pragma once

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "runtime/config.hpp"
#include "runtime/replay_driver.hpp"
#include "runtime/startup_failure.hpp"

namespace kis::runtime {

struct replay_flags {
  std::string recording;   // directory (or one .krec segment)
  std::string config_path; // the strategies and settings to replay with
  std::string from, to;    // "HH:MM[:SS]" on the recording's first day, or "YYYYMMDD[-HH:MM[:SS]]"
  std::string symbols;     // comma-separated; empty = what the recorded run watched
  std::string speed = "max"; // "max" or a multiple of real time
  std::string out;           // output directory; empty = <data_dir>/replays/<recording>-<now>
  bool quiet = false;        // no progress line
  int metrics_port = -1;     // >= 0: /metrics on 127.0.0.1 while it runs
};

// What the recorder noted at the start of the recorded run.
struct recorded_run {
  std::string mode = "sim";
  api::environment env = api::environment::real;
  std::vector<std::string> symbols;
  std::int64_t first_ns = 0; // first record
};

api::result<recorded_run> read_recorded_run(const std::filesystem::path& recording);

// "09:30", "09:30:15" (KST, on `day`) or "20260415", "20260415-09:30[:15]" -> UTC ns.
std::optional<std::int64_t> parse_replay_time(std::string_view text, std::int32_t day);

// A config file (or the defaults) with the environment applied; a config_error on failure.
std::variant<engine_config, config_error> load_replay_config(const std::string& path);

// The setup of a replay of `run` under `cfg`: symbols, strategies as the recorded mode would
// run them, bar length, session rules, costs.
replay_setup replay_setup_for(const engine_config& cfg, const recorded_run& run,
                              const std::vector<std::string>& symbols);

// The summary a replay prints; `what` names the run ("replay", "backtest").
std::string format_replay_summary(const replay_result& r, const std::string& what,
                                  const std::filesystem::path& out_dir);

// A recording opened as the flags say, and the replay set up for it; an error line otherwise.
struct prepared_replay {
  replay_setup setup;
  std::unique_ptr<record_source> source;
};
api::result<prepared_replay> prepare_recording_replay(const replay_flags& flags,
                                                      const engine_config& cfg);

// Runs it with a progress line on `err` (unless quiet), reports damaged chunks there too;
// nullopt (and the reason on `err`) when the run failed.
std::optional<replay_result> run_prepared(prepared_replay& p, bool quiet, int metrics_port,
                                          const char* what, std::ostream& err);

int run_replay_command(const replay_flags& flags, std::ostream& out, std::ostream& err);

} // namespace kis::runtime
