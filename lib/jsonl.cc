#include "lib/jsonl.h"

#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>
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
constexpr size_t kBlock = 4 << 20;        // bytes read at a time
constexpr size_t kSplitAt = 256 << 10;    // blocks at least this big use both cores

// Bytes to write: a piece of the read buffer, then a '\n' if `newline`.
struct Span {
  const char* p;
  size_t n;
  bool newline;
};

// What validating a stretch of lines gives: the spans to write in order,
// the counts, and the error that stops the copy and the first skipped line
// (each with its line's index in the stretch: a second thread does not know
// where its half starts until the first half is counted).
struct Stretch {
  std::vector<Span> out;
  size_t seen = 0;  // lines gone through, blank ones included
  size_t lines = 0, cases = 0, skipped = 0;
  size_t error_at = 0, first_skip_at = 0;
  std::string first_skip, error;

  void clear() {
    out.clear();
    seen = lines = cases = skipped = 0;
    first_skip.clear(), error.clear();
  }
  // Consecutive clean lines merge into one span: one write per block.
  void emit(const char* p, size_t n, bool newline) {
    if (!out.empty() && !out.back().newline && out.back().p + out.back().n == p) {
      out.back().n += n;
      out.back().newline = newline;
      return;
    }
    out.push_back({p, n, newline});
  }
};

// One validating thread's state, kept from block to block so that a warm
// worker allocates nothing.
struct Worker {
  CaseParser parser;
  std::string padded;  // a line too near the buffer's end, with padding
  Stretch s;
};

struct CopyInput {
  const ReadOptions& opts;
  const char* limit;  // the end of the readable buffer
};

// Validates the stretch's next line at p (its '\n' at p[len] when
// `terminated`; `first` for the file's first line, which may start with a
// BOM) and records what to write; false when the copy must stop.
bool copy_line(Worker& w, const CopyInput& in, bool first, const char* p, size_t len, bool terminated) {
  const size_t index = w.s.seen++;
  size_t trimmed = len;
  if (trimmed > 0 && p[trimmed - 1] == '\r') --trimmed;
  const size_t skip = first && trimmed >= 3 && std::memcmp(p, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
  const std::string_view line(p + skip, trimmed - skip);
  if (is_blank(line)) return true;
  ++w.s.lines;
  const size_t padding = CaseParser::padding();
  const char* data = line.data();
  if (data + line.size() + padding > in.limit) {
    w.padded.assign(line);
    w.padded.append(padding, '\0');
    data = w.padded.data();
  }
  if (auto st = w.parser.validate(data, line.size(), line.size() + padding); !st) {
    if (!in.opts.skip_bad) {
      w.s.error = st.error().message;
      w.s.error_at = index;
      return false;
    }
    if (w.s.skipped++ == 0) w.s.first_skip = st.error().message, w.s.first_skip_at = index;
    return true;
  }
  ++w.s.cases;
  const bool clean = terminated && skip == 0 && trimmed == len;
  if (clean) w.s.emit(p, len + 1, false);  // the line and its '\n' as read
  else w.s.emit(line.data(), line.size(), true);
  return true;
}

// Validates the complete lines of [begin, end).
void copy_lines(Worker& w, const CopyInput& in, const char* begin, const char* end, bool at_file_start) {
  w.s.clear();
  for (const char* p = begin; p < end;) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
    if (!copy_line(w, in, at_file_start && p == begin, p, static_cast<size_t>(nl - p), true)) return;
    p = nl + 1;
  }
}

// Writes the spans: one writev per up to 1024 of them.
Status write_spans(const std::vector<Span>& spans, std::FILE* out) {
  static const char newline = '\n';
  if (std::fflush(out) != 0) return Error{Exit::io, std::string("write error: ") + std::strerror(errno)};
  std::vector<iovec> iov;
  for (const auto& s : spans) {
    iov.push_back({const_cast<char*>(s.p), s.n});
    if (s.newline) iov.push_back({const_cast<char*>(&newline), 1});
  }
  const int fd = fileno(out);
  for (size_t i = 0; i < iov.size();) {
    const int n = static_cast<int>(std::min<size_t>(iov.size() - i, 1024));
    const ssize_t written = ::writev(fd, &iov[i], n);
    if (written < 0 && errno == EINTR) continue;
    if (written < 0) return Error{Exit::io, std::string("write error: ") + std::strerror(errno)};
    // Past what was written; a short write leaves the rest of an iovec.
    size_t left = static_cast<size_t>(written);
    while (i < iov.size() && left >= iov[i].iov_len) left -= iov[i++].iov_len;
    if (left) {
      iov[i].iov_base = static_cast<char*>(iov[i].iov_base) + left;
      iov[i].iov_len -= left;
    }
  }
  return ok_status();
}

