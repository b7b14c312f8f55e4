// Cases to and from JSON text: the hot path. Reading uses simdjson On
// Demand for the known fields and keeps unknown members as their original
// text (each checked by simdjson's validating DOM parser); writing is a
// direct writer in one canonical member order.
#pragma once
#include <memory>
#include <string>
#include <string_view>

#include "lib/case.h"

namespace socq {

class CaseParser {
 public:
  CaseParser();
  ~CaseParser();
  CaseParser(const CaseParser&) = delete;
  CaseParser& operator=(const CaseParser&) = delete;

  // Parses one case from `len` bytes at `data`; the buffer must stay
  // readable up to `capacity` >= len + padding() bytes. On error the message
  // names the field at fault ("messages[2].at: ...").
  Result<Case> parse(const char* data, size_t len, size_t capacity);
  // The same checks and errors as parse() without building the Case (no
  // allocation once warm): for a case that is written back unchanged.
  Status validate(const char* data, size_t len, size_t capacity);
  Status validate(std::string_view json);
  // parse() into `c`, reusing its memory: its strings, messages and
  // events keep their buffers, so a reader that parses line after line into
  // one Case allocates little once warm. The result equals parse()'s; on
  // error `c` holds part of the line.
  Status parse_reusing(const char* data, size_t len, size_t capacity, Case& c);
  // Convenience for tests and small inputs: copies into a padded buffer.
  Result<Case> parse(std::string_view json);
  static size_t padding();
  // Lines are read first by a one-pass reader that gives up on anything
  // unusual (lib/json_cursor.h), then, if it gave up, by simdjson, whose
  // verdict and error stand. Off reads every line with simdjson alone: the
  // results are the same, which the tests and the fuzzer check.
  void use_fast_path(bool on);
  // How many lines the fast path gave to simdjson so far (for the tests).
  size_t fast_path_gave_up() const;
  // Whether parse() keeps the line in Case::source (the default) for
  // write_case to write an unchanged case back byte for byte. A reader that
  // writes nothing, or writes the line it read itself, saves the copy.
  void keep_source(bool keep) { keep_source_ = keep; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  bool keep_source_ = true;
};

// Appends the case as one line of JSON (no newline): the source bytes if
// the case is unchanged since it was read, else the canonical form.
void write_case(std::string& out, const Case& c);
void write_case_canonical(std::string& out, const Case& c);
std::string case_to_json(const Case& c);

// A channel name as cases hold it: lower-case letters, digits, '_' and '-'.
bool valid_channel_name(std::string_view s);

// Appends s as a JSON string literal (quotes included).
void write_json_string(std::string& out, std::string_view s);

}  // namespace socq
