#include "lib/input_file.h"

#include <cerrno>
#include <cstring>

namespace socq {

InputFile::InputFile(const std::string& path) : name_(input_name(path)) {
  if (path == "-") {
    file_ = stdin;
    return;
  }
  file_ = std::fopen(path.c_str(), "rb");
  if (!file_) error_ = path + ": " + std::strerror(errno);
  owns_ = file_ != nullptr;
}

InputFile::~InputFile() {
  if (owns_) std::fclose(file_);
}

}  // namespace socq