std::string at_line(const std::string& name, size_t line_no, const std::string& what) {
  return name + ":" + std::to_string(line_no) + ": " + what;
}

// Adds a stretch whose first line is line_no to stats and writes its spans;
// its error, if any.
Status finish_stretch(const Stretch& s, const std::string& name, size_t line_no, ReadStats& stats, std::FILE* out) {
  stats.lines += s.lines;
  stats.cases += s.cases;
  if (s.skipped && stats.skipped == 0) stats.first_skip = at_line(name, line_no + s.first_skip_at, s.first_skip);
  stats.skipped += s.skipped;
  if (auto st = write_spans(s.out, out); !st) return st;
  if (!s.error.empty()) return Error{Exit::data, at_line(name, line_no + s.error_at, s.error)};
  return ok_status();
}

// Validates and writes the complete lines of [begin, end), the first being
// line_no (advanced past them): in two halves on two threads when the block
// is big and there are two cores.
Status copy_block(Worker (&w)[2], const CopyInput& in, const std::string& name, const char* begin, const char* end,
                  size_t& line_no, ReadStats& stats, std::FILE* out) {
  static const bool two_cores = std::thread::hardware_concurrency() > 1;
  const size_t size = static_cast<size_t>(end - begin);
  const void* nl = size >= kSplitAt && two_cores ? std::memchr(begin + size / 2, '\n', size - size / 2) : nullptr;
  const char* mid = nl ? static_cast<const char*>(nl) + 1 : end;
  const bool at_file_start = line_no == 1;
  std::thread second;
  if (mid != end) second = std::thread([&] { copy_lines(w[1], in, mid, end, false); });
  copy_lines(w[0], in, begin, mid, at_file_start);
  if (second.joinable()) second.join();
  const size_t first_line = line_no;
  line_no += w[0].s.seen;
  if (auto st = finish_stretch(w[0].s, name, first_line, stats, out); !st) return st;
  if (mid == end) return ok_status();
  const size_t second_line = line_no;
  line_no += w[1].s.seen;
  return finish_stretch(w[1].s, name, second_line, stats, out);
}

// Reads until the buffer holds `want` bytes or the input ends; false on a
// read error (errno set).
bool read_some(int fd, std::string& buf, size_t& have, size_t want, bool& eof) {
  while (!eof && have < want) {
    const ssize_t n = ::read(fd, buf.data() + have, want - have);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return eof = true, false;
    if (n == 0) eof = true;
    have += static_cast<size_t>(n);
  }
  return true;
}
}  // namespace

Status copy_cases(const std::string& path, const ReadOptions& opts, ReadStats& stats, std::FILE* out) {
  InputFile input(path);
  if (!input.error().empty()) return Error{Exit::no_input, input.error()};
  const int fd = fileno(input.get());
  const size_t padding = CaseParser::padding();
  size_t block = kBlock;
  std::string buf(block + padding, '\0');
  size_t have = 0, line_no = 1;
  bool eof = false;
  std::string read_error;
  Worker workers[2];
  for (;;) {
    if (!read_some(fd, buf, have, block, eof)) read_error = input.name() + ": read error: " + std::strerror(errno);
    const CopyInput in{opts, buf.data() + buf.size()};
    const char* base = buf.data();
    const void* last_nl = have ? memrchr(base, '\n', have) : nullptr;
    const size_t complete = last_nl ? static_cast<size_t>(static_cast<const char*>(last_nl) - base) + 1 : 0;
    if (complete == 0 && !eof) {  // one line fills the buffer: grow it
      block *= 2;
      buf.resize(block + padding);
      continue;
    }
    if (complete) {
      if (auto st = copy_block(workers, in, input.name(), base, base + complete, line_no, stats, out); !st) return st;
    }
    if (eof) {
      if (have > complete) {  // the last line, without a final newline
        workers[0].s.clear();
        copy_line(workers[0], in, line_no == 1, base + complete, have - complete, false);
        if (auto st = finish_stretch(workers[0].s, input.name(), line_no, stats, out); !st) return st;
      }
      break;
    }
    std::memmove(buf.data(), base + complete, have - complete);
    have -= complete;
  }
  if (std::fflush(out) != 0) return Error{Exit::io, std::string("write error: ") + std::strerror(errno)};
  if (!read_error.empty()) return Error{Exit::io, read_error};
  return ok_status();
}

}  // namespace socq
