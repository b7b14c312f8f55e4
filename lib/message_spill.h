// What a streaming import keeps while it rebuilds threads from loose
// messages: the messages themselves in a temporary file (read back in file
// order), and a compact index from message id to its place in the file.
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

// Message id -> row number. Ids of up to 19 digits (tweet ids) take 12
// bytes a slot in an open-addressing table, sized for `expected` ids at
// most 3/4 full (about 16 bytes an id); any other id a string map.
class IdIndex {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;
  explicit IdIndex(size_t expected);
  // False (and nothing changed) when the id is there already.
  bool insert(const std::string& id, uint32_t row);
  uint32_t find(const std::string& id) const;

 private:
  size_t slot_of(uint64_t key) const;
  void resize(size_t slots);
  std::vector<uint64_t> keys_;  // the id's value + 1; 0 marks a free slot
  std::vector<uint32_t> rows_;
  size_t used_ = 0;
  std::unordered_map<std::string, uint32_t> others_;
};

}  // namespace socq
