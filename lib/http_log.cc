#include "lib/http_log.h"

#include <algorithm>
#include <cctype>

namespace socq {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool secret_name(const std::string& name) {
  static const char* const kWords[] = {"token", "key", "secret", "password", "passwd", "sig", "code", "auth", "session"};
  const std::string n = lower(name);
  return std::any_of(std::begin(kWords), std::end(kWords), [&](const char* w) { return n.find(w) != std::string::npos; });
}

// "https://user:pw@host/..." -> "https://***@host/...".
std::string mask_userinfo(const std::string& url) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  const auto host_end = url.find_first_of("/?#", scheme + 3);
  const auto at = url.rfind('@', host_end == std::string::npos ? url.size() : host_end);
  if (at == std::string::npos || at < scheme + 3) return url;
  return url.substr(0, scheme + 3) + "***" + url.substr(at);
}

}  // namespace

std::string redact_url(const std::string& url) {
  std::string u = mask_userinfo(url);
  const auto q = u.find('?');
  if (q == std::string::npos) return u;
  const auto hash = u.find('#', q);
  const std::string query = u.substr(q + 1, hash == std::string::npos ? std::string::npos : hash - q - 1);
  std::string out = u.substr(0, q + 1);
  size_t start = 0;
  while (start <= query.size()) {
    auto amp = query.find('&', start);
    if (amp == std::string::npos) amp = query.size();
    const std::string pair = query.substr(start, amp - start);
    const auto eq = pair.find('=');
    if (start) out += '&';
    if (eq != std::string::npos && secret_name(pair.substr(0, eq))) out += pair.substr(0, eq) + "=***";
    else out += pair;
    start = amp + 1;
  }
  if (hash != std::string::npos) out += u.substr(hash);
  return out;
}

std::string mask_secrets(std::string text, const std::vector<std::string>& secrets) {
  for (const auto& s : secrets) {
    if (s.empty()) continue;
    for (size_t pos = text.find(s); pos != std::string::npos; pos = text.find(s, pos + 3)) text.replace(pos, s.size(), "***");
  }
  return text;
}

}  // namespace socq
