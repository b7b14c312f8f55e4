#include "lib/case_blocks.h"

#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <algorithm>
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

Error write_error() { return Error{Exit::io, std::string("write error: ") + std::strerror(errno)}; }

// Writes a stretch's output: its text through `out`, then its spans
// straight to the descriptor (one writev per up to 1024 pieces).
Status write_output(const StretchOutput& o, std::FILE* out) {
  if (!o.text.empty() && std::fwrite(o.text.data(), 1, o.text.size(), out) != o.text.size()) return write_error();
  if (o.spans.empty()) return ok_status();
  if (std::fflush(out) != 0) return write_error();
  static const char newline = '\n';
  std::vector<iovec> iov;
  iov.reserve(o.spans.size() * 2);
  for (const auto& sp : o.spans) {
    iov.push_back({const_cast<char*>(sp.p), sp.n});
    if (sp.newline) iov.push_back({const_cast<char*>(&newline), 1});
  }
  const int fd = fileno(out);
  for (size_t i = 0; i < iov.size();) {
    const int n = static_cast<int>(std::min<size_t>(iov.size() - i, 1024));
    const ssize_t written = ::writev(fd, &iov[i], n);
    if (written < 0 && errno == EINTR) continue;
    if (written < 0) return write_error();
    size_t left = static_cast<size_t>(written);  // past what was written; a short write leaves part of an iovec
    while (i < iov.size() && left >= iov[i].iov_len) left -= iov[i++].iov_len;
    if (left) {
      iov[i].iov_base = static_cast<char*>(iov[i].iov_base) + left;
      iov[i].iov_len -= left;
    }
  }
  return ok_status();
}

// A block's lines done by one or two lanes, waiting to be written: the
// outputs (which may point into the block's buffer), and the error that
// ends the read, if any (the output holds the lines before it).
struct DoneBlock {
  StretchOutput output[2];
  size_t lanes = 0;
  std::optional<Error> error;
};

// Adds a stretch whose first line is line_no to stats and takes its output
// into `into`; its error, if any. Bad data is named by file and line.
std::optional<Error> collect_stretch(Lane& lane, const std::string& name, size_t line_no, ReadStats& stats,
                                     StretchOutput& into) {
  const Stretch& s = lane.s;
  stats.lines += s.lines;
  stats.cases += s.cases;
  if (s.skipped && stats.skipped == 0) stats.first_skip = at_line(name, line_no + s.first_skip_at, s.first_skip);
  stats.skipped += s.skipped;
  into.clear();
  lane.worker->take_output(into);
  if (!s.error) return std::nullopt;
  if (s.error->code != Exit::data) return *s.error;
  return Error{Exit::data, at_line(name, line_no + s.error_at, s.error->message)};
}

Status write_done(DoneBlock& done, std::FILE* out) {
  for (size_t i = 0; i < done.lanes; ++i)
    if (out)
      if (auto st = write_output(done.output[i], out); !st) return st;
  done.lanes = 0;
  if (done.error) return *std::exchange(done.error, std::nullopt);
  return ok_status();
}

// The complete lines of [begin, end) on threads of their own (two halves
// when the block is big and there is a second lane), so that the calling
// thread can write and read meanwhile; join() collects them in line order.
class BlockRun {
 public:
  BlockRun(Lane& first, Lane* second, const BlockInput& in, const char* begin, const char* end, bool at_file_start)
      : first_(first), second_(second), in_(in) {
    const size_t size = static_cast<size_t>(end - begin);
    const void* nl = size >= kSplitAt && second ? std::memchr(begin + size / 2, '\n', size - size / 2) : nullptr;
    mid_ = nl ? static_cast<const char*>(nl) + 1 : end;
    split_ = mid_ != end;
    threads_[0] = std::thread([=, this] { run_lane(first_, begin, mid_, at_file_start); });
    try {
      if (split_) threads_[1] = std::thread([=, this] { run_lane(*second_, mid_, end, false); });
    } catch (...) {  // no second thread (a process limit): the first is joined before the error goes up
      wait();
      throw;
    }
  }
  BlockRun(const BlockRun&) = delete;
  BlockRun& operator=(const BlockRun&) = delete;
  ~BlockRun() { wait(); }

  // Waits for the lanes and collects their stretches into `done`; line_no
  // moves past the block's lines.
  void join(const std::string& name, size_t& line_no, ReadStats& stats, DoneBlock& done) {
    wait();
    const size_t first_line = line_no;
    line_no += first_.s.seen;
    done.lanes = 1;
    done.error = collect_stretch(first_, name, first_line, stats, done.output[0]);
    if (!split_ || done.error) return;
    const size_t second_line = line_no;
    line_no += second_->s.seen;
    done.lanes = 2;
    done.error = collect_stretch(*second_, name, second_line, stats, done.output[1]);
  }

