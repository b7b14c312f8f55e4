// How the SQLite store keeps a case's JSON text: as TEXT while the store
// has no dictionary yet (and in stores from before schema 6), else as one
// zstd frame (a BLOB) compressed with a dictionary trained on the store's
// own first cases. Cases of one store share most of their member names and
// values, so a 1 KB case shrinks about 5-10x with the dictionary and under
// 2x without it. The frame names its dictionary (zstd's dictID), so
// dictionaries are looked up by id and a reader needs no other state.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/result.h"

namespace socq {

class CaseCodec {
 public:
  // Reads a dictionary by id from the store; nullopt when it has none.
  using Loader = std::function<Result<std::optional<std::string>>(uint32_t id)>;
  explicit CaseCodec(Loader load);
  ~CaseCodec();
  CaseCodec(const CaseCodec&) = delete;
  CaseCodec& operator=(const CaseCodec&) = delete;

  // Writing: with a dictionary set, compress() gives the frame to store.
  void use_dictionary(uint32_t id, const std::string& dict);
  void drop_dictionary();
  bool compresses() const { return cdict_ != nullptr; }
  std::string_view compress(std::string_view json);

  // The stored column's text: TEXT as it is, a BLOB decompressed into a
  // buffer of this codec (valid until the next call), with `padding` bytes
  // readable after it (for the case parser). A frame that does not
  // decompress is an error saying why.
  Result<std::string_view> text(const void* data, size_t len, bool is_blob, size_t padding = 0);
  // Loads the dictionary a stored BLOB needs, so that a later text() of it
  // calls no Loader (for a codec used on another thread than its store's).
  Status preload(const void* data, size_t len);

  // A dictionary trained on `samples` (whole cases' JSON), with its id, or
  // nullopt when zstd finds too little to learn from.
  static std::optional<std::pair<uint32_t, std::string>> train(const std::vector<std::string>& samples);
  // How many cases a first import samples before it trains.
  static constexpr size_t kSamples = 2000;

 private:
  struct Contexts;
  Loader load_;
  std::unique_ptr<Contexts> zstd_;
  void* cdict_ = nullptr;  // ZSTD_CDict
  std::map<uint32_t, void*> ddicts_;  // ZSTD_DDict by dictionary id
  std::string out_;
};

}  // namespace socq
