#include "actors/budget/spent_ledger.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "actors/budget/token_cache.hpp"

namespace kis {

namespace {

constexpr std::int64_t ledger_magic = 0x4b49534c45444731; // "KISLEDG1"
constexpr std::size_t ledger_bytes = (spent_ledger::slots + 1) * sizeof(std::int64_t);

} // namespace

api::result<std::shared_ptr<spent_ledger>> spent_ledger::open(const std::filesystem::path& file) {
  std::shared_ptr<spent_ledger> out{new spent_ledger};
  out->fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (out->fd_ < 0)
    return api::make_api_error(errc::config,
                               "budget ledger " + file.string() + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(out->fd_, &st) != 0 || static_cast<std::size_t>(st.st_size) != ledger_bytes) {
    out->reset_ = true;
    if (::ftruncate(out->fd_, 0) != 0 ||
        ::ftruncate(out->fd_, static_cast<off_t>(ledger_bytes)) != 0)
      return api::make_api_error(errc::config,
                                 "budget ledger " + file.string() + ": " + std::strerror(errno));
  }
  void* m = ::mmap(nullptr, ledger_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, out->fd_, 0);
  if (m == MAP_FAILED)
    return api::make_api_error(errc::config,
                               "budget ledger " + file.string() + ": " + std::strerror(errno));
  out->map_ = static_cast<std::int64_t*>(m);
  if (out->map_[0] != ledger_magic) {
    out->reset_ = true;
    std::fill(out->map_ + 1, out->map_ + 1 + slots, std::int64_t{0});
    out->map_[0] = ledger_magic;
  }
  // Continue after the newest note, so the previous process's last second is overwritten last.
  const auto* first = out->map_ + 1;
  out->next_ = static_cast<std::size_t>(std::max_element(first, first + slots) - first + 1) % slots;
  return out;
}

spent_ledger::~spent_ledger() {
  if (map_ != nullptr)
    ::munmap(map_, ledger_bytes);
  if (fd_ >= 0)
    ::close(fd_);
}

std::size_t spent_ledger::note(std::int64_t wall_ns) noexcept {
  const auto slot = next_;
  next_ = (next_ + 1) % slots;
  map_[1 + slot] = wall_ns;
  return slot;
}

void spent_ledger::correct(std::size_t slot, std::int64_t wall_ns) noexcept {
  map_[1 + slot % slots] = wall_ns;
}

std::vector<std::int64_t> spent_ledger::since(std::int64_t since_ns) const {
  std::vector<std::int64_t> out;
  for (std::size_t i = 0; i < slots; ++i)
    if (map_[1 + i] > since_ns)
      out.push_back(map_[1 + i]);
  std::sort(out.begin(), out.end());
  return out;
}

std::filesystem::path spent_ledger_path(const std::filesystem::path& dir, api::environment env,
                                        std::string_view app_key) {
  return dir / ("kis-budget-" + std::string{api::to_string_view(env)} + "-" +
                sha256_hex(app_key).substr(0, 16) + ".ledger");
}

} // namespace kis
