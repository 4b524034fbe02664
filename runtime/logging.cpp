#include "runtime/logging.hpp"

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

namespace kis::log {

namespace {

// The secrets, guarded because any thread may log. Copy-on-write so readers never wait long.
struct secret_store {
  std::mutex mtx;
  std::shared_ptr<const std::vector<std::string>> items =
      std::make_shared<std::vector<std::string>>();

  std::shared_ptr<const std::vector<std::string>> get() {
    std::lock_guard guard{mtx};
    return items;
  }
  void add(std::string s) {
    std::lock_guard guard{mtx};
    if (std::find(items->begin(), items->end(), s) != items->end())
      return; // known: the transport registers its token on every call
    auto next = std::make_shared<std::vector<std::string>>(*items);
    next->push_back(std::move(s));
    // Longest first, so a secret that contains another is replaced whole.
    std::sort(next->begin(), next->end(),
              [](const auto& a, const auto& b) { return a.size() > b.size(); });
    items = std::move(next);
  }
};

secret_store& secrets() {
  static secret_store store;
  return store;
}

// Wraps the real sink and redacts the formatted line before it is written.
class redacting_sink final : public spdlog::sinks::base_sink<std::mutex> {
public:
  explicit redacting_sink(spdlog::sink_ptr inner)
      : inner_(std::move(inner)) {}

protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    auto text = redact(std::string{msg.payload.data(), msg.payload.size()});
    spdlog::details::log_msg copy{msg.time, msg.source, msg.logger_name, msg.level, text};
    inner_->log(copy);
  }
  void flush_() override { inner_->flush(); }

private:
  spdlog::sink_ptr inner_;
};

constexpr std::size_t min_secret_length = 6;

} // namespace

std::string redact(std::string text) {
  auto list = secrets().get();
  for (const auto& s : *list) {
    for (auto pos = text.find(s); pos != std::string::npos; pos = text.find(s, pos + 3))
      text.replace(pos, s.size(), "***");
  }
  return text;
}

void add_secret(std::string secret) {
  if (secret.size() >= min_secret_length)
    secrets().add(std::move(secret));
}

bool set_level(std::string_view level) {
  auto lvl = spdlog::level::from_str(std::string{level});
  if (lvl == spdlog::level::off && level != "off")
    return false;
  spdlog::set_level(lvl);
  return true;
}

void init(std::string_view level, const std::string& file_path) {
  spdlog::sink_ptr inner;
  if (file_path.empty())
    inner = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  else
    inner = std::make_shared<spdlog::sinks::basic_file_sink_mt>(file_path, false);
  auto logger = std::make_shared<spdlog::logger>("kis", std::make_shared<redacting_sink>(inner));
  logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %v");
  // A log file is read while the engine runs (tail -f, the port lines): info and above reach
  // it at once; trace and debug lines go out with them.
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
  set_level(level);
}

} // namespace kis::log
