// Fixed-size records in a temporary file, and their sort on disk, in memory
// that does not grow with their number: runs of 1 MB sorted in memory, then
// merged through a buffer of at most 512 KB in all. The TWCS import links
// replies to their parents this way (import.cc).
#pragma once
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <queue>
#include <string>
#include <type_traits>
#include <vector>

#include "lib/message_spill.h"
#include "lib/result.h"

namespace socq {

template <class T>
class RecordFile {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  static Result<RecordFile> create() {
    RecordFile r;
    auto f = open_temp_file(r.dir_);
    if (!f) return f.error();
    r.f_.reset(*f);
    return r;
  }

  Status put(const T& r) {
    if (std::fwrite(&r, sizeof r, 1, f_.get()) != 1) return failed("writing");
    ++count_;
    return ok_status();
  }
  // Back to the first record, for reading.
  Status rewind() {
    if (std::fflush(f_.get()) != 0 || std::fseek(f_.get(), 0, SEEK_SET) != 0) return failed("rewinding");
    return ok_status();
  }
  // The next record into `r`; false at the end.
  Result<bool> get(T& r) {
    if (std::fread(&r, sizeof r, 1, f_.get()) == 1) return true;
    if (std::ferror(f_.get())) return failed("reading");
    return false;
  }
  size_t size() const { return count_; }
  // `n` records from record `at` on, read without moving the stream.
  Status read_at(size_t at, T* out, size_t n) const {
    const size_t bytes = n * sizeof(T);
    size_t done = 0;
    while (done < bytes) {
      const ssize_t got = pread(fileno(f_.get()), reinterpret_cast<char*>(out) + done, bytes - done,
                                static_cast<off_t>(at * sizeof(T) + done));
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        if (got == 0) errno = EIO;
        return failed("reading");
      }
      done += static_cast<size_t>(got);
    }
    return ok_status();
  }

 private:
  struct Closer {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  Error failed(const char* doing) const {
    return Error{Exit::io, dir_ + ": " + doing + " the import's temporary file failed: " + std::strerror(errno)};
  }
  std::unique_ptr<std::FILE, Closer> f_;
  std::string dir_;
  size_t count_ = 0;
};

// `in`'s records sorted by `less` into a new file, rewound for reading.
template <class T, class Less>
Result<RecordFile<T>> sort_records(RecordFile<T>& in, Less less) {
  constexpr size_t kRun = (size_t{1} << 20) / sizeof(T);
  constexpr size_t kMergeBytes = size_t{512} << 10;
  auto made = RecordFile<T>::create();
  if (!made) return made.error();
  RecordFile<T> runs = std::move(*made);
  if (auto st = in.rewind(); !st) return st.error();
  std::vector<T> buf;
  buf.reserve(std::min(kRun, in.size()));
  std::vector<size_t> starts;  // each run's first record in `runs`
  for (size_t done = 0; done < in.size();) {
    buf.clear();
    T r;
    while (buf.size() < kRun && done < in.size()) {
      auto got = in.get(r);
      if (!got) return got.error();
      if (!*got) return Error{Exit::io, "the import's temporary file ended early"};
      buf.push_back(r);
      ++done;
    }
    std::sort(buf.begin(), buf.end(), less);
    starts.push_back(runs.size());
    for (const T& x : buf)
      if (auto st = runs.put(x); !st) return st.error();
  }
  if (auto st = runs.rewind(); !st) return st.error();
  if (starts.size() <= 1) return runs;
  buf = std::vector<T>();

  // Merge: each run read through its own slice of the merge buffer.
  struct Cursor {
    size_t next, end;           // records of the run not yet in `buf`
    std::vector<T> buf;
    size_t at = 0;
  };
  const size_t per_run = std::max<size_t>(64, kMergeBytes / sizeof(T) / starts.size());
  std::vector<Cursor> cur;
  for (size_t i = 0; i < starts.size(); ++i)
    cur.push_back(Cursor{starts[i], i + 1 < starts.size() ? starts[i + 1] : runs.size(), {}, 0});
  const auto refill = [&](Cursor& c) -> Status {
    c.buf.resize(std::min(per_run, c.end - c.next));
    c.at = 0;
    if (c.buf.empty()) return ok_status();
    if (auto st = runs.read_at(c.next, c.buf.data(), c.buf.size()); !st) return st;
    c.next += c.buf.size();
    return ok_status();
  };
  const auto later = [&](size_t a, size_t b) { return less(cur[b].buf[cur[b].at], cur[a].buf[cur[a].at]); };
  std::priority_queue<size_t, std::vector<size_t>, decltype(later)> heap(later);
  for (size_t i = 0; i < cur.size(); ++i) {
    if (auto st = refill(cur[i]); !st) return st.error();
    if (!cur[i].buf.empty()) heap.push(i);
  }
  auto out = RecordFile<T>::create();
  if (!out) return out.error();
  while (!heap.empty()) {
    const size_t i = heap.top();
    heap.pop();
    Cursor& c = cur[i];
    if (auto st = out->put(c.buf[c.at]); !st) return st.error();
    if (++c.at == c.buf.size())
      if (auto st = refill(c); !st) return st.error();
    if (c.at < c.buf.size()) heap.push(i);
  }
  if (auto st = out->rewind(); !st) return st.error();
  return std::move(*out);
}

}  // namespace socq
