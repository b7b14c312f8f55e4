#include "lib/channels/facets.h"

#include <utf8proc.h>

namespace socq {
namespace {

bool handle_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

bool space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

bool trailing_punct(char c) {
  return c == '.' || c == ',' || c == ';' || c == ':' || c == '!' || c == '?' || c == ')' || c == ']' || c == '\'' ||
         c == '"';
}

}  // namespace

std::vector<TextSpan> find_mentions(std::string_view text) {
  std::vector<TextSpan> out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '@' || (i > 0 && !space(text[i - 1]) && text[i - 1] != '(')) continue;
    size_t end = i + 1;
    while (end < text.size() && handle_char(text[end])) ++end;
    while (end > i + 1 && (text[end - 1] == '.' || text[end - 1] == '-')) --end;  // "@a.example." ends a sentence
    const std::string_view handle = text.substr(i + 1, end - i - 1);
    const auto dot = handle.find('.');
    if (dot == std::string_view::npos || dot == 0 || handle.back() == '.') continue;
    out.push_back({i, end, std::string(handle)});
    i = end - 1;
  }
  return out;
}

std::vector<TextSpan> find_links(std::string_view text) {
  std::vector<TextSpan> out;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t h = text.find("http", pos);
    if (h == std::string_view::npos) break;
    const std::string_view rest = text.substr(h);
    const size_t scheme = rest.rfind("https://", 0) == 0 ? 8 : rest.rfind("http://", 0) == 0 ? 7 : 0;
    if (scheme == 0 || (h > 0 && !space(text[h - 1]) && text[h - 1] != '(')) {
      pos = h + 4;
      continue;
    }
    size_t end = h + scheme;
    while (end < text.size() && !space(text[end])) ++end;
    while (end > h + scheme && trailing_punct(text[end - 1])) --end;
    if (end > h + scheme) out.push_back({h, end, std::string(text.substr(h, end - h))});
    pos = end > h ? end : h + 1;
  }
  return out;
}

int64_t grapheme_count(std::string_view text) {
  int64_t count = 0;
  utf8proc_int32_t state = 0, prev = -1;
  size_t i = 0;
  while (i < text.size()) {
    utf8proc_int32_t cp = 0;
    const auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data() + i),
                                    static_cast<utf8proc_ssize_t>(text.size() - i), &cp);
    if (n <= 0) {  // an invalid byte: a grapheme of its own
      ++count, ++i, prev = -1, state = 0;
      continue;
    }
    if (prev < 0 || utf8proc_grapheme_break_stateful(prev, cp, &state)) ++count;
    prev = cp;
    i += static_cast<size_t>(n);
  }
  return count;
}

}  // namespace socq
