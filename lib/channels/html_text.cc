#include "lib/channels/html_text.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace socq {
namespace {

void append_utf8(std::string& out, uint32_t cp) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

struct Named {
  std::string_view name;
  uint32_t cp;
};
constexpr Named kNamed[] = {{"amp", '&'},     {"lt", '<'},      {"gt", '>'},      {"quot", '"'},   {"apos", '\''},
                            {"nbsp", 0xA0},   {"hellip", 0x2026}, {"mdash", 0x2014}, {"ndash", 0x2013}, {"lsquo", 0x2018},
                            {"rsquo", 0x2019}, {"ldquo", 0x201C}, {"rdquo", 0x201D}, {"euro", 0x20AC}, {"copy", 0xA9}};

// Decodes the entity starting at s[0] == '&'; returns bytes consumed (0: not one).
size_t decode_one(std::string_view s, std::string& out) {
  const auto semi = s.find(';');
  if (semi == std::string_view::npos || semi < 2 || semi > 10) return 0;
  const std::string_view body = s.substr(1, semi - 1);
  if (body[0] == '#') {
    const bool hex = body.size() > 1 && (body[1] == 'x' || body[1] == 'X');
    const std::string_view digits = body.substr(hex ? 2 : 1);
    if (digits.empty()) return 0;
    uint32_t cp = 0;
    for (char c : digits) {
      const int d = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
                    : hex && std::isxdigit(static_cast<unsigned char>(c)) ? std::tolower(c) - 'a' + 10
                                                                          : -1;
      if (d < 0 || cp > 0x10FFFF) return 0;
      cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(d);
    }
    append_utf8(out, cp);
    return semi + 1;
  }
  for (const auto& n : kNamed)
    if (n.name == body) {
      append_utf8(out, n.cp);
      return semi + 1;
    }
  return 0;
}

struct Tag {
  std::string name;  // lower case
  bool closing = false;
};

Tag parse_tag(std::string_view inner) {
  Tag t;
  size_t i = 0;
  if (i < inner.size() && inner[i] == '/') t.closing = true, ++i;
  while (i < inner.size() && (std::isalnum(static_cast<unsigned char>(inner[i])))) t.name += static_cast<char>(std::tolower(inner[i++]));
  return t;
}

void trim_lines(std::string& s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  size_t b = 0;
  while (b < s.size() && (s[b] == '\n' || s[b] == ' ')) ++b;
  s.erase(0, b);
}

}  // namespace

std::string decode_entities(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    if (s[i] == '&')
      if (size_t n = decode_one(s.substr(i), out)) {
        i += n;
        continue;
      }
    out += s[i++];
  }
  return out;
}

std::string html_to_text(std::string_view html) {
  std::string out;
  bool seen_paragraph = false;
  for (size_t i = 0; i < html.size();) {
    if (html[i] == '<') {
      const auto close = html.find('>', i);
      if (close == std::string_view::npos) break;  // a broken tail: drop it
      const Tag t = parse_tag(html.substr(i + 1, close - i - 1));
      i = close + 1;
      if (t.name == "br") out += '\n';
      else if (t.name == "p" && !t.closing) {
        if (seen_paragraph) out += "\n\n";
        seen_paragraph = true;
      }
      // Spans are kept whole, "invisible" ones too: Mastodon hides a link's
      // scheme and tail in them for display, and what the customer posted
      // is the whole link.
      continue;
    }
    const auto next = html.find('<', i);
    const std::string_view chunk = html.substr(i, next == std::string_view::npos ? std::string_view::npos : next - i);
    out += decode_entities(chunk);
    i += chunk.size();
  }
  trim_lines(out);
  return out;
}

}  // namespace socq
