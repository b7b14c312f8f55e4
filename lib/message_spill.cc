#include "lib/message_spill.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace socq {
namespace {

constexpr size_t kBuffer = 1 << 20;

// 1-19 digits without a leading zero: the id is exactly its number.
bool numeric_key(const std::string& id, uint64_t& key) {
  if (id.empty() || id.size() > 19 || (id[0] == '0' && id.size() > 1)) return false;
  uint64_t v = 0;
  for (char c : id) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  key = v + 1;  // 0 marks a free slot; 10^19 - 1 + 1 still fits
  return true;
}

}  // namespace

Result<std::FILE*> open_temp_file(std::string& dir) {
  const char* tmp = std::getenv("TMPDIR");
  dir = tmp && *tmp ? tmp : "/tmp";
  std::string name = dir + "/socq-import-XXXXXX";
  const int fd = mkstemp(name.data());
  if (fd < 0) return Error{Exit::io, dir + ": cannot make a temporary file for the import: " + std::strerror(errno)};
  unlink(name.c_str());
  std::FILE* f = fdopen(fd, "w+b");
  if (!f) {
    close(fd);
    return Error{Exit::io, dir + ": cannot open a temporary file: " + std::strerror(errno)};
  }
  return f;
}

Result<std::unique_ptr<SpillFile>> SpillFile::create() {
  std::string dir;
  auto f = open_temp_file(dir);
  if (!f) return f.error();
  std::unique_ptr<SpillFile> spill(new SpillFile(*f, dir));
  spill->buf_.resize(kBuffer);
  std::setvbuf(*f, spill->buf_.data(), _IOFBF, kBuffer);
  return spill;
}

SpillFile::~SpillFile() { std::fclose(f_); }

Error SpillFile::failed(const char* doing) const {
  return Error{Exit::io, dir_ + ": " + doing + " the import's temporary file failed: " + std::strerror(errno)};
}

namespace {

void put_string(std::FILE* f, const std::string& s) {
  const auto n = static_cast<uint32_t>(s.size());
  std::fwrite(&n, sizeof n, 1, f);
  std::fwrite(s.data(), 1, s.size(), f);
}

bool get_string(std::FILE* f, std::string& s) {
  uint32_t n = 0;
  if (std::fread(&n, sizeof n, 1, f) != 1) return false;
  s.resize(n);
  return std::fread(s.data(), 1, n, f) == n;
}

}  // namespace

// A message: flags (inbound, has reply_to, has name, public, has visibility),
// then its strings.
Status SpillFile::write(const ImportMessage& m) {
  const unsigned char flags = static_cast<unsigned char>((m.inbound ? 1 : 0) | (m.reply_to ? 2 : 0) | (m.name ? 4 : 0) |
                                                         (m.is_public ? 8 : 0) | (m.visibility ? 16 : 0));
  std::fputc(flags, f_);
  put_string(f_, m.id);
  if (m.reply_to) put_string(f_, *m.reply_to);
  put_string(f_, m.author);
  put_string(f_, m.at);
  put_string(f_, m.text);
  put_string(f_, m.brand);
  if (m.name) put_string(f_, *m.name);
  if (m.visibility) put_string(f_, *m.visibility);
  if (std::ferror(f_)) return failed("writing");
  return ok_status();
}

Status SpillFile::rewind() {
  if (std::fflush(f_) != 0 || std::fseek(f_, 0, SEEK_SET) != 0) return failed("rewinding");
  return ok_status();
}

Result<bool> SpillFile::read(ImportMessage& m) {
  const int flags = std::fgetc(f_);
  if (flags == EOF) {
    if (std::ferror(f_)) return failed("reading");
    return false;
  }
  m.inbound = flags & 1;
  m.is_public = flags & 8;
  bool ok = get_string(f_, m.id);
  if (flags & 2) {
    if (!m.reply_to) m.reply_to.emplace();
    ok = ok && get_string(f_, *m.reply_to);
  } else {
    m.reply_to.reset();
  }
  ok = ok && get_string(f_, m.author) && get_string(f_, m.at) && get_string(f_, m.text) && get_string(f_, m.brand);
  if (flags & 4) {
    if (!m.name) m.name.emplace();
    ok = ok && get_string(f_, *m.name);
  } else {
    m.name.reset();
  }
  if (flags & 16) {
    if (!m.visibility) m.visibility.emplace();
    ok = ok && get_string(f_, *m.visibility);
  } else {
    m.visibility.reset();
  }
  if (!ok) {
    if (!std::ferror(f_)) errno = EIO;  // cut short: someone truncated it
    return failed("reading");
  }
  return true;
}

uint64_t IdKeys::key(const std::string& id) {
  uint64_t key = 0;
  if (numeric_key(id, key)) return key;
  return others_.emplace(id, kFirstOther + others_.size()).first->second;
}

}  // namespace socq
