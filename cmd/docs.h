// Man pages and shell completion, both read off the CLI11 command tree so
// an option can never go undocumented or uncompleted.
#pragma once
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace socq {

// roff for socq(1) (command empty) or socq-COMMAND(1).
std::string man_page(const CLI::App& root, const std::string& command);
// Candidates for the last of `words` (the word being completed), given the
// words before it (without the program name).
std::vector<std::string> complete(const CLI::App& root, const std::vector<std::string>& words);

}  // namespace socq
