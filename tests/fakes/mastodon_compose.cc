#include "tests/fakes/mastodon_compose.h"

#include <utf8proc.h>

#include <cctype>

namespace socq::fake {

static std::string escape_html(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

static bool is_space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

static bool mention_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-' || c == '@';
}

// The end of a mention token starting at `at` ('@'), trailing dots excluded.
static size_t mention_end(const std::string& s, size_t at) {
  size_t end = at + 1;
  while (end < s.size() && mention_char(s[end])) ++end;
  while (end > at + 1 && (s[end - 1] == '.' || s[end - 1] == '-')) --end;
  return end;
}

static bool starts_url(const std::string& s, size_t i) {
  return s.compare(i, 7, "http://") == 0 || s.compare(i, 8, "https://") == 0;
}

static size_t url_end(const std::string& s, size_t i) {
  size_t end = i;
  while (end < s.size() && !is_space(s[end])) ++end;
  while (end > i && (s[end - 1] == '.' || s[end - 1] == ',' || s[end - 1] == ')')) --end;
  return end;
}

static bool word_start(const std::string& s, size_t i) { return i == 0 || is_space(s[i - 1]) || s[i - 1] == '('; }

static std::string link_html(const std::string& url) {
  size_t scheme_end = url.find("://") + 3;
  std::string rest = url.substr(scheme_end);
  std::string shown = rest.substr(0, 30), hidden = rest.size() > 30 ? rest.substr(30) : "";
  return "<a href=\"" + escape_html(url) +
         "\" target=\"_blank\" rel=\"nofollow noopener noreferrer\" translate=\"no\"><span class=\"invisible\">" +
         escape_html(url.substr(0, scheme_end)) + "</span><span class=\"" + (hidden.empty() ? "" : "ellipsis") + "\">" +
         escape_html(shown) + "</span><span class=\"invisible\">" + escape_html(hidden) + "</span></a>";
}

static std::string mention_html(const json& account) {
  return "<span class=\"h-card\" translate=\"no\"><a href=\"" + escape_html(account.value("url", "")) +
         "\" class=\"u-url mention\">@<span>" + escape_html(account.value("username", "")) + "</span></a></span>";
}

// One line of text with mentions and links marked up.
static std::string line_html(const std::string& line, const std::function<json(const std::string&)>& find_account,
                             std::vector<json>* mentions) {
  std::string out;
  size_t i = 0;
  while (i < line.size()) {
    if (line[i] == '@' && word_start(line, i)) {
      size_t end = mention_end(line, i);
      json account = end > i + 1 ? find_account(line.substr(i + 1, end - i - 1)) : json();
      if (account.is_object()) {
        out += mention_html(account);
        mentions->push_back({{"id", account["id"]}, {"username", account["username"]},
                             {"url", account["url"]}, {"acct", account["acct"]}});
        i = end;
        continue;
      }
    }
    if (starts_url(line, i) && word_start(line, i)) {
      size_t end = url_end(line, i);
      out += link_html(line.substr(i, end - i));
      i = end;
      continue;
    }
    out += escape_html(std::string(1, line[i]));
    ++i;
  }
  return out;
}

static std::vector<std::string> split(const std::string& s, const std::string& sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t at = s.find(sep, start);
    out.push_back(s.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) return out;
    start = at + sep.size();
  }
}

Composed compose_html(const std::string& text, const std::function<json(const std::string&)>& find_account) {
  Composed c;
  std::string normalized;
  for (char ch : text)
    if (ch != '\r') normalized += ch;
  for (const std::string& para : split(normalized, "\n\n")) {
    if (para.empty()) continue;
    std::string html;
    std::vector<std::string> lines = split(para, "\n");
    for (size_t i = 0; i < lines.size(); ++i) html += (i ? "<br />" : "") + line_html(lines[i], find_account, &c.mentions);
    c.html += "<p>" + html + "</p>";
  }
  return c;
}

static size_t graphemes(const std::string& s) {
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(s.size());
  utf8proc_int32_t prev = -1, state = 0;
  size_t count = 0;
  while (left > 0) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
    if (n <= 0) {  // invalid byte: count it alone
      n = 1;
      cp = 0xFFFD;
    }
    if (prev < 0 || utf8proc_grapheme_break_stateful(prev, cp, &state)) ++count;
    prev = cp;
    p += n;
    left -= n;
  }
  return count;
}

size_t mastodon_length(const std::string& text, size_t url_chars) {
  std::string counted;
  size_t extra = 0;
  size_t i = 0;
  while (i < text.size()) {
    if (starts_url(text, i) && word_start(text, i)) {
      i = url_end(text, i);
      extra += url_chars;
      continue;
    }
    if (text[i] == '@' && word_start(text, i)) {
      size_t end = mention_end(text, i);
      std::string handle = text.substr(i, end - i);
      size_t second = handle.find('@', 1);
      counted += second == std::string::npos ? handle : handle.substr(0, second);
      i = end;
      continue;
    }
    counted += text[i++];
  }
  return graphemes(counted) + extra;
}

}  // namespace socq::fake
