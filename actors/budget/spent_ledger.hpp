// The rate governor's memory across processes: when its most recent permits were (or could
// have been) spent, on the wall clock, in a small file mapped into memory. A process killed
// with kill -9 leaves the record behind in the page cache, so the next process starts knowing
// which calls of the last second the server may still be counting, instead of granting a full
// second's budget on top of them (EGW00201). Writing is a store into the mapping: no system
// call on the governor's path.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string_view>
#include <vector>

#include "kis/endpoints.hpp"
#include "kis/result.hpp"

namespace kis {

class spent_ledger {
public:
  static constexpr std::size_t slots = 64; // more than any per-second limit KIS grants

  // Opens or creates the ledger file (mode 0600). A file of another size or without the
  // format's magic is reset, and the returned ledger reports was_reset().
  static api::result<std::shared_ptr<spent_ledger>> open(const std::filesystem::path& file);

  ~spent_ledger();
  spent_ledger(const spent_ledger&) = delete;
  spent_ledger& operator=(const spent_ledger&) = delete;

  // Remembers that a permit's request may leave until wall_ns; returns the slot, so that a
  // later, exact note for the same permit replaces the first, conservative one. The oldest
  // note gives way.
  std::size_t note(std::int64_t wall_ns) noexcept;
  void correct(std::size_t slot, std::int64_t wall_ns) noexcept;

  // Times after since_ns (wall clock), oldest first.
  std::vector<std::int64_t> since(std::int64_t since_ns) const;

  bool was_reset() const noexcept { return reset_; }

private:
  spent_ledger() = default;
  int fd_ = -1;
  std::int64_t* map_ = nullptr; // magic, then `slots` times
  bool reset_ = false;
  std::size_t next_ = 0;
};

// <dir>/kis-budget-<env>-<first 16 hex digits of sha256(app_key)>.ledger: one per account
// budget, like the token cache.
std::filesystem::path spent_ledger_path(const std::filesystem::path& dir, api::environment env,
                                        std::string_view app_key);

} // namespace kis
