#include "lib/json_cursor.h"

namespace socq {

namespace {

// The length of the UTF-8 sequence at p (before end), or 0 if it is not
// one: overlong forms, surrogates and code points past U+10FFFF are
// refused, as the Unicode standard's table 3-7 (and simdjson) refuse them.
size_t utf8_sequence(const unsigned char* p, const unsigned char* end) {
  const unsigned char c0 = p[0];
  const auto cont = [&](size_t i, unsigned char lo = 0x80, unsigned char hi = 0xbf) {
    return p + i < end && p[i] >= lo && p[i] <= hi;
  };
  if (c0 < 0xc2) return 0;
  if (c0 < 0xe0) return cont(1) ? 2 : 0;
  if (c0 < 0xf0) {
    const unsigned char lo = c0 == 0xe0 ? 0xa0 : 0x80, hi = c0 == 0xed ? 0x9f : 0xbf;
    return cont(1, lo, hi) && cont(2) ? 3 : 0;
  }
  if (c0 < 0xf5) {
    const unsigned char lo = c0 == 0xf0 ? 0x90 : 0x80, hi = c0 == 0xf4 ? 0x8f : 0xbf;
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

int hex_digit(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}

void append_utf8(std::string& out, unsigned cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

}  // namespace

// From the first byte that stops a plain run: UTF-8 sequences are checked
// and stepped over in place; from the first escape on, the text is copied
// into unescaped_ with the escapes decoded.
bool JsonCursor::string_rest(const char* s, const char* q, std::string_view& out) {
  const size_t start = unescaped_.size();
  bool copying = false;
  const char* copied = s;  // text before this is in unescaped_ (when copying)
  for (;;) {
    if (q >= end_) return false;
    const unsigned char ch = static_cast<unsigned char>(*q);
    if (ch == '"') break;
    if (ch >= 0x80) {
      const size_t n = utf8_sequence(reinterpret_cast<const unsigned char*>(q), reinterpret_cast<const unsigned char*>(end_));
      if (n == 0) return false;
      q += n;
    } else if (ch < 0x20) {
      return false;
    } else {  // a backslash
      unescaped_.append(copied, q);
      copying = true;
      if (!unescape(q)) return false;
      copied = q;
    }
    q += string_stop(q);
  }
  if (copying) {
    unescaped_.append(copied, q);
    out = std::string_view(unescaped_.data() + start, unescaped_.size() - start);
  } else {
    out = std::string_view(s, static_cast<size_t>(q - s));
  }
  p_ = q + 1;
  return true;
}

// The escape at q (a backslash), decoded onto unescaped_; q moves past it.
// \u escapes of surrogates give up: pairs are rare, and lone ones are where
// JSON parsers differ.
bool JsonCursor::unescape(const char*& q) {
  if (end_ - q < 2 || unescaped_.size() + 3 > unescaped_.capacity()) return false;
  char one = 0;
  switch (q[1]) {
    case '"': one = '"'; break;
    case '\\': one = '\\'; break;
    case '/': one = '/'; break;
    case 'b': one = '\b'; break;
    case 'f': one = '\f'; break;
    case 'n': one = '\n'; break;
    case 'r': one = '\r'; break;
    case 't': one = '\t'; break;
    case 'u': {
      if (end_ - q < 6) return false;
      unsigned cp = 0;
      for (int i = 2; i < 6; ++i) {
        const int d = hex_digit(q[i]);
        if (d < 0) return false;
        cp = cp * 16 + static_cast<unsigned>(d);
      }
      if (cp >= 0xd800 && cp <= 0xdfff) return false;
      append_utf8(unescaped_, cp);
      q += 6;
      return true;
    }
    default: return false;
  }
  unescaped_.push_back(one);
  q += 2;
  return true;
}

bool JsonCursor::small_uint(int64_t& out) {
  const char* q = p_;
  if (q >= end_ || *q < '0' || *q > '9') return false;
  int64_t n = 0;
  if (*q == '0') {
    ++q;
  } else {
    for (int digits = 0; q < end_ && *q >= '0' && *q <= '9'; ++q, ++digits) {
      if (digits == 18) return false;
      n = n * 10 + (*q - '0');
    }
  }
  p_ = q;
  if (!token_ends()) return false;
  out = n;
  return true;
}

// A JSON number by the grammar -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
// of any size: the reader keeps an unknown member's number as its text.
bool JsonCursor::number() {
  const auto digits = [&] {
    const char* start = p_;
    while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    return p_ > start;
  };
  if (peek() == '-') ++p_;
  if (peek() == '0') ++p_;
  else if (!digits()) return false;
  if (peek() == '.' && (++p_, !digits())) return false;
  if (peek() == 'e' || peek() == 'E') {
    ++p_;
    if (peek() == '+' || peek() == '-') ++p_;
    if (!digits()) return false;
  }
  return token_ends();
}

template <class F>
bool JsonCursor::sequence(char close, F&& item) {
  ++p_;  // the opening bracket
  if (consume(close)) return true;
  for (;;) {
    skip_space();
    if (!item()) return false;
    if (consume(close)) return true;
    if (!consume(',')) return false;
  }
}

bool JsonCursor::value(int depth) {
  if (p_ >= end_ || depth > kMaxDepth) return false;
  std::string_view ignored;
  switch (*p_) {
    case '{':
      return sequence('}', [&] { return key(ignored) && (skip_space(), value(depth + 1)); });
    case '[': return sequence(']', [&] { return value(depth + 1); });
    case '"': return string(ignored);
    case 't':
    case 'f': {
      bool b;
      return boolean(b);
    }
    case 'n': return null();
    default: return number();
  }
}

}  // namespace socq
