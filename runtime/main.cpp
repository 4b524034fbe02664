#include "runtime/cli.hpp"

int main(int argc, char** argv) {
  return kis::runtime::run_cli(argc, argv);
}