 private:
  // A bug on a lane thread ends the read as the top level would end it
  // (exit 70, "internal error"), not with std::terminate.
  void run_lane(Lane& lane, const char* begin, const char* end, bool at_file_start) {
    try {
      take_lines(lane, in_, begin, end, at_file_start);
    } catch (const std::exception& e) {
      lane.s.error = Error{Exit::internal, std::string("internal error (please report): ") + e.what()};
      lane.s.error_at = lane.s.seen;
    }
  }
  void wait() {
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }
  Lane& first_;
  Lane* second_;
  const BlockInput in_;
  const char* mid_;
  bool split_;
  std::thread threads_[2];
};

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

// One of the two read buffers: `have` bytes read, the first `complete` of
// them whole lines.
struct ReadBuffer {
  std::string bytes;
  size_t have = 0, complete = 0;
};

// The input read ahead into a buffer while the other one's lines are
// parsed.
class Reader {
 public:
  Reader(int fd, const std::string& name) : fd_(fd), name_(name) {}
  bool eof() const { return eof_; }
  const std::string& error() const { return error_; }

  // Fills `next` with what `cur` did not finish (its last partial line)
  // and more input, until it holds whole lines or the input ends; the
  // buffer grows for a line longer than a block.
  void fill(const ReadBuffer* cur, ReadBuffer& next) {
    const size_t padding = CaseParser::padding();
    if (next.bytes.size() < block_ + padding) next.bytes.resize(block_ + padding);
    next.have = 0;
    if (cur) {
      const size_t rest = cur->have - cur->complete;
      if (next.bytes.size() < rest + padding) next.bytes.resize(rest + padding);
      std::memcpy(next.bytes.data(), cur->bytes.data() + cur->complete, rest);
      next.have = rest;
    }
    for (;;) {
      if (!read_some(fd_, next.bytes, next.have, block_, eof_))
        error_ = name_ + ": read error: " + std::strerror(errno);
      const void* last_nl = next.have ? memrchr(next.bytes.data(), '\n', next.have) : nullptr;
      next.complete = last_nl ? static_cast<size_t>(static_cast<const char*>(last_nl) - next.bytes.data()) + 1 : 0;
      if (next.complete || eof_) return;
      block_ *= 2;  // one line fills the buffer: grow it
      next.bytes.resize(block_ + padding);
    }
  }

 private:
  int fd_;
  const std::string& name_;
  size_t block_ = kBlock;
  bool eof_ = false;
  std::string error_;
};

}  // namespace

bool two_threads() {
  static const bool two = [] {
    const char* env = std::getenv("SOCQ_THREADS");
    return std::thread::hardware_concurrency() > 1 && !(env && std::string_view(env) == "1");
  }();
  return two;
}

// A pipeline over two read buffers: while the lanes parse the lines of one,
// this thread writes what the block before made and reads the next block
// into the other.
Status run_line_workers(const std::string& path, const ReadOptions& opts, ReadStats& stats, LineWorker& first,
                        LineWorker* second, std::FILE* out) {
  InputFile input(path);
  if (!input.error().empty()) return Error{Exit::no_input, input.error()};
  Reader reader(fileno(input.get()), input.name());
  ReadBuffer bufs[2];
  Lane lanes[2] = {{&first, {}, {}}, {second, {}, {}}};
  Lane* second_lane = second ? &lanes[1] : nullptr;
  DoneBlock done;  // the block before, not yet written
  size_t line_no = 1;
  int cur = 0;
  reader.fill(nullptr, bufs[cur]);
  while (bufs[cur].complete) {
    ReadBuffer& b = bufs[cur];
    const BlockInput in{opts, b.bytes.data() + b.bytes.size()};
    BlockRun run(lanes[0], second_lane, in, b.bytes.data(), b.bytes.data() + b.complete, line_no == 1);
    Status written = write_done(done, out);  // the block before: its spans point into the other buffer
    const bool more = written && !reader.eof();
    if (more) reader.fill(&b, bufs[cur ^ 1]);
    run.join(input.name(), line_no, stats, done);
    if (!written) return written;
    if (done.error || !more) break;
    cur ^= 1;
  }
  if (auto st = write_done(done, out); !st) return st;
  ReadBuffer& b = bufs[cur];
  if (reader.eof() && b.have > b.complete) {  // the last line, without a final newline
    lanes[0].s.clear();
    lanes[0].worker->begin();
    const BlockInput in{opts, b.bytes.data() + b.bytes.size()};
    take_line(lanes[0], in, line_no == 1, b.bytes.data() + b.complete, b.have - b.complete, false);
    done.lanes = 1;
    done.error = collect_stretch(lanes[0], input.name(), line_no, stats, done.output[0]);
    if (auto st = write_done(done, out); !st) return st;
  }
  if (out && std::fflush(out) != 0) return write_error();
  if (!reader.error().empty()) return Error{Exit::io, reader.error()};
  return ok_status();
}

Status CaseWorker::line(const char* data, size_t len, size_t capacity, std::string_view as_read, bool with_newline) {
  if (auto st = parser_.parse_reusing(data, len, capacity, case_); !st) return st;
  return on_case(std::move(case_), LineRead{as_read, with_newline}, out_);
}


}  // namespace socq
