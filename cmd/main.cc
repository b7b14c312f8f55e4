#include <cstdio>
#include <cstring>

#include "cmd/commands.h"

int main(int argc, char** argv) {
  // `socq --version` alone answers before the command tree is built (about a
  // fifth of a start's instructions); any other use goes through CLI11,
  // which prints the same line.
  if (argc == 2 && std::strcmp(argv[1], "--version") == 0) {
    std::puts("socq " SOCQ_VERSION);
    return 0;
  }
  return socq::run_cli(argc, argv);
}
