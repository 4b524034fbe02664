// Name -> factory of every strategy the binary knows. A strategy file registers itself with
// KIS_REGISTER_STRATEGY("name", class); the TOML config then names it in [[strategy]].
//
// Why registration cannot be dropped: a self-registering object file is referenced by no
// one, so a linker pulling members out of a static archive would skip it. The strategy files
// therefore live in the kis_strategy_library archive, which consumers get through the
// kis_strategies target linked as WHOLE_ARCHIVE (strategies/CMakeLists.txt): every member
// is kept, every registration runs before main().
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

#include "strategies/strategy.hpp"

namespace kis {

using strategy_factory = std::function<std::unique_ptr<strategy>()>;

// A strategy written in another language: a [[strategy]] table with `file` (a path ending in
// .py, or a module name) and optionally `class` (which class of it to run).
struct strategy_source {
  std::string id;
  std::string file;
  std::string class_name;
};

// Turns a strategy_source into a strategy, or a typed errc::config error. The Python binding
// (strategies/python) installs one when it is linked into the binary.
using strategy_file_loader =
    std::function<caf::expected<std::unique_ptr<strategy>>(const strategy_source&)>;

struct strategy_info {
  std::string name;
  strategy_factory make;
  bool example = false; // shipped example: trades by default only in sim mode
};

class strategy_registry {
public:
  // The registry of this binary. Filled during static initialisation, read-only afterwards.
  static strategy_registry& global();

  // False when the name is taken (the first registration wins).
  bool add(std::string name, strategy_factory make, bool example = false);

  const strategy_info* find(std::string_view name) const;
  std::unique_ptr<strategy> make(std::string_view name) const;
  std::vector<std::string> names() const;

  // The loader of file strategies; null when this binary has none (no Python support).
  bool set_file_loader(strategy_file_loader load);
  const strategy_file_loader& file_loader() const noexcept { return file_loader_; }

private:
  std::map<std::string, strategy_info, std::less<>> entries_;
  strategy_file_loader file_loader_;
};

} // namespace kis

#define KIS_STRATEGY_CAT2_(a, b) a##b
#define KIS_STRATEGY_CAT_(a, b) KIS_STRATEGY_CAT2_(a, b)

// Registers `type` (default-constructible, derived from kis::strategy) under `name`.
#define KIS_REGISTER_STRATEGY_IMPL_(name, type, example)                                           \
  namespace {                                                                                      \
  [[maybe_unused]] const bool KIS_STRATEGY_CAT_(kis_strategy_registered_, __LINE__) =              \
      ::kis::strategy_registry::global().add(                                                      \
          name, []() -> std::unique_ptr<::kis::strategy> { return std::make_unique<type>(); },     \
          example);                                                                                \
  }

#define KIS_REGISTER_STRATEGY(name, type) KIS_REGISTER_STRATEGY_IMPL_(name, type, false)
// For the strategies shipped with the engine: in paper/live they trade only when the
// config says trade = true explicitly.
#define KIS_REGISTER_EXAMPLE_STRATEGY(name, type) KIS_REGISTER_STRATEGY_IMPL_(name, type, true)
