#include "lib/reply/similarity.h"

#include <algorithm>
#include <unordered_set>

#include "lib/reply/length.h"
#include "lib/triage/text_match.h"

namespace socq::reply {
namespace {

// Punctuation that ends a greeting: "Hi Sam," "Thanks Sam!" "Dear Ms. Lee:"
bool ends_segment(int32_t cp) {
  switch (cp) {
    case ',': case '!': case '.': case ':': case ';': case '?': case '\n': case 0x2013: case 0x2014: case 0xFF0C: case 0x3001:
    case 0xFF01: case 0x3002:
      return true;
    default:
      return false;
  }
}

struct Token {
  std::string word;  // empty: a segment end
};

// "@sam" and "@sam@example.social" anywhere, and the URLs: replaced by a
// space so they part words.
std::string without_urls_and_mentions(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t at = 0;
  auto copy_without_mentions = [&](size_t end) {
    while (at < end) {
      if (text[at] == '@' && at + 1 < end) {
        size_t j = at + 1, len = 1;
        while (j < end && (is_word_code_point(code_point_at(text, j, &len)) || text[j] == '@' || text[j] == '.' || text[j] == '-')) j += len;
        while (j > at + 1 && (text[j - 1] == '.' || text[j - 1] == '-')) --j;  // sentence end after a handle
        if (j > at + 1) {
          out.push_back(' ');
          at = j;
          continue;
        }
      }
      out.push_back(text[at] == '\n' ? ',' : text[at]);  // a line break ends a greeting
      ++at;
    }
  };
  for (const Span& url : find_urls(text)) {
    copy_without_mentions(url.begin);
    out.push_back(' ');
    at = url.end;
  }
  copy_without_mentions(text.size());
  return out;
}

// Words of folded text, and segment ends between them. An apostrophe
// inside a word keeps it whole ("we're").
std::vector<Token> tokenize(std::string_view folded) {
  std::vector<Token> out;
  std::string word;
  auto flush = [&] {
    if (!word.empty()) out.push_back({std::move(word)});
    word.clear();
  };
  for (size_t i = 0; i < folded.size();) {
    size_t len = 1;
    const int32_t cp = code_point_at(folded, i, &len);
    if (is_word_code_point(cp)) {
      word.append(folded.substr(i, len));
    } else if ((cp == '\'' || cp == 0x2019) && !word.empty() && i + len < folded.size()) {
      size_t next_len = 1;
      if (is_word_code_point(code_point_at(folded, i + len, &next_len))) word.push_back('\'');
      else flush();
    } else {
      flush();
      if (ends_segment(cp) && (out.empty() || !out.back().word.empty())) out.push_back({});
    }
    i += len;
  }
  flush();
  return out;
}

bool is_greeting(std::string_view w) {
  static const std::unordered_set<std::string_view> kGreetings = {
      "hi", "hello", "hey", "heya", "hiya", "dear", "thanks", "thank", "thx", "ty", "morning", "afternoon",
      "evening", "good", "greetings", "howdy", "yo", "bonjour", "hallo", "hola", "ciao", "moin", "salut", "hej"};
  return kGreetings.count(w) > 0;
}

// Drops up to three leading segments that greet: one starting with a
// greeting word of at most 4 words ("hi", "thanks for reaching out"), or a
// vocative of at most 2 words ("sam lee,").
void drop_greeting(std::vector<Token>& tokens) {
  size_t start = 0;
  while (start < tokens.size() && tokens[start].word.empty()) ++start;
  for (int round = 0; round < 3 && start < tokens.size(); ++round) {
    size_t end = start, words = 0;
    while (end < tokens.size() && !tokens[end].word.empty()) ++end, ++words;
    if (end == tokens.size()) break;  // no segment end: the whole reply, not a greeting
    const bool greets = is_greeting(tokens[start].word) && words <= 4;
    if (!greets && !(words <= 2 && round < 2)) break;
    start = end;
    while (start < tokens.size() && tokens[start].word.empty()) ++start;
  }
  tokens.erase(tokens.begin(), tokens.begin() + static_cast<std::ptrdiff_t>(start));
}

// The folded words of the customer's names: "@sam_lee@example.social"
// gives "sam_lee", "Sam Lee" gives "sam" and "lee".
std::unordered_set<std::string> name_words(const std::vector<std::string>& names) {
  std::unordered_set<std::string> out;
  for (const std::string& n : names) {
    std::string_view v = n;
    while (!v.empty() && v.front() == '@') v.remove_prefix(1);
    if (const auto at = v.find('@'); at != std::string_view::npos) v = v.substr(0, at);
    for (Token& t : tokenize(fold_text(v)))
      if (!t.word.empty()) out.insert(std::move(t.word));
  }
  return out;
}

uint64_t fnv1a(uint64_t h, std::string_view s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

}  // namespace

std::vector<std::string> normalised_words(std::string_view text, const std::vector<std::string>& customer_names) {
  std::vector<Token> tokens = tokenize(fold_text(without_urls_and_mentions(text)));
  const auto names = name_words(customer_names);
  if (!names.empty())
    tokens.erase(std::remove_if(tokens.begin(), tokens.end(), [&](const Token& t) { return !t.word.empty() && names.count(t.word); }),
                 tokens.end());
  // Removing a name may leave two segment ends side by side.
  tokens.erase(std::unique(tokens.begin(), tokens.end(), [](const Token& a, const Token& b) { return a.word.empty() && b.word.empty(); }),
               tokens.end());
  drop_greeting(tokens);
  std::vector<std::string> words;
  for (Token& t : tokens) {
    if (t.word.empty()) continue;
    // A template's filled-in reference, time or amount does not make it another reply.
    const bool number = std::any_of(t.word.begin(), t.word.end(), [](char c) { return c >= '0' && c <= '9'; });
    words.push_back(number ? std::string("0") : std::move(t.word));
  }
  return words;
}

Shingles shingles_of(std::string_view text, const std::vector<std::string>& customer_names) {
  Shingles s;
  const std::vector<std::string> words = normalised_words(text, customer_names);
  s.words = words.size();
  if (words.size() < kMinWords) return s;
  s.hashes.reserve(words.size());
  for (size_t i = 0; i + kShingleWords <= words.size(); ++i) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t k = 0; k < kShingleWords; ++k) h = fnv1a(fnv1a(h, words[i + k]), " ");
    s.hashes.push_back(h);
  }
  std::sort(s.hashes.begin(), s.hashes.end());
  s.hashes.erase(std::unique(s.hashes.begin(), s.hashes.end()), s.hashes.end());
  return s;
}

double jaccard(const Shingles& a, const Shingles& b) {
  if (a.hashes.empty() || b.hashes.empty()) return 0;
  size_t common = 0;
  for (auto i = a.hashes.begin(), j = b.hashes.begin(); i != a.hashes.end() && j != b.hashes.end();) {
    if (*i < *j) ++i;
    else if (*j < *i) ++j;
    else ++common, ++i, ++j;
  }
  return static_cast<double>(common) / static_cast<double>(a.hashes.size() + b.hashes.size() - common);
}

}  // namespace socq::reply
