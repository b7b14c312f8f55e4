#include "lib/channels/bluesky_session.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>

#include <nlohmann/json.hpp>

namespace socq {
namespace {

using json = nlohmann::json;

std::string field(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// base64url without padding -> bytes; "" on a bad character.
std::string base64url_decode(const std::string& in) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '-' || c == '+') v = 62;
    else if (c == '_' || c == '/') v = 63;
    else if (c == '=') break;
    else return {};
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

}  // namespace

std::string bluesky_session_path(const std::string& store_path, const std::string& account) {
  return store_path + ".bluesky-" + account + ".session";
}

BlueskySession load_bluesky_session(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return {};
  BlueskySession s{field(j, "did"), field(j, "handle"), field(j, "accessJwt"), field(j, "refreshJwt")};
  if (s.did.empty() || s.access_jwt.empty() || s.refresh_jwt.empty()) return {};
  return s;
}

Status save_bluesky_session(const std::string& path, const BlueskySession& s) {
  const std::string text =
      json{{"did", s.did}, {"handle", s.handle}, {"accessJwt", s.access_jwt}, {"refreshJwt", s.refresh_jwt}}.dump() + "\n";
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Error{Exit::io, "bluesky session cache " + tmp + ": " + std::strerror(errno)};
  ::fchmod(fd, 0600);  // an older file of the same name may have had another mode
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  const bool closed = ::close(fd) == 0;
  if (!written || !closed || std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(tmp.c_str());
    return Error{Exit::io, "bluesky session cache " + path + ": " + why};
  }
  return ok_status();
}

void forget_bluesky_session(const std::string& path) {
  if (!path.empty()) std::remove(path.c_str());
}

std::optional<int64_t> jwt_expiry_s(const std::string& jwt) {
  const auto a = jwt.find('.');
  if (a == std::string::npos) return std::nullopt;
  const auto b = jwt.find('.', a + 1);
  if (b == std::string::npos) return std::nullopt;
  const json payload = json::parse(base64url_decode(jwt.substr(a + 1, b - a - 1)), nullptr, false);
  if (payload.is_discarded() || !payload.is_object()) return std::nullopt;
  auto exp = payload.find("exp");
  if (exp == payload.end() || !exp->is_number()) return std::nullopt;
  return exp->get<int64_t>();
}

}  // namespace socq
