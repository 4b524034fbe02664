// Replay and recorder figures for BENCHMARKS.md.
//
//   replay_bench day [SYMBOLS] [TRADES_PER_SECOND]
//     Writes a synthetic KRX day (09:00-15:30 KST, kis-sim's seeded walk, one H0STCNT0 frame
//     per trade) as a recording, then replays it at --speed max through the whole path: frame
//     parser, feed fan-out, analyzers, strategy hosts (ma_cross on half the symbols, orb on the
//     rest), executor, fill model. Prints ticks/s, the multiple of real time and the segment's
//     size per hour of recording.
//
//   replay_bench recorder [BATCHES]
//     The live path with and without the recorder, in one run: an injecting thread (standing
//     for the WebSocket I/O thread) sends 41 x 64 trade frames per batch into ws_feed, which
//     fans them out to 41 subscribers; every other batch goes through the recording tap first.
//     Prints the median ticks/s of both and their ratio.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/feed/ws_feed.hpp"
#include "feed_bench_support.hpp"
#include "kis/kst.hpp"
#include "kis/recording_format.hpp"
#include "kis/sessions.hpp"
#include "messages/registry.hpp"
#include "runtime/recording_transports.hpp"
#include "runtime/replay_command.hpp"
#include "runtime/replay_driver.hpp"
#include "sim/frames.hpp"
#include "sim/market.hpp"

namespace {

using namespace kis;
using namespace kis::runtime;
namespace fs = std::filesystem;
using clk = std::chrono::steady_clock;

constexpr std::int32_t bench_day = 20260415; // a Wednesday, a KRX trading day

// --- day ----------------------------------------------------------------------------------------

std::uint64_t write_day(const fs::path& file, const std::vector<std::string>& symbols,
                        int trades_per_second, std::uint64_t& ticks) {
  const auto open = sessions::kst_instant(bench_day, sessions::clock_s(9, 0));
  const auto close = sessions::kst_instant(bench_day, sessions::clock_s(15, 30));
  auto clock = std::make_shared<manual_wall_clock>(
      wall_time{std::chrono::duration_cast<wall_time::duration>(std::chrono::nanoseconds{open})});
  const auto step = std::chrono::milliseconds{1000 / std::max(1, trades_per_second)};
  sim::market market{symbols, 42, clock, step};
  auto w = rec::segment_writer::create(file, 3);
  if (!w)
    throw std::runtime_error(w.error().message);
  std::vector<rec::record> chunk;
  std::uint64_t seq = 0;
  rec::record start;
  start.seq = ++seq;
  start.recv_ns = open - 1;
  start.text = "{\"kind\":\"start\",\"mode\":\"live\",\"env\":\"real\",\"symbols\":[";
  for (std::size_t i = 0; i < symbols.size(); ++i)
    start.text += (i ? ",\"" : "\"") + symbols[i] + "\"";
  start.text += "]}";
  chunk.push_back(start);
  std::map<std::string, std::int64_t> cursors;
  std::map<std::string, sim::frames::trade_tape> tapes;
  std::size_t raw = 0;
  for (auto now = open; now < close; now += std::chrono::nanoseconds{step}.count()) {
    clock->set(
        wall_time{std::chrono::duration_cast<wall_time::duration>(std::chrono::nanoseconds{now})});
    std::int64_t i = 0;
    for (const auto& sym : symbols) {
      auto [it, fresh] = cursors.try_emplace(sym, market.current_step() - 1);
      for (const auto& t : market.trades_since(sym, it->second)) {
        std::string payload;
        tapes[sym].append(payload, std::span{&t, 1}, nullptr);
        rec::record r;
        r.seq = ++seq;
        r.recv_ns = now + ++i * 1000; // the frames of one instant arrive one after another
        r.src = rec::source::ws_in;
        r.text = sim::frames::data_frame(false, sim::frames::tr_trades, 1, payload);
        raw += r.text.size();
        chunk.push_back(std::move(r));
        ++ticks;
      }
    }
    if (raw >= (1u << 20)) {
      w->append(chunk);
      chunk.clear();
      raw = 0;
    }
  }
  if (!chunk.empty())
    w->append(chunk);
  return w->size();
}

double cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  auto secs = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return secs(u.ru_utime) + secs(u.ru_stime);
}

