// Platform-exact reply length: what each platform itself counts, so a reply
// the checks pass is one the platform accepts.
//   Mastodon: graphemes (utf8proc extended grapheme clusters: an emoji ZWJ
//     sequence, a flag, a skin-toned emoji, a letter with combining marks
//     are one each); every URL counts chars_per_url (23) whatever its
//     length; a remote mention @user@domain counts as @user.
//   Bluesky: graphemes AND UTF-8 bytes (300 and 3000); URLs count in full.
//   X: weighted length after NFC (twitter-text config v3): code points in
//     U+0000-U+10FF, U+2000-U+200D, U+2010-U+201F, U+2032-U+2037 weigh 1,
//     all others 2, an emoji (sequence) 2, each URL 23, a bare domain
//     too (example.com; a country-code domain only with a path); limit 280.
//   Facebook: characters (code points): 8000 for a comment, 2000 for a
//     Messenger message (limits unverified against Meta's documentation).
// A URL is http:// or https:// followed by at least one character up to
// the next whitespace, trailing punctuation . , ; : ! ? ) ] ' " excluded
// (Mastodon's and twitter-text's rules are more elaborate; this agrees with
// them on every URL an agent types between spaces).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lib/channels/channel.h"

namespace socq::reply {

// One code point at text[i]: its value, -1 for a byte that is not UTF-8
// (then len is 1).
int32_t code_point_at(std::string_view text, size_t i, size_t* len);
// Letters, digits, marks and '_': what words (and handles) are made of.
bool is_word_code_point(int32_t cp);

struct Span {
  size_t begin = 0, end = 0;  // [begin, end) bytes
};

// The URLs in text, in order (see above for what counts as one).
std::vector<Span> find_urls(std::string_view text);
// Extended grapheme clusters (utf8proc); invalid UTF-8 counts byte-wise.
int64_t count_graphemes(std::string_view text);
// Code points; invalid UTF-8 counts byte-wise.
int64_t count_code_points(std::string_view text);

int64_t mastodon_length(std::string_view text, int64_t chars_per_url = 23);
int64_t bluesky_length(std::string_view text);  // graphemes; bytes are text.size()
int64_t x_weighted_length(std::string_view text);

// What one platform allows when the store holds no limits for the account
// (Mastodon: 500, a direct message too; Bluesky: 300 graphemes / 3000 bytes,
// a chat message 1000 / 10000; X: 280 weighted, a DM 10000 (unverified);
// Facebook: 8000 public, 2000 private). Unknown channels: max_chars 0.
Limits default_limits(std::string_view channel, bool is_public);

struct Measured {
  int64_t length = 0;  // in limits.unit
  int64_t bytes = 0;   // UTF-8 bytes (checked when limits.max_bytes > 0)
  size_t urls = 0;
  std::string unit;    // "characters", "graphemes", "weighted"
};
// Measures text as `channel` counts it under `limits`.
Measured measure(std::string_view text, std::string_view channel, const Limits& limits);

}  // namespace socq::reply
