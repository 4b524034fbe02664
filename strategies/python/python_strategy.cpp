#include "strategies/python/python_strategy.hpp"

#include <filesystem>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "messages/errors.hpp"

namespace kis::python {

namespace py = pybind11;

namespace {

// A raised handler is logged this often (the first ones, then every 1000th): counted always,
// never allowed to flood the log.
bool worth_logging(std::uint64_t n) noexcept {
  return n <= 5 || n % 1000 == 0;
}

std::string module_name_for(const std::string& id) {
  std::string out = "kis_strategy_";
  for (char c : id)
    out += (std::isalnum(static_cast<unsigned char>(c)) != 0) ? c : '_';
  return out;
}

bool is_path(const std::string& file) {
  return file.ends_with(".py") || file.find('/') != std::string::npos;
}

py::module_ import_source(const strategy_source& src) {
  auto importlib = py::module_::import("importlib");
  if (!is_path(src.file))
    return importlib.attr("import_module")(src.file);
  std::filesystem::path path{src.file};
  if (!std::filesystem::is_regular_file(path))
    throw std::runtime_error("no such file");
  // Modules next to the strategy file import as they would from a script.
  auto dir = std::filesystem::absolute(path).parent_path().string();
  py::list sys_path = py::module_::import("sys").attr("path");
  if (!sys_path.contains(dir))
    sys_path.insert(0, dir);
  auto util = py::module_::import("importlib.util");
  auto name = module_name_for(src.id);
  auto spec = util.attr("spec_from_file_location")(name, path.string());
  auto module = util.attr("module_from_spec")(spec);
  py::module_::import("sys").attr("modules")[py::str(name)] = module;
  spec.attr("loader").attr("exec_module")(module);
  return module;
}

// The class to run: the named one, or the one kis.Strategy subclass the module defines.
py::object find_class(const py::module_& module, const strategy_source& src) {
  auto base = py::module_::import("kis").attr("Strategy");
  auto is_strategy_class = [&](const py::handle& obj) {
    return PyType_Check(obj.ptr()) != 0 && !obj.is(base) &&
           PyObject_IsSubclass(obj.ptr(), base.ptr()) == 1;
  };
  if (!src.class_name.empty()) {
    if (!py::hasattr(module, src.class_name.c_str()))
      throw std::runtime_error("it has no class '" + src.class_name + "'");
    auto cls = module.attr(src.class_name.c_str());
    if (!is_strategy_class(cls))
      throw std::runtime_error("'" + src.class_name + "' is not a subclass of kis.Strategy");
    return cls;
  }
  py::object found;
  std::string names;
  auto own_name = module.attr("__name__");
  for (auto item : module.attr("__dict__").cast<py::dict>()) {
    auto obj = item.second;
    if (!is_strategy_class(obj) || !obj.attr("__module__").equal(own_name))
      continue;
    names += (names.empty() ? "" : ", ") + py::str(item.first).cast<std::string>();
    found = py::reinterpret_borrow<py::object>(obj);
  }
  if (!found)
    throw std::runtime_error("it defines no subclass of kis.Strategy");
  if (names.find(',') != std::string::npos)
    throw std::runtime_error("it defines several kis.Strategy subclasses (" + names +
                             "): name one with class = \"...\"");
  return found;
}

} // namespace

python_strategy::python_strategy(py::object instance, std::string id)
    : instance_(std::move(instance))
    , id_(std::move(id))
    , link_(std::make_shared<host_link>(host_link{this})) {
  instance_.attr("_kis_host") = py::cast(link_);
  on_history_ = handler("on_history");
  on_tick_ = handler("on_tick");
  on_quote_ = handler("on_quote");
  on_bar_ = handler("on_bar");
  on_order_update_ = handler("on_order_update");
  on_session_ = handler("on_session");
  slot_.label = "strategy '" + id_ + "'";
}

python_strategy::~python_strategy() {
  link_->owner = nullptr;
  gil_hold gil; // Python objects are released under the GIL
  on_history_ = on_tick_ = on_quote_ = on_bar_ = on_order_update_ = on_session_ = py::object{};
  instance_ = py::object{};
}

py::object python_strategy::handler(const char* name) const {
  auto base = py::module_::import("kis").attr("Strategy");
  auto own = py::type::of(instance_).attr(name);
  if (own.is(base.attr(name)))
    return py::object{};
  return instance_.attr(name);
}

template <class Arg>
void python_strategy::call(const py::object& method, const char* name, const Arg& arg) {
  if (!method)
    return;
  gil_hold gil;
  call_slot::scope watched{slot_, name};
  try {
    method(arg);
  } catch (py::error_already_set& e) {
    ++errors_;
    std::string what = e.what();
    if (worth_logging(errors_))
      spdlog::warn("strategy '{}': {} raised (error {}): {}", id_, name, errors_, what);
    throw std::runtime_error(std::move(what)); // the host counts it like a C++ exception
  }
}

void python_strategy::on_start(strategy_params& params) {
  gil_hold gil;
  call_slot::scope watched{slot_, "on_start"};
  auto view = std::make_shared<params_link>(params_link{&params});
  try {
    instance_.attr("on_start")(py::cast(view));
  } catch (py::error_already_set& e) {
    view->params = nullptr;
    throw std::runtime_error(e.what());
  }
  view->params = nullptr; // a Params kept by the strategy is dead from here on
}

void python_strategy::on_history(const market_event& ev) {
  call(on_history_, "on_history", ev);
}
void python_strategy::on_tick(const market_event& ev) {
  call(on_tick_, "on_tick", ev);
}
void python_strategy::on_quote(const market_event& ev) {
  call(on_quote_, "on_quote", ev);
}
void python_strategy::on_bar(const market_event& ev) {
  call(on_bar_, "on_bar", ev);
}
void python_strategy::on_order_update(const order_update& up) {
  call(on_order_update_, "on_order_update", up);
}
void python_strategy::on_session(const session_change& ev) {
  call(on_session_, "on_session", ev);
}

caf::expected<std::unique_ptr<strategy>> load_strategy(const strategy_source& src) {
  ensure_interpreter();
  gil_hold gil;
  auto fail = [&](const std::string& why) {
    return make_kis_error(errc::config, "strategy '" + src.id + "': file '" + src.file +
                                            "' cannot be loaded: " + why);
  };
  try {
    auto module = import_source(src);
    auto cls = find_class(module, src);
    auto instance = cls();
    return std::unique_ptr<strategy>{std::make_unique<python_strategy>(instance, src.id)};
  } catch (py::error_already_set& e) {
    return fail(e.what());
  } catch (const std::exception& e) {
    return fail(e.what());
  }
}

namespace {

// Linked in whole (strategies/CMakeLists.txt): the registry learns to load Python files.
[[maybe_unused]] const bool installed = strategy_registry::global().set_file_loader(load_strategy);

} // namespace

} // namespace kis::python