engine_config day_config(const std::vector<std::string>& symbols) {
  engine_config cfg;
  cfg.analyzers.count = 5;
  cfg.analyzers.bar_seconds = 60;
  cfg.analyzers.history_days = 0;
  cfg.strategies_configured = true;
  strategy_entry ma, orb;
  ma.name = ma.id = "ma_cross";
  orb.name = orb.id = "orb";
  for (std::size_t i = 0; i < symbols.size(); ++i)
    (i % 2 == 0 ? ma : orb).symbols.push_back(symbols[i]);
  cfg.strategies = {ma, orb};
  return cfg;
}

int bench_day_replay(int n_symbols, int trades_per_second) {
  auto universe = sim::default_universe();
  std::vector<std::string> symbols{universe.begin(), universe.begin() + n_symbols};
  auto dir = fs::temp_directory_path() / ("kis-replay-bench-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "rec");
  std::uint64_t ticks = 0;
  const auto t0 = clk::now();
  const auto bytes =
      write_day(dir / "rec" / "20260415-000001.krec", symbols, trades_per_second, ticks);
  const double write_s = std::chrono::duration<double>(clk::now() - t0).count();
  auto run = read_recorded_run(dir / "rec");
  auto setup = replay_setup_for(day_config(symbols), *run, symbols);
  setup.out_dir = dir / "out";
  auto src = open_recording(dir / "rec", {});
  const double cpu0 = cpu_seconds();
  auto r = run_replay(setup, **src);
  const double cpu = cpu_seconds() - cpu0;
  if (!r.ok) {
    std::cerr << "replay failed: " << r.error << "\n";
    return 1;
  }
  const double day_s = 6.5 * 3600;
  std::printf("symbols %d, %d trade(s)/s each, %llu ticks in the day (%.1f s to write)\n",
              n_symbols, trades_per_second, static_cast<unsigned long long>(ticks), write_s);
  std::printf("segment %.1f MiB = %.1f MiB per hour of session (zstd level 3)\n",
              static_cast<double>(bytes) / (1 << 20), static_cast<double>(bytes) / (1 << 20) / 6.5);
  std::printf("replay  %.2f s wall, %llu ticks to the fill model, %llu to the feed, %.0f ticks/s, "
              "%.0fx real time\n",
              r.wall_seconds, static_cast<unsigned long long>(r.trades),
              static_cast<unsigned long long>(r.venue.frames_delivered),
              static_cast<double>(r.trades) / r.wall_seconds, day_s / r.wall_seconds);
  std::printf("        %.2f s CPU: %.0f ticks per CPU second, %.0fx real time per core\n", cpu,
              static_cast<double>(r.trades) / cpu, day_s / cpu);
  std::printf("        %llu actor messages (%.0f/s), %zu orders, %zu fills, digest %s\n",
              static_cast<unsigned long long>(r.messages),
              static_cast<double>(r.messages) / r.wall_seconds, r.orders.size(), r.fills.size(),
              r.digest.substr(0, 16).c_str());
  fs::remove_all(dir);
  return 0;
}

// --- recorder on the live path -----------------------------------------------------------------

market_sink_actor::behavior_type
counting_sink(std::shared_ptr<std::atomic<std::uint64_t>> delivered) {
  return {[delivered](const trade_tick&) { delivered->fetch_add(1, std::memory_order_release); },
          [](const order_book&) {}, [](slot_atom, const std::string&, bool) {}};
}

struct bench_config : caf::actor_system_config {
  bench_config() {
    register_messages(*this);
    set("scheduler.max-threads", 2);
  }
};

double median(std::vector<double> xs) {
  std::sort(xs.begin(), xs.end());
  return xs.empty() ? 0 : xs[xs.size() / 2];
}

int bench_recorder(int batches) {
  constexpr int symbols = 41, rounds = 64;
  auto dir = fs::temp_directory_path() / ("kis-recorder-bench-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  recorder_options ro;
  ro.dir = dir;
  auto rec = recorder::open(ro);
  if (!rec) {
    std::cerr << rec.error().message << "\n";
    return 1;
  }
  auto tap = recording_ws_tap(*rec);
  bench_config cfg;
  caf::actor_system sys{cfg};
  ws_feed_config fc;
  fc.notice_slots = 0;
  fc.window = 128;
  auto nf = bench::spawn_null_feed(sys, fc);
  auto feed = nf.feed;
  auto delivered = std::make_shared<std::atomic<std::uint64_t>>(0);
  std::vector<std::string> frames;
  {
    caf::scoped_actor self{sys};
    auto universe = sim::default_universe();
    for (int i = 0; i < symbols; ++i) {
      kis::trade_tick t;
      t.symbol = universe[static_cast<std::size_t>(i)];
      t.exchange_ns = sessions::kst_instant(bench_day, sessions::clock_s(10, 0));
      t.price = 70'000;
      t.qty = 10;
      std::string payload;
      sim::frames::trade_tape tape;
      tape.append(payload, std::span{&t, 1}, nullptr);
      frames.push_back(sim::frames::data_frame(false, sim::frames::tr_trades, 1, payload));
      self->request(feed, std::chrono::seconds{5},
                    subscribe_request{feed_channel::trades, t.symbol, 0},
                    sys.spawn(counting_sink, delivered))
          .receive([](subscription&) {}, [](caf::error&) {});
    }
  }
  caf::anon_send(feed, link_up_atom_v, std::uint64_t{1});
  std::vector<double> plain, recorded;
  std::uint64_t expected = 0;
  for (int b = 0; b < 2 * batches; ++b) {
    const bool record = b % 2 == 1;
    const auto t0 = clk::now();
    for (int r = 0; r < rounds; ++r)
      for (const auto& f : frames) {
        if (record)
          tap.in(1, f);
        caf::anon_send(feed, frame_atom_v, std::uint64_t{1}, f);
      }
    expected += symbols * rounds;
    while (delivered->load(std::memory_order_acquire) < expected)
      std::this_thread::yield();
    const double s = std::chrono::duration<double>(clk::now() - t0).count();
    (record ? recorded : plain).push_back(symbols * rounds / s);
  }
  (*rec)->flush();
  auto st = (*rec)->stats();
  std::printf("feed fan-out, 41 symbols x %d frames a batch, %d batches each, alternating\n",
              rounds, batches);
  std::printf("without recording  median %.0f ticks/s\n", median(plain));
  std::vector<double> ratios; // each recorded batch against the plain one just before it
  for (std::size_t i = 0; i < recorded.size() && i < plain.size(); ++i)
    ratios.push_back(recorded[i] / plain[i]);
  std::printf("with recording     median %.0f ticks/s  (median of paired ratios %.3f)\n",
              median(recorded), median(ratios));
  std::printf("recorder           %llu records, %llu dropped, %.1f MiB on disk (%.1f MiB raw)\n",
              static_cast<unsigned long long>(st.records),
              static_cast<unsigned long long>(st.dropped),
              static_cast<double>(st.bytes_written) / (1 << 20),
              static_cast<double>(st.raw_bytes) / (1 << 20));
  nf.stop();
  rec->reset();
  fs::remove_all(dir);
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  std::string what = argc > 1 ? argv[1] : "";
  try {
    if (what == "day")
      return bench_day_replay(argc > 2 ? std::stoi(argv[2]) : 41,
                              argc > 3 ? std::stoi(argv[3]) : 1);
    if (what == "recorder")
      return bench_recorder(argc > 2 ? std::stoi(argv[2]) : 30);
  } catch (const std::exception& e) {
    std::cerr << "replay_bench: " << e.what() << "\n";
    return 1;
  }
  std::cerr << "usage: replay_bench day [SYMBOLS] [TRADES_PER_SECOND] | recorder [BATCHES]\n";
  return 2;
}
