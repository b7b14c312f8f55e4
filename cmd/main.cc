#include "cmd/commands.h"

int main(int argc, char** argv) { return socq::run_cli(argc, argv); }
