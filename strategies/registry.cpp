#include "strategies/registry.hpp"

#include <utility>

#include "messages/errors.hpp"

namespace kis {

strategy_registry& strategy_registry::global() {
  static strategy_registry instance;
  return instance;
}

bool strategy_registry::add(std::string name, strategy_factory make, bool example) {
  if (name.empty() || !make || entries_.count(name) != 0)
    return false;
  strategy_info info{name, std::move(make), example};
  entries_.emplace(std::move(name), std::move(info));
  return true;
}

const strategy_info* strategy_registry::find(std::string_view name) const {
  auto i = entries_.find(name);
  return i != entries_.end() ? &i->second : nullptr;
}

std::unique_ptr<strategy> strategy_registry::make(std::string_view name) const {
  auto* info = find(name);
  return info != nullptr ? info->make() : nullptr;
}

std::vector<std::string> strategy_registry::names() const {
  std::vector<std::string> out;
  for (const auto& [name, info] : entries_)
    out.push_back(name);
  return out;
}

bool strategy_registry::set_file_loader(strategy_file_loader load) {
  if (file_loader_ || !load)
    return false;
  file_loader_ = std::move(load);
  return true;
}

// --- strategy_params -----------------------------------------------------------------------

void strategy_params::wrong_type(std::string_view name, std::string_view expected) {
  problems_.push_back("parameter '" + std::string{name} + "' must be " + std::string{expected});
}

std::vector<std::string> strategy_params::problems() const {
  auto out = problems_;
  for (const auto& [name, value] : values_)
    if (read_.count(name) == 0)
      out.push_back("unknown parameter '" + name + "'");
  return out;
}

caf::error strategy_params::check(std::string_view strategy_id) const {
  auto all = problems();
  if (all.empty())
    return caf::error{};
  std::string msg = "strategy '" + std::string{strategy_id} + "': ";
  for (std::size_t i = 0; i < all.size(); ++i)
    msg += (i == 0 ? "" : "; ") + all[i];
  return make_kis_error(errc::config, std::move(msg));
}

} // namespace kis
