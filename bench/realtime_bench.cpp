// Real-time side: frame parsing on one core, notice decryption, and the feed actor's fan-out
// to 41 subscribers (throughput and feed-to-subscriber latency).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/feed/ws_feed.hpp"
#include "feed_bench_support.hpp"
#include "kis/notice_crypto.hpp"
#include "kis/realtime_frames.hpp"
#include "messages/registry.hpp"

namespace {

using namespace kis;

const std::string trade_tail =
    "^115214^250500^5^-19500^-7.22^257548.62^266000^266500^248500^250500^250000^2^11701513^"
    "3013709268750^113664^103131^-10533^60.51^7129195^4313943^1^0.37^73.08^090025^5^-15500^"
    "090025^5^-16000^114825^2^2000^20260724^20^N^8930^67892^101158^466092^0.20^8331745^140.44^"
    "0^^266000";

std::string trade_frame(int records) {
  std::string f = "0|H0STCNT0|00" + std::to_string(records) + "|";
  for (int i = 0; i < records; ++i)
    f += (i ? "^" : "") + std::string{"00593"} + std::to_string(i) + trade_tail;
  return f;
}

void parse_trades_bench(benchmark::State& state, int records) {
  const auto frame = trade_frame(records);
  std::vector<trade_tick> out;
  out.reserve(8);
  for (auto _ : state) {
    out.clear();
    auto f = api::split_frame(frame);
    auto n = api::parse_trades(f->payload, f->count, 0, out);
    benchmark::DoNotOptimize(n);
  }
  state.SetItemsProcessed(state.iterations() * records);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(frame.size()));
}

void BM_ParseTrade1(benchmark::State& s) {
  parse_trades_bench(s, 1);
}
void BM_ParseTrade4(benchmark::State& s) {
  parse_trades_bench(s, 4);
}
BENCHMARK(BM_ParseTrade1);
BENCHMARK(BM_ParseTrade4);

// The 62-field H0STASP0 capture; the 65-field H0NXASP0/H0UNASP0 record is the same with the
// three NMID_* fields after it (KIS-PROTOCOL.md §9.5).
const std::string book62 =
    "005930^145856^0^358500^359000^359500^360000^360500^361000^361500^362000^362500^363000^"
    "358000^357500^357000^356500^356000^355500^355000^354500^354000^353500^53949^91247^124706^"
    "311138^36136^50040^21635^48345^14697^44313^40154^39078^38644^26290^25867^9410^17975^5281^"
    "14389^10406^796206^227494^0^0^0^0^529267^-346500^5^-100.00^25970877^-979^95^0^0^0^358250^"
    "4^1";
const std::string book65 = book62 + "^358250^12^1";

void parse_books_bench(benchmark::State& state, const std::string& payload, market_code m) {
  std::vector<order_book> out;
  for (auto _ : state) {
    out.clear();
    benchmark::DoNotOptimize(api::parse_books(payload, 1, "20260724", 0, out, m));
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(payload.size()));
}

void BM_ParseBook62(benchmark::State& state) {
  parse_books_bench(state, book62, market_code::krx);
}
void BM_ParseBook65(benchmark::State& state) {
  parse_books_bench(state, book65, market_code::nxt);
}
BENCHMARK(BM_ParseBook62);
BENCHMARK(BM_ParseBook65);

void BM_DecryptNotice(benchmark::State& state) {
  const api::notice_cipher c{"0123456789abcdefghijklmnopqrstuv", "ABCDEFGHIJKLMNOP"};
  const auto b64 = *api::encrypt_notice("hts1^12345678^0000012345^0000000000^02^0^00^0^005930^10^"
                                        "70100^093015^0^2^2^06590^10^name^0^1^N^^^^삼성전자^70100",
                                        c);
  std::vector<execution_notice> out;
  for (auto _ : state) {
    out.clear();
    auto plain = api::decrypt_notice(b64, c);
    benchmark::DoNotOptimize(api::parse_notices(*plain, 1, 0, out));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecryptNotice);

// --- feed -> 41 subscribers --------------------------------------------------------------

// Each sink owns its latency samples; the bench reads them only after `delivered` says done.
struct sink_probe {
  std::vector<std::int64_t> latency_ns;
  std::atomic<std::uint64_t>* delivered = nullptr;
};

market_sink_actor::behavior_type probe_sink(std::shared_ptr<sink_probe> p) {
  return {[p](const trade_tick& t) {
            auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                           std::chrono::steady_clock::now().time_since_epoch())
                           .count();
            p->latency_ns.push_back(now - t.received_ns);
            p->delivered->fetch_add(1, std::memory_order_release);
          },
          [](const order_book&) {}, [](slot_atom, const std::string&, bool) {}};
}

struct bench_config : caf::actor_system_config {
  bench_config() {
    register_messages(*this);
    set("scheduler.max-threads", 2);
  }
};

void BM_FeedFanOut41(benchmark::State& state) {
  constexpr int symbols = 41;
  constexpr int rounds = 32; // per iteration: 41 x 32 frames, inside a 64-event window
  bench_config cfg;
  caf::actor_system sys{cfg};
  ws_feed_config fc;
  fc.notice_slots = 0; // 41 symbols, no notice registration
  fc.window = 64;
  auto nf = bench::spawn_null_feed(sys, fc);
  auto feed = nf.feed;
  std::atomic<std::uint64_t> delivered{0};
  std::vector<std::shared_ptr<sink_probe>> probes;
  std::vector<std::string> frames;
  caf::scoped_actor self{sys};
  for (int i = 0; i < symbols; ++i) {
    auto p = std::make_shared<sink_probe>();
    p->delivered = &delivered;
    p->latency_ns.reserve(1 << 20);
    probes.push_back(p);
    auto sym = std::to_string(100000 + i);
    frames.push_back("0|H0STCNT0|001|" + sym + trade_tail);
    self->request(feed, std::chrono::seconds{5}, subscribe_request{feed_channel::trades, sym, 0},
                  sys.spawn(probe_sink, p))
        .receive([](subscription&) {}, [](caf::error&) {});
  }
  caf::anon_send(feed, link_up_atom_v, std::uint64_t{1});
  std::uint64_t expected = 0;
  for (auto _ : state) {
    for (int r = 0; r < rounds; ++r)
      for (const auto& f : frames)
        caf::anon_send(feed, frame_atom_v, std::uint64_t{1}, f);
    expected += symbols * rounds;
    while (delivered.load(std::memory_order_acquire) < expected)
      std::this_thread::yield();
  }
  std::vector<std::int64_t> all;
  for (const auto& p : probes)
    all.insert(all.end(), p->latency_ns.begin(), p->latency_ns.end());
  std::sort(all.begin(), all.end());
  if (!all.empty()) {
    state.counters["p50_us"] = static_cast<double>(all[all.size() / 2]) / 1e3;
    state.counters["p99_us"] = static_cast<double>(all[all.size() * 99 / 100]) / 1e3;
  }
  state.SetItemsProcessed(state.iterations() * symbols * rounds);
  nf.stop();
}
BENCHMARK(BM_FeedFanOut41)->Unit(benchmark::kMillisecond)->UseRealTime();

} // namespace

BENCHMARK_MAIN();
