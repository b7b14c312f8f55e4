// A forward-only reader of JSON text for the case reader's fast path: one
// pass over the bytes, no index built first. It reads the shapes a case
// line usually has and gives up (returns false) on anything else: bad
// JSON, a \u escape for a surrogate, an escape or a non-ASCII byte in a
// member name, a number it does not read exactly, nesting deeper than 64.
// Giving up is not an error: the caller parses the line again with
// simdjson, whose verdict and message stand. So this reader only has to be
// right when it accepts, and then it accepts only what simdjson accepts.
#pragma once
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace socq {

// The offset of the first byte at p that ends a plain run of string text:
// '"', '\\', a control character or a non-ASCII byte. 16 bytes at a time;
// the caller's buffer must be readable 16 bytes past the end of the text.
inline size_t string_stop(const char* p) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), space = _mm_set1_epi8(0x20);
  for (size_t n = 0;; n += 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + n));
    // Signed compare: bytes 0x80-0xff are negative, so "< 0x20" takes them too.
    const __m128i stop = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, backslash)),
                                      _mm_cmplt_epi8(x, space));
    if (const int hit = _mm_movemask_epi8(stop)) return n + static_cast<size_t>(std::countr_zero(static_cast<unsigned>(hit)));
  }
#else
  size_t n = 0;
  for (;; ++n) {
    const unsigned char ch = static_cast<unsigned char>(p[n]);
    if (ch == '"' || ch == '\\' || ch < 0x20 || ch >= 0x80) return n;
  }
#endif
}

class JsonCursor {
 public:
  // `unescaped` receives the text of strings that hold escapes; it is
  // reserved here to the text's length, which no unescaped text exceeds,
  // so views into it stay valid until the next cursor clears it.
  JsonCursor(const char* data, size_t len, std::string& unescaped)
      : p_(data), end_(data + len), unescaped_(unescaped) {
    unescaped_.clear();
    unescaped_.reserve(len);
  }

  bool at_end() const { return p_ == end_; }
  char peek() const { return p_ < end_ ? *p_ : '\0'; }
  // The text is readable past its end (see string_stop) and every JSON
  // space is <= ' ', so the usual case, no space, is one compare.
  void skip_space() {
    while (static_cast<unsigned char>(*p_) <= ' ' && p_ < end_ &&
           (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t'))
      ++p_;
  }
  // Consumes ch (after any white space) if it is next.
  bool consume(char ch) {
    skip_space();
    if (p_ < end_ && *p_ == ch) return ++p_, true;
    return false;
  }

  // A string value; its text in place when it has no escape.
  bool string(std::string_view& out) {
    if (p_ >= end_ || *p_ != '"') return false;
    const char* s = p_ + 1;
    const size_t n = string_stop(s);
    if (s + n < end_ && s[n] == '"') {  // the usual case: plain text
      out = std::string_view(s, n);
      p_ = s + n + 1;
      return true;
    }
    return string_rest(s, s + n, out);
  }
  // A member name and its colon: plain ASCII without escapes only.
  bool key(std::string_view& out) {
    if (p_ >= end_ || *p_ != '"') return false;
    const char* s = p_ + 1;
    const size_t n = string_stop(s);
    if (s + n >= end_ || s[n] != '"') return false;
    out = std::string_view(s, n);
    p_ = s + n + 1;
    if (p_ < end_ && *p_ == ':') return ++p_, true;
    return consume(':');
  }
  // A non-negative integer of at most 18 digits (so it fits int64_t).
  bool small_uint(int64_t& out);
  bool boolean(bool& out) {
    if (peek() == 't' && literal("true")) return out = true, true;
    if (peek() == 'f' && literal("false")) return out = false, true;
    return false;
  }
  // Consumes "null" if it comes next.
  bool null() { return peek() == 'n' && literal("null"); }
  // Skips one value of any type, checked in full; raw is its text.
  bool skip_value(std::string_view& raw) {
    const char* start = p_;
    if (!value(0)) return false;
    raw = std::string_view(start, static_cast<size_t>(p_ - start));
    return true;
  }

 private:
  static constexpr int kMaxDepth = 64;
  bool string_rest(const char* s, const char* stop, std::string_view& out);
  bool unescape(const char*& q);
  bool value(int depth);
  bool number();
  template <size_t N>
  bool literal(const char (&word)[N]) {
    constexpr size_t n = N - 1;
    if (static_cast<size_t>(end_ - p_) < n || std::memcmp(p_, word, n) != 0) return false;
    p_ += n;
    return token_ends();
  }
  template <class F>
  bool sequence(char close, F&& item);
  // After a number or literal: the next byte must end the token.
  bool token_ends() const {
    if (p_ >= end_) return true;
    const char ch = *p_;
    return ch == ',' || ch == '}' || ch == ']' || ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t';
  }

  const char* p_;
  const char* end_;
  std::string& unescaped_;
};

}  // namespace socq
