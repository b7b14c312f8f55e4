#include "lib/case_blocks.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <thread>

#include "lib/input_file.h"

namespace socq {
namespace {
constexpr size_t kBlock = 4 << 20;      // bytes read at a time
constexpr size_t kSplitAt = 256 << 10;  // blocks at least this big use both cores

bool is_blank(std::string_view s) {
  for (char ch : s)
    if (ch != ' ' && ch != '\t') return false;
  return true;
}

// What a stretch of lines gave: the counts, and the error that stops the
// read and the first skipped line (each with its line's index in the
// stretch: a second thread does not know where its half starts until the
// first half is counted).
struct Stretch {
  size_t seen = 0;  // lines gone through, blank ones included
  size_t lines = 0, cases = 0, skipped = 0;
  size_t error_at = 0, first_skip_at = 0;
  std::string first_skip;
  std::optional<Error> error;

  void clear() {
    seen = lines = cases = skipped = 0;
    first_skip.clear(), error.reset();
  }
};

// A worker and its stretch.
struct Lane {
  LineWorker* worker;
  Stretch s;
  std::string padded;  // a line too near the buffer's end, with padding
};

struct BlockInput {
  const ReadOptions& opts;
  const char* limit;  // the end of the readable buffer
};

// The stretch's next line at p (its '\n' at p[len] when `terminated`;
// `first` for the file's first line, which may start with a BOM); false
// when the read must stop.
bool take_line(Lane& lane, const BlockInput& in, bool first, const char* p, size_t len, bool terminated) {
  Stretch& s = lane.s;
  const size_t index = s.seen++;
  size_t trimmed = len;
  if (trimmed > 0 && p[trimmed - 1] == '\r') --trimmed;
  const size_t skip = first && trimmed >= 3 && std::memcmp(p, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
  const std::string_view line(p + skip, trimmed - skip);
  if (is_blank(line)) return true;
  ++s.lines;
  const size_t padding = CaseParser::padding();
  const char* data = line.data();
  if (data + line.size() + padding > in.limit) {
    lane.padded.assign(line);
    lane.padded.append(padding, '\0');
    data = lane.padded.data();
  }
  const bool clean = terminated && skip == 0 && trimmed == len;
  auto st = lane.worker->line(data, line.size(), line.size() + padding, clean ? std::string_view(p, len + 1) : line, clean);
  if (st) return ++s.cases, true;
  if (!in.opts.skip_bad || st.error().code != Exit::data) {
    s.error = st.error();
    s.error_at = index;
    return false;
  }
  if (s.skipped++ == 0) s.first_skip = st.error().message, s.first_skip_at = index;
  return true;
}

// The complete lines of [begin, end).
void take_lines(Lane& lane, const BlockInput& in, const char* begin, const char* end, bool at_file_start) {
  lane.s.clear();
  lane.worker->begin();
  for (const char* p = begin; p < end;) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
    if (!take_line(lane, in, at_file_start && p == begin, p, static_cast<size_t>(nl - p), true)) return;
    p = nl + 1;
  }
}

std::string at_line(const std::string& name, size_t line_no, const std::string& what) {
  return name + ":" + std::to_string(line_no) + ": " + what;
}

// Adds a stretch whose first line is line_no to stats and lets its worker
// write; its error, if any. Bad data is named by file and line.
Status finish_stretch(Lane& lane, const std::string& name, size_t line_no, ReadStats& stats, std::FILE* out) {
  const Stretch& s = lane.s;
  stats.lines += s.lines;
  stats.cases += s.cases;
  if (s.skipped && stats.skipped == 0) stats.first_skip = at_line(name, line_no + s.first_skip_at, s.first_skip);
  stats.skipped += s.skipped;
  if (auto st = lane.worker->finish(out); !st) return st;
  if (!s.error) return ok_status();
  if (s.error->code != Exit::data) return *s.error;
  return Error{Exit::data, at_line(name, line_no + s.error_at, s.error->message)};
}

// The complete lines of [begin, end), the first being line_no (advanced
// past them): in two halves on two threads when the block is big and there
// is a second lane.
Status run_block(Lane& first, Lane* second, const BlockInput& in, const std::string& name, const char* begin,
                 const char* end, size_t& line_no, ReadStats& stats, std::FILE* out) {
  const size_t size = static_cast<size_t>(end - begin);
  const void* nl = size >= kSplitAt && second ? std::memchr(begin + size / 2, '\n', size - size / 2) : nullptr;
  const char* mid = nl ? static_cast<const char*>(nl) + 1 : end;
  const bool at_file_start = line_no == 1;
  std::thread thread;
  if (mid != end) thread = std::thread([&] { take_lines(*second, in, mid, end, false); });
  take_lines(first, in, begin, mid, at_file_start);
  if (thread.joinable()) thread.join();
  const size_t first_line = line_no;
  line_no += first.s.seen;
  if (auto st = finish_stretch(first, name, first_line, stats, out); !st) return st;
  if (mid == end) return ok_status();
  const size_t second_line = line_no;
  line_no += second->s.seen;
  return finish_stretch(*second, name, second_line, stats, out);
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

bool two_threads() {
  static const bool two = [] {
    const char* env = std::getenv("SOCQ_THREADS");
    return std::thread::hardware_concurrency() > 1 && !(env && std::string_view(env) == "1");
  }();
  return two;
}

Status run_line_workers(const std::string& path, const ReadOptions& opts, ReadStats& stats, LineWorker& first,
                        LineWorker* second, std::FILE* out) {
  InputFile input(path);
  if (!input.error().empty()) return Error{Exit::no_input, input.error()};
  const int fd = fileno(input.get());
  const size_t padding = CaseParser::padding();
  size_t block = kBlock;
  std::string buf(block + padding, '\0');
  size_t have = 0, line_no = 1;
  bool eof = false;
  std::string read_error;
  Lane lanes[2] = {{&first, {}, {}}, {second, {}, {}}};
  Lane* second_lane = second ? &lanes[1] : nullptr;
  for (;;) {
    if (!read_some(fd, buf, have, block, eof)) read_error = input.name() + ": read error: " + std::strerror(errno);
    const BlockInput in{opts, buf.data() + buf.size()};
    const char* base = buf.data();
    const void* last_nl = have ? memrchr(base, '\n', have) : nullptr;
    const size_t complete = last_nl ? static_cast<size_t>(static_cast<const char*>(last_nl) - base) + 1 : 0;
    if (complete == 0 && !eof) {  // one line fills the buffer: grow it
      block *= 2;
      buf.resize(block + padding);
      continue;
    }
    if (complete) {
      auto st = run_block(lanes[0], second_lane, in, input.name(), base, base + complete, line_no, stats, out);
      if (!st) return st;
    }
    if (eof) {
      if (have > complete) {  // the last line, without a final newline
        lanes[0].s.clear();
        lanes[0].worker->begin();
        take_line(lanes[0], in, line_no == 1, base + complete, have - complete, false);
        if (auto st = finish_stretch(lanes[0], input.name(), line_no, stats, out); !st) return st;
      }
      break;
    }
    std::memmove(buf.data(), base + complete, have - complete);
    have -= complete;
  }
  if (out && std::fflush(out) != 0) return Error{Exit::io, std::string("write error: ") + std::strerror(errno)};
  if (!read_error.empty()) return Error{Exit::io, read_error};
  return ok_status();
}

Status CaseWorker::line(const char* data, size_t len, size_t capacity, std::string_view as_read, bool with_newline) {
  auto parsed = parser_.parse(data, len, capacity);
  if (!parsed) return Error{Exit::data, parsed.error().message};
  return on_case(std::move(parsed).value(), LineRead{as_read, with_newline}, out_);
}

Status CaseWorker::finish(std::FILE* out) {
  if (out_.empty()) return ok_status();
  if (std::fwrite(out_.data(), 1, out_.size(), out) != out_.size())
    return Error{Exit::io, std::string("write error: ") + std::strerror(errno)};
  return ok_status();
}

}  // namespace socq
