#include "lib/reply/length.h"

#include <utf8proc.h>

#include <algorithm>
#include <cstdlib>
#include <initializer_list>

namespace socq::reply {
namespace {

const utf8proc_uint8_t* bytes_of(std::string_view s) { return reinterpret_cast<const utf8proc_uint8_t*>(s.data()); }

// One code point at s[i]: its value (-1 for a byte that is not UTF-8) and
// its length in bytes (at least 1).
struct CodePoint {
  int32_t cp = -1;
  size_t len = 1;
};

CodePoint next_cp(std::string_view s, size_t i) {
  int32_t cp = -1;
  const auto n = utf8proc_iterate(bytes_of(s) + i, static_cast<utf8proc_ssize_t>(s.size() - i), &cp);
  if (n <= 0) return {-1, 1};
  return {cp, static_cast<size_t>(n)};
}

// Calls f(begin, end) for each extended grapheme cluster of s.
template <class F>
void for_each_grapheme(std::string_view s, F&& f) {
  utf8proc_int32_t state = 0;
  int32_t prev = -1;
  size_t start = 0;
  for (size_t i = 0; i < s.size();) {
    const CodePoint c = next_cp(s, i);
    // An invalid byte stands alone; so does whatever follows it.
    const bool brk = i > 0 && (prev < 0 || c.cp < 0 || utf8proc_grapheme_break_stateful(prev, c.cp, &state));
    if (c.cp < 0) state = 0;
    if (brk) {
      f(start, i);
      start = i;
    }
    prev = c.cp;
    i += c.len;
  }
  if (!s.empty()) f(start, s.size());
}

bool is_ascii_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool is_ascii_alnum(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Whitespace ends a URL: ASCII, no-break space (C2 A0) and ideographic space (E3 80 80).
size_t space_len(std::string_view s, size_t i) {
  if (is_ascii_space(s[i])) return 1;
  if (s.compare(i, 2, "\xC2\xA0") == 0) return 2;
  if (s.compare(i, 3, "\xE3\x80\x80") == 0) return 3;
  return 0;
}

bool starts_with_nocase(std::string_view s, size_t i, std::string_view prefix) {
  if (s.size() - i < prefix.size()) return false;
  for (size_t k = 0; k < prefix.size(); ++k) {
    char c = s[i + k];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[k]) return false;
  }
  return true;
}

// Trailing punctuation ends a sentence, not the URL; a closing bracket
// belongs to the URL only if the URL opened it (Wikipedia links).
size_t trim_url_end(std::string_view s, size_t begin, size_t end) {
  while (end > begin) {
    const char c = s[end - 1];
    if (c == '.' || c == ',' || c == ';' || c == ':' || c == '!' || c == '?' || c == '\'' || c == '"' || c == '>') {
      --end;
      continue;
    }
    if (c == ')' || c == ']') {
      const char open = c == ')' ? '(' : '[';
      const auto url = s.substr(begin, end - begin);
      if (std::count(url.begin(), url.end(), open) < std::count(url.begin(), url.end(), c)) {
        --end;
        continue;
      }
    }
    break;
  }
  return end;
}

// Code point weights of twitter-text config v3 (scale 100 divided out).
int x_weight(int32_t cp) {
  if (cp < 0) return 2;
  if ((cp >= 0x0000 && cp <= 0x10FF) || (cp >= 0x2000 && cp <= 0x200D) || (cp >= 0x2010 && cp <= 0x201F) ||
      (cp >= 0x2032 && cp <= 0x2037))
    return 1;
  return 2;
}

bool is_emoji_cp(int32_t cp) {
  if (cp < 0) return false;
  const auto bc = utf8proc_get_property(cp)->boundclass;
  return bc == UTF8PROC_BOUNDCLASS_EXTENDED_PICTOGRAPHIC || bc == UTF8PROC_BOUNDCLASS_E_ZWG ||
         bc == UTF8PROC_BOUNDCLASS_REGIONAL_INDICATOR || bc == UTF8PROC_BOUNDCLASS_E_BASE ||
         bc == UTF8PROC_BOUNDCLASS_E_BASE_GAZ || bc == UTF8PROC_BOUNDCLASS_GLUE_AFTER_ZWJ;
}

// An emoji sequence: a cluster holding a pictograph, a flag's regional
// indicators or a keycap (U+20E3), e.g. "👩‍👩‍👧", "🇫🇷", "👍🏽", "1️⃣".
bool is_emoji_cluster(std::string_view cluster) {
  for (size_t i = 0; i < cluster.size();) {
    const CodePoint c = next_cp(cluster, i);
    if (is_emoji_cp(c.cp) || c.cp == 0x20E3) return true;
    i += c.len;
  }
  return false;
}

std::string nfc(std::string_view s) {
  utf8proc_uint8_t* out = nullptr;
  const auto n = utf8proc_map(bytes_of(s), static_cast<utf8proc_ssize_t>(s.size()), &out,
                              static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
  if (n < 0) return std::string(s);  // invalid UTF-8: counted as it is
  std::string r(reinterpret_cast<const char*>(out), static_cast<size_t>(n));
  std::free(out);
  return r;
}

int32_t cp_before(std::string_view s, size_t i) {
  if (i == 0) return -2;  // start of text
  size_t j = i - 1;
  while (j > 0 && (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80) --j;
  return next_cp(s, j).cp;
}

// Top-level domains X links without a scheme (the common ones; twitter-text
// knows every TLD).
bool is_common_tld(std::string_view tld) {
  static constexpr std::string_view kTlds[] = {
      "com", "org", "net", "io", "co", "uk", "de", "fr", "es", "it", "nl", "be", "ch", "at", "se", "no", "dk", "fi",
      "ie", "pl", "pt", "ca", "us", "au", "nz", "jp", "cn", "in", "br", "mx", "ru", "eu", "info", "biz", "app", "dev",
      "me", "tv", "ly", "gl", "social", "gov", "edu"};
  return std::find(std::begin(kTlds), std::end(kTlds), tld) != std::end(kTlds);
}

// A bare domain at i ("example.com", "help.example.co.uk/path"), as X
// links it: labels of ASCII letters, digits and '-', the last a known TLD,
// then a path up to whitespace. Returns its end, or i when there is none.
size_t bare_domain_end(std::string_view s, size_t i) {
  size_t j = i, last_label = i;
  int labels = 0;
  while (j < s.size()) {
    const size_t label = j;
    while (j < s.size() && (is_ascii_alnum(s[j]) || s[j] == '-')) ++j;
    if (j == label) break;
    ++labels;
    last_label = label;
    if (j < s.size() && s[j] == '.' && j + 1 < s.size() && is_ascii_alnum(s[j + 1])) {
      ++j;
      continue;
    }
    break;
  }
  if (labels < 2) return i;
  std::string tld(s.substr(last_label, j - last_label));
  for (char& c : tld)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  if (!is_common_tld(tld)) return i;
  if (j < s.size() && is_word_code_point(next_cp(s, j).cp)) return i;  // "example.comfort"
  const bool path = j < s.size() && s[j] == '/';
  // twitter-text links a country-code domain without a scheme only with a
  // path: "sorry.It works" is no link, "bbc.co.uk/news" is.
  if (tld.size() == 2 && !path) return i;
  if (path)
    while (j < s.size() && !space_len(s, j)) ++j;
  return trim_url_end(s, i, j);
}

// The URLs of s and, with bare_domains, scheme-less domains too.
std::vector<Span> find_links(std::string_view s, bool bare_domains) {
  std::vector<Span> out;
  for (size_t i = 0; i < s.size();) {
    const int32_t before = cp_before(s, i);
    const bool may_start = before == -2 || (!is_word_code_point(before) && before != '@' && before != '/' && before != '.');
    if (may_start && (starts_with_nocase(s, i, "http://") || starts_with_nocase(s, i, "https://"))) {
      const size_t host = i + (s[i + 4] == ':' ? 7 : 8);
      if (host < s.size() && (is_ascii_alnum(s[host]) || static_cast<unsigned char>(s[host]) >= 0x80)) {
        size_t end = host;
        while (end < s.size() && !space_len(s, end)) ++end;
        end = trim_url_end(s, i, end);
        if (end > host) {
          out.push_back({i, end});
          i = end;
          continue;
        }
      }
    }
    if (bare_domains && may_start && is_ascii_alnum(s[i])) {
      if (const size_t end = bare_domain_end(s, i); end > i) {
        out.push_back({i, end});
        i = end;
        continue;
      }
    }
    i += next_cp(s, i).len;
  }
  return out;
}

// Mastodon's remote mention @user@domain: the end of "@user" and of the
// whole mention, or {0, 0}.
std::pair<size_t, size_t> remote_mention(std::string_view s, size_t i) {
  if (s[i] != '@') return {0, 0};
  const int32_t before = cp_before(s, i);
  if (before != -2 && (is_word_code_point(before) || before == '/' || before == '=')) return {0, 0};
  // Mastodon's USERNAME_RE: [a-z0-9_]+([a-z0-9_.-]+[a-z0-9_]+)?
  size_t j = i + 1;
  while (j < s.size() && (is_ascii_alnum(s[j]) || s[j] == '_' || s[j] == '.' || s[j] == '-')) ++j;
  if (j == i + 1 || j >= s.size() || s[j] != '@' || s[i + 1] == '.' || s[i + 1] == '-' || s[j - 1] == '.' || s[j - 1] == '-')
    return {0, 0};
  const size_t user_end = j++;
  size_t last_word = 0;
  while (j < s.size()) {
    const CodePoint c = next_cp(s, j);
    if (is_word_code_point(c.cp)) {
      j += c.len;
      last_word = j;
    } else if (c.cp == '.' || c.cp == '-') {
      j += c.len;
    } else {
      break;
    }
  }
  if (last_word == 0) return {0, 0};
  return {user_end, last_word};  // a domain ends with a word character
}

}  // namespace

int32_t code_point_at(std::string_view text, size_t i, size_t* len) {
  const CodePoint c = next_cp(text, i);
  *len = c.len;
  return c.cp;
}

bool is_word_code_point(int32_t cp) {
  if (cp < 0) return false;
  if (cp < 0x80) return is_ascii_alnum(static_cast<char>(cp)) || cp == '_';
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ND:
      return true;
    default:
      return false;
  }
}

std::vector<Span> find_urls(std::string_view text) { return find_links(text, false); }

int64_t count_graphemes(std::string_view text) {
  int64_t n = 0;
  for_each_grapheme(text, [&](size_t, size_t) { ++n; });
  return n;
}

int64_t count_code_points(std::string_view text) {
  int64_t n = 0;
  for (size_t i = 0; i < text.size(); i += next_cp(text, i).len) ++n;
  return n;
}

// As Mastodon's StatusLengthValidator: each URL becomes a placeholder of
// chars_per_url characters, each remote mention its local part, then
// graphemes are counted.
int64_t mastodon_length(std::string_view text, int64_t chars_per_url) {
  std::string countable;
  countable.reserve(text.size());
  size_t at = 0;
  const auto copy_with_mentions = [&](size_t end) {
    while (at < end) {
      if (auto [user_end, mention_end] = remote_mention(text, at); mention_end && mention_end <= end) {
        countable.append(text.substr(at, user_end - at));
        at = mention_end;
        continue;
      }
      const size_t len = next_cp(text, at).len;
      countable.append(text.substr(at, len));
      at += len;
    }
  };
  for (const Span& url : find_urls(text)) {
    copy_with_mentions(url.begin);
    countable.append(static_cast<size_t>(std::max<int64_t>(chars_per_url, 0)), 'x');
    at = url.end;
  }
  copy_with_mentions(text.size());
  return count_graphemes(countable);
}

int64_t bluesky_length(std::string_view text) { return count_graphemes(text); }

int64_t x_weighted_length(std::string_view raw) {
  const std::string text = nfc(raw);
  int64_t weight = 0;
  size_t at = 0;
  const auto weigh_until = [&](size_t end) {
    for_each_grapheme(std::string_view(text).substr(at, end - at), [&](size_t b, size_t e) {
      const std::string_view cluster = std::string_view(text).substr(at + b, e - b);
      if (is_emoji_cluster(cluster)) {
        weight += 2;
        return;
      }
      for (size_t i = 0; i < cluster.size();) {
        const CodePoint c = next_cp(cluster, i);
        weight += x_weight(c.cp);
        i += c.len;
      }
    });
    at = end;
  };
  for (const Span& url : find_links(text, true)) {
    weigh_until(url.begin);
    weight += 23;
    at = url.end;
  }
  weigh_until(text.size());
  return weight;
}

Limits default_limits(std::string_view channel, bool is_public) {
  Limits l;
  if (channel == "mastodon") {
    l.max_chars = 500, l.chars_per_url = 23, l.unit = "graphemes";
  } else if (channel == "bluesky") {
    // app.bsky.feed.post text; a chat message (chat.bsky.convo messageInput) holds more.
    l.max_chars = is_public ? 300 : 1000, l.max_bytes = is_public ? 3000 : 10000, l.unit = "graphemes";
  } else if (channel == "x") {
    l.max_chars = is_public ? 280 : 10000, l.chars_per_url = 23, l.unit = "weighted";
  } else if (channel == "facebook") {
    l.max_chars = is_public ? 8000 : 2000, l.unit = "characters";
  }
  return l;
}

Measured measure(std::string_view text, std::string_view channel, const Limits& limits) {
  Measured m;
  m.bytes = static_cast<int64_t>(text.size());
  if (channel == "mastodon") {
    m.unit = "graphemes";
    m.urls = find_urls(text).size();
    m.length = mastodon_length(text, limits.chars_per_url > 0 ? limits.chars_per_url : 23);
  } else if (channel == "bluesky") {
    m.unit = "graphemes";
    m.urls = find_urls(text).size();
    m.length = bluesky_length(text);
  } else if (channel == "x") {
    m.unit = "weighted";
    m.urls = find_links(nfc(text), true).size();
    m.length = x_weighted_length(text);
  } else {
    m.unit = "characters";
    m.urls = find_urls(text).size();
    m.length = count_code_points(text);
  }
  return m;
}

}  // namespace socq::reply
