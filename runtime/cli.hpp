// kis-engine's command line: `run`, `metrics`, `top`. main() only calls run_cli.
#pragma once

#include <iosfwd>

namespace kis::runtime {

int run_cli(int argc, char** argv);

} // namespace kis::runtime
