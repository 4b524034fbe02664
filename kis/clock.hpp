// Wall-clock time through an interface, so expiry and rate logic can be tested with a fake.
// Actors use their CAF clock (virtual under the test coordinator); plain code uses this.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <utility>

namespace kis {

using wall_time = std::chrono::system_clock::time_point;

class wall_clock {
public:
  virtual ~wall_clock() = default;
  virtual wall_time now() const noexcept = 0;
  std::int64_t now_ns() const noexcept {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(now().time_since_epoch()).count();
  }
};

class system_wall_clock final : public wall_clock {
public:
  wall_time now() const noexcept override { return std::chrono::system_clock::now(); }
};

// A clock that moves only when told to; safe to read from several threads.
class manual_wall_clock final : public wall_clock {
public:
  explicit manual_wall_clock(wall_time start = wall_time{std::chrono::seconds{1'767'225'600}})
      : ns_(std::chrono::duration_cast<std::chrono::nanoseconds>(start.time_since_epoch())
                .count()) {}
  wall_time now() const noexcept override {
    return wall_time{std::chrono::duration_cast<wall_time::duration>(
        std::chrono::nanoseconds{ns_.load(std::memory_order_acquire)})};
  }
  void advance(std::chrono::nanoseconds d) noexcept { ns_.fetch_add(d.count()); }
  void set(wall_time t) noexcept {
    ns_.store(std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count());
  }

private:
  std::atomic<std::int64_t> ns_;
};

// A clock that starts at a chosen instant and runs `speed` times as fast as its base: the
// simulator's market clock ("19:30 KST on a Tuesday", an hour a minute at speed 60), which
// whoever must agree with the market can share. Deterministic over a manual base clock.
class scaled_wall_clock final : public wall_clock {
public:
  scaled_wall_clock(std::shared_ptr<const wall_clock> base, wall_time start, double speed)
      : base_(std::move(base))
      , base_start_(base_->now())
      , start_(start)
      , speed_(speed > 0 ? speed : 1.0) {}

  wall_time now() const noexcept override {
    const auto elapsed = std::chrono::duration<double, std::nano>(base_->now() - base_start_);
    return start_ + std::chrono::duration_cast<wall_time::duration>(elapsed * speed_);
  }
  double speed() const noexcept { return speed_; }

private:
  std::shared_ptr<const wall_clock> base_;
  wall_time base_start_;
  wall_time start_;
  double speed_;
};

// The process-wide real clock.
inline std::shared_ptr<const wall_clock> default_wall_clock() {
  static auto clk = std::make_shared<system_wall_clock>();
  return clk;
}

} // namespace kis
