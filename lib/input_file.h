// An input named on the command line: a file, or "-" for stdin (never
// closed here). Errors name the path.
#pragma once
#include <cstdio>
#include <string>

namespace socq {

// The name of an input for messages: the path, or "<stdin>" for "-".
inline std::string input_name(const std::string& path) { return path == "-" ? "<stdin>" : path; }

class InputFile {
 public:
  explicit InputFile(const std::string& path);
  ~InputFile();
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  std::FILE* get() const { return file_; }
  // The name for messages: the path, or "<stdin>".
  const std::string& name() const { return name_; }
  // Why it could not be opened, or "".
  const std::string& error() const { return error_; }

 private:
  std::FILE* file_ = nullptr;
  bool owns_ = false;
  std::string name_, error_;
};

}  // namespace socq
