// Streaming JSON Lines of cases: read one line at a time from a file or
// stdin into a padded buffer, parse it, name file:line on error; write
// through a large buffer. Memory stays flat whatever the input size.
#pragma once
#include <cstdio>
#include <functional>
#include <string>

#include "lib/case_json.h"
#include "lib/input_file.h"

namespace socq {

// Splits a byte stream into lines: handles CRLF, a UTF-8 BOM on the first
// line, a missing final newline and lines of any length.
class LineReader {
 public:
  // `path` is "-" for stdin. Check error() after construction.
  explicit LineReader(const std::string& path);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  const std::string& error() const { return error_; }
  // Next line without its terminator; the buffer behind it has at least
  // `padding` readable bytes past the end. False at end of input.
  bool next(std::string_view& line, size_t padding);
  size_t line_number() const { return line_no_; }
  const std::string& path() const { return input_.name(); }
  // True if reading failed (as opposed to reaching the end).
  bool read_failed() const { return read_failed_; }

 private:
  bool fill();
  InputFile input_;
  std::string buf_;
  size_t begin_ = 0, end_ = 0;
  bool eof_ = false;
  bool read_failed_ = false;
  size_t line_no_ = 0;
  std::string line_;  // a padded copy when a line must be moved
  std::string error_;
};

struct ReadStats {
  size_t lines = 0;    // non-blank lines seen
  size_t cases = 0;    // cases read
  size_t skipped = 0;  // bad lines skipped (with skip_bad)
  std::string first_skip;  // the first skipped line's error, for the summary
};

struct ReadOptions {
  bool skip_bad = false;
};

// Reads every case of `path`, calling on_case for each. Stops at the first
// bad line with "file:line: field: what" (exit code 65) unless skip_bad.
// on_case may return an Error to stop.
Status read_cases(const std::string& path, const ReadOptions& opts, ReadStats& stats,
                  const std::function<Status(Case&&)>& on_case);

// The pass-through: copies the cases of `path` to `out` as they are. Each
// line is validated in full (CaseParser::validate: read_cases's checks and
// file:line errors, stats and skip_bad) but no Case is built; valid lines
// go out from the read buffer, one write per block, with CRLF, a BOM and
// blank lines dropped as read_cases would. Blocks are validated in two
// halves on two threads where there are two cores; the output keeps the
// input's order and stops before the first bad line.
Status copy_cases(const std::string& path, const ReadOptions& opts, ReadStats& stats, std::FILE* out);

// Buffered writer of JSON Lines to a FILE*.
class JsonlWriter {
 public:
  explicit JsonlWriter(std::FILE* out) : out_(out) {}
  ~JsonlWriter() { (void)flush(); }
  void write(const Case& c);
  Status flush();

 private:
  std::FILE* out_;
  std::string buf_;
};

}  // namespace socq
