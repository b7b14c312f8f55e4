// What a streaming import keeps while it rebuilds threads from loose
// messages: the messages themselves in a temporary file (read back in file
// order), and their ids as keys for the sorts that link them (record_sort.h).
#pragma once
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "lib/threads.h"

namespace socq {

// A temporary file of ImportMessages in $TMPDIR (else /tmp), removed as
// soon as it is made: it disappears with the process, however it ends.
class SpillFile {
 public:
  static Result<std::unique_ptr<SpillFile>> create();
  ~SpillFile();
  SpillFile(const SpillFile&) = delete;
  SpillFile& operator=(const SpillFile&) = delete;

  Status write(const ImportMessage& m);
  // Back to the first message, for reading.
  Status rewind();
  // The next message into `m` (its strings reused); false at the end.
  Result<bool> read(ImportMessage& m);

 private:
  SpillFile(std::FILE* f, std::string dir) : f_(f), dir_(std::move(dir)) {}
  Error failed(const char* doing) const;
  std::FILE* f_;
  std::string dir_;
  std::vector<char> buf_;
};

// Message ids as 64-bit keys that compare equal exactly when the ids do, for
// sorting on disk (record_sort.h): ids of up to 19 digits without a leading
// zero (tweet ids) are their number + 1; any other id is numbered from
// 10^19 + 1 up in a string map, in memory (none in real data).
class IdKeys {
 public:
  uint64_t key(const std::string& id);

 private:
  static constexpr uint64_t kFirstOther = 10000000000000000001ull;
  std::unordered_map<std::string, uint64_t> others_;
};

// An unlinked temporary file in $TMPDIR (else /tmp, named in `dir`).
Result<std::FILE*> open_temp_file(std::string& dir);

}  // namespace socq
