#include "lib/store_codec.h"

#include <zdict.h>
#include <zstd.h>

namespace socq {
namespace {

constexpr int kLevel = 1;               // with a dictionary level 3 gained 2% for 5% more time
constexpr size_t kDictCapacity = 64 * 1024;

}  // namespace

struct CaseCodec::Contexts {
  ZSTD_CCtx* c = ZSTD_createCCtx();
  ZSTD_DCtx* d = ZSTD_createDCtx();
  ~Contexts() {
    ZSTD_freeCCtx(c);
    ZSTD_freeDCtx(d);
  }
};

CaseCodec::CaseCodec(Loader load) : load_(std::move(load)), zstd_(std::make_unique<Contexts>()) {}

CaseCodec::~CaseCodec() {
  drop_dictionary();
  for (auto& [id, d] : ddicts_) ZSTD_freeDDict(static_cast<ZSTD_DDict*>(d));
}

void CaseCodec::use_dictionary(uint32_t, const std::string& dict) {
  drop_dictionary();
  cdict_ = ZSTD_createCDict(dict.data(), dict.size(), kLevel);
}

void CaseCodec::drop_dictionary() {
  if (cdict_) ZSTD_freeCDict(static_cast<ZSTD_CDict*>(cdict_));
  cdict_ = nullptr;
}

std::string_view CaseCodec::compress(std::string_view json) {
  out_.resize(ZSTD_compressBound(json.size()));
  const size_t n = ZSTD_compress_usingCDict(zstd_->c, out_.data(), out_.size(), json.data(), json.size(),
                                            static_cast<const ZSTD_CDict*>(cdict_));
  if (ZSTD_isError(n)) return {};  // cannot happen with a bound-sized buffer; the caller stores text then
  return std::string_view(out_.data(), n);
}

Status CaseCodec::preload(const void* data, size_t len) {
  const uint32_t id = ZSTD_getDictID_fromFrame(data, len);
  if (ddicts_.count(id)) return ok_status();
  auto dict = load_(id);
  if (!dict) return dict.error();
  if (!*dict) return Error{Exit::data, "compressed with dictionary " + std::to_string(id) + ", which the store lacks"};
  ddicts_.emplace(id, ZSTD_createDDict((*dict)->data(), (*dict)->size()));
  return ok_status();
}

Result<std::string_view> CaseCodec::text(const void* data, size_t len, bool is_blob, size_t padding) {
  if (!is_blob) return std::string_view(static_cast<const char*>(data), len);
  if (auto st = preload(data, len); !st) return st.error();
  const auto it = ddicts_.find(ZSTD_getDictID_fromFrame(data, len));
  const unsigned long long size = ZSTD_getFrameContentSize(data, len);
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > (1ull << 32))
    return Error{Exit::data, "not a compressed case"};
  out_.resize(size + padding);
  const size_t n = ZSTD_decompress_usingDDict(zstd_->d, out_.data(), size, data, len, static_cast<const ZSTD_DDict*>(it->second));
  if (ZSTD_isError(n) || n != size) return Error{Exit::data, std::string("does not decompress: ") + ZSTD_getErrorName(n)};
  return std::string_view(out_.data(), n);
}

std::optional<std::pair<uint32_t, std::string>> CaseCodec::train(const std::vector<std::string>& samples) {
  std::string all;
  std::vector<size_t> sizes;
  for (const auto& s : samples) {
    all += s;
    sizes.push_back(s.size());
  }
  std::string dict(kDictCapacity, '\0');
  const size_t n = ZDICT_trainFromBuffer(dict.data(), dict.size(), all.data(), sizes.data(), static_cast<unsigned>(sizes.size()));
  if (ZDICT_isError(n)) return std::nullopt;
  dict.resize(n);
  const uint32_t id = ZDICT_getDictID(dict.data(), dict.size());
  if (id == 0) return std::nullopt;  // id 0 means "no dictionary" in a frame
  return std::make_pair(id, std::move(dict));
}

}  // namespace socq
