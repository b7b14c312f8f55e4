// A streaming CSV reader (RFC 4180) that copes with real exports: quoted
// fields with commas, quotes and newlines; CRLF or LF records; a bare CR
// inside an unquoted field is data, not a record end; a UTF-8 BOM.
#pragma once
#include <cstdio>
#include <string>
#include <vector>

#include "lib/input_file.h"
#include "lib/result.h"

namespace socq {

class CsvReader {
 public:
  // `path` is "-" for stdin. Check error() after construction.
  explicit CsvReader(const std::string& path);
  ~CsvReader();
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  const std::string& error() const { return error_; }
  // The error was reading the input (a directory, an I/O error), not its
  // content: exit 74 like the JSON Lines reader, not 65.
  bool read_failed() const { return read_failed_; }
  const std::string& path() const { return input_.name(); }
  // Reads the next non-empty record into fields. False at the end, or on
  // an error (then error() says what, naming the line).
  bool next(std::vector<std::string>& fields);
  // The line on which the last record started (1-based).
  size_t record_line() const { return record_line_; }
  size_t bytes_read() const { return bytes_read_; }

 private:
  int get();
  int peek();
  InputFile input_;
  std::vector<char> buf_;
  size_t pos_ = 0, len_ = 0;
  size_t line_ = 1, record_line_ = 0, bytes_read_ = 0;
  bool first_ = true;
  bool read_failed_ = false;
  std::string error_;
};

// One CSV record (RFC 4180): fields quoted when they hold a comma, quote,
// CR or LF; quotes doubled; ends with CRLF as the RFC says.
std::string csv_record(const std::vector<std::string>& fields);

}  // namespace socq
