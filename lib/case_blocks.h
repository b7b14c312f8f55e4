// A JSON Lines input of cases read in large blocks, each block's lines
// handled in two halves on two threads where there are two cores, with the
// output, the counts and the errors of a one-thread read: what the
// pass-through, triage and report share. A worker keeps its state from block
// to block (a warm worker allocates little) and what it allocates is freed
// on its own thread, so glibc's cross-thread frees do not eat the gain.
#pragma once
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lib/case_json.h"
#include "lib/jsonl.h"
#include "lib/result.h"

namespace socq {

// Bytes for the output: a piece of the read buffer, then a '\n' if
// `newline`.
struct Span {
  const char* p;
  size_t n;
  bool newline;
};

// What a stretch of lines made for the output, in input order: owned text,
// then spans of the read buffer (which the engine keeps until written).
struct StretchOutput {
  std::string text;
  std::vector<Span> spans;
  void clear() {
    text.clear();
    spans.clear();
  }
};

// One thread's work on the lines of a block. The engine strips a BOM, a CR
// and blank lines, counts, skips bad lines under skip_bad and stops at the
// first error; a worker only says what a line is worth.
class LineWorker {
 public:
  virtual ~LineWorker() = default;
  // A new stretch of lines begins (the worker drops what it kept for the
  // last one, keeping its memory).
  virtual void begin() = 0;
  // One non-blank line: `data` has len bytes and is readable to `capacity`
  // (CaseParser's padding; it may be a copy). `as_read` is the line in the
  // read buffer: with its '\n' when `with_newline` (it needed no trimming),
  // else without BOM, CR or '\n'. An error with Exit::data is a bad line
  // (skipped under skip_bad); any other error stops the read.
  virtual Status line(const char* data, size_t len, size_t capacity, std::string_view as_read,
                      bool with_newline) = 0;
  // Hands over what the stretch made for the output (its own buffers are
  // left for the next stretch): the engine writes it in input order while
  // the workers go on with the next block.
  virtual void take_output(StretchOutput& into) = 0;
};

// Feeds every line of `path` ("-": stdin) to the workers: second may be
// null (one thread). out may be null when the workers write nothing.
Status run_line_workers(const std::string& path, const ReadOptions& opts, ReadStats& stats, LineWorker& first,
                        LineWorker* second, std::FILE* out);

// Whether a second thread is worth it here (two cores, and SOCQ_THREADS is
// not 1: tests compare one thread with two).
bool two_threads();

// A line as read: the bytes in the read buffer, with their '\n' when
// `with_newline` (see LineWorker::line).
struct LineRead {
  std::string_view text;
  bool with_newline;
};

// A worker that parses each line into a Case and hands it on; what
// on_case appends to `out` is written in input order.
class CaseWorker : public LineWorker {
 public:
  void begin() override { out_.clear(); }
  Status line(const char* data, size_t len, size_t capacity, std::string_view as_read, bool with_newline) override;
  void take_output(StretchOutput& into) override { std::swap(out_, into.text); }

 protected:
  virtual Status on_case(Case&& c, const LineRead& line, std::string& out) = 0;
  CaseParser parser_;

 private:
  std::string out_;
  Case case_;  // parsed into line after line, keeping its memory (on_case may move it away)
};

}  // namespace socq
