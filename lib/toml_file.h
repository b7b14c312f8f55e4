// Reading a TOML file with errors as values naming file:line (exit 78).
#pragma once
#include <string>
#include "lib/tomlpp.h"

#include "lib/result.h"

namespace socq {

Result<toml::table> parse_toml_file(const std::string& path);
// "file:line" of a node, for messages.
std::string toml_where(const std::string& path, const toml::node& node);

}  // namespace socq
