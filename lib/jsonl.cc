#include "lib/jsonl.h"

#include "lib/case_blocks.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

namespace socq {
namespace {
constexpr size_t kChunk = 1 << 20;

bool is_blank(std::string_view s) {
  for (char ch : s)
    if (ch != ' ' && ch != '\t') return false;
  return true;
}
}  // namespace

LineReader::LineReader(const std::string& path) : input_(path) {
  error_ = input_.error();
  if (error_.empty()) buf_.resize(kChunk);
}

LineReader::~LineReader() = default;

// Moves unread bytes to the front and reads more; grows the buffer when a
// single line fills it.
bool LineReader::fill() {
  if (eof_) return false;
  if (begin_ > 0) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buf_.size()) buf_.resize(buf_.size() * 2);
  const size_t n = std::fread(buf_.data() + end_, 1, buf_.size() - end_, input_.get());
  if (n == 0) {
    eof_ = true;
    if (std::ferror(input_.get())) {
      read_failed_ = true;
      error_ = input_.name() + ": read error: " + std::strerror(errno);
    }
    return false;
  }
  end_ += n;
  return true;
}

bool LineReader::next(std::string_view& line, size_t padding) {
  for (;;) {
    const char* start = buf_.data() + begin_;
    const void* nl = std::memchr(start, '\n', end_ - begin_);
    size_t len;
    if (nl) {
      len = static_cast<const char*>(nl) - start;
    } else if (!fill()) {
      if (begin_ == end_) return false;
      len = end_ - begin_;  // last line without a final newline
    } else {
      continue;
    }
    start = buf_.data() + begin_;
    const size_t consumed = nl || len < end_ - begin_ ? len + 1 : len;
    ++line_no_;
    size_t trimmed = len;
    if (trimmed > 0 && start[trimmed - 1] == '\r') --trimmed;
    size_t skip = 0;
    if (line_no_ == 1 && trimmed >= 3 && std::memcmp(start, "\xEF\xBB\xBF", 3) == 0) skip = 3;
    // The parser may read `padding` bytes past the line: fine inside the
    // buffer; otherwise copy the line into a padded string.
    const size_t line_end = begin_ + trimmed;
    if (line_end + padding <= buf_.size()) {
      line = std::string_view(start + skip, trimmed - skip);
    } else {
      line_.assign(start + skip, trimmed - skip);
      line_.reserve(line_.size() + padding);
      line = line_;
    }
    begin_ += std::min(consumed, end_ - begin_);
    return true;
  }
}

Status read_cases(const std::string& path, const ReadOptions& opts, ReadStats& stats,
                  const std::function<Status(Case&&)>& on_case) {
  LineReader reader(path);
  if (!reader.error().empty()) return Error{Exit::no_input, reader.error()};
  CaseParser parser;
  const size_t padding = CaseParser::padding();
  std::string_view line;
  while (reader.next(line, padding)) {
    if (is_blank(line)) continue;
    ++stats.lines;
    // The buffer behind `line` is readable for `padding` more bytes.
    auto parsed = parser.parse(line.data(), line.size(), line.size() + padding);
    if (!parsed) {
      std::string where = reader.path() + ":" + std::to_string(reader.line_number()) + ": ";
      if (!opts.skip_bad) return Error{Exit::data, where + parsed.error().message};
      if (stats.skipped++ == 0) stats.first_skip = where + parsed.error().message;
      continue;
    }
    ++stats.cases;
    if (auto st = on_case(std::move(parsed).value()); !st) return st;
  }
  if (reader.read_failed()) return Error{Exit::io, reader.error()};
  return ok_status();
}

void JsonlWriter::write(const Case& c) {
  write_case(buf_, c);
  buf_.push_back('\n');
  if (buf_.size() >= kChunk) (void)flush();
}

Status JsonlWriter::flush() {
  if (!buf_.empty()) {
    const size_t n = std::fwrite(buf_.data(), 1, buf_.size(), out_);
    buf_.clear();
    if (n == 0 && std::ferror(out_)) return Error{Exit::io, std::string("write error: ") + std::strerror(errno)};
  }
  if (std::fflush(out_) != 0) return Error{Exit::io, std::string("write error: ") + std::strerror(errno)};
  return ok_status();
}

// ---- the pass-through ----

namespace {
// Validates each line (no Case is built) and keeps the valid ones as spans
// of the read buffer: consecutive clean lines merge into one span, so a
// block goes out in one writev.
class ValidateWorker final : public LineWorker {
 public:
  void begin() override { spans_.clear(); }
  Status line(const char* data, size_t len, size_t capacity, std::string_view as_read, bool with_newline) override {
    if (auto st = parser_.validate(data, len, capacity); !st) return Error{Exit::data, st.error().message};
    emit(as_read.data(), as_read.size(), !with_newline);
    return ok_status();
  }
  void take_output(StretchOutput& into) override { std::swap(spans_, into.spans); }

 private:
  void emit(const char* p, size_t n, bool newline) {
    if (!spans_.empty() && !spans_.back().newline && spans_.back().p + spans_.back().n == p) {
      spans_.back().n += n;
      spans_.back().newline = newline;
      return;
    }
    spans_.push_back({p, n, newline});
  }
  CaseParser parser_;
  std::vector<Span> spans_;
};
}  // namespace

Status copy_cases(const std::string& path, const ReadOptions& opts, ReadStats& stats, std::FILE* out) {
  ValidateWorker first, second;
  return run_line_workers(path, opts, stats, first, two_threads() ? &second : nullptr, out);
}

}  // namespace socq
