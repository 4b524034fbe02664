// The simulator's seeded randomness: splitmix64 (tiny, fast and the same on every platform,
// unlike the std distributions) and FNV-1a to derive a stream from a name.
#pragma once

#include <cmath>
#include <cstdint>
#include <string_view>

namespace kis::sim {

class rng {
public:
  explicit rng(std::uint64_t seed) noexcept
      : state_(seed) {}
  std::uint64_t next() noexcept {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  std::uint64_t below(std::uint64_t n) noexcept { return n == 0 ? 0 : next() % n; }
  double unit() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  // A standard normal draw (Box-Muller), for log-normal sizes and prices.
  double normal() noexcept {
    const double u = 1.0 - unit(); // (0, 1]: log(u) is finite
    return std::sqrt(-2.0 * std::log(u)) * std::cos(6.283185307179586 * unit());
  }

private:
  std::uint64_t state_;
};

constexpr std::uint64_t fnv1a(std::string_view s) noexcept {
  std::uint64_t h = 14695981039346656037ull;
  for (char c : s)
    h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return h;
}

} // namespace kis::sim
