#include "lib/toml_file.h"

namespace socq {

Result<toml::table> parse_toml_file(const std::string& path) {
  try {
    return toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return Error{Exit::config, path + ":" + std::to_string(e.source().begin.line) + ": " + std::string(e.description())};
  }
}

std::string toml_where(const std::string& path, const toml::node& node) {
  return path + ":" + std::to_string(node.source().begin.line);
}

}  // namespace socq
