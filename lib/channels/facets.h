// Bluesky rich-text facets: where @mentions and links sit in a post's text,
// as UTF-8 byte offsets [begin, end) (app.bsky.richtext.facet indexes bytes,
// not characters), and the post length rules (300 graphemes, 3000 bytes).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace socq {

struct TextSpan {
  size_t begin = 0, end = 0;  // bytes
  std::string value;          // a mention's handle (no '@'), a link's URI
};

// "@name.example.com" after the start, a space or '(': a handle has a dot
// and ends before trailing punctuation.
std::vector<TextSpan> find_mentions(std::string_view text);
// http:// and https:// up to whitespace, trailing . , ; : ! ? ) ] ' " cut.
std::vector<TextSpan> find_links(std::string_view text);
// Extended grapheme clusters (utf8proc); an invalid byte counts as one.
int64_t grapheme_count(std::string_view text);

inline constexpr int64_t kBlueskyMaxGraphemes = 300;
inline constexpr int64_t kBlueskyMaxBytes = 3000;

}  // namespace socq
