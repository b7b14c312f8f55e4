// toml++'s parser compiled once into socq (TOML_HEADER_ONLY=0 in CMake):
// Debian's libtomlplusplus.so would bring libstdc++.so to every start
// (cxx_dl.h).
#define TOML_IMPLEMENTATION
#include "lib/tomlpp.h"
