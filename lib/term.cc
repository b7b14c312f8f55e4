#include "lib/term.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include <utf8proc.h>

namespace socq {

bool is_tty(std::FILE* f) { return isatty(fileno(f)) == 1; }

size_t terminal_columns(std::FILE* f) {
  if (!is_tty(f)) return 0;
  if (const char* env = std::getenv("COLUMNS"); env && *env) {
    const long n = std::strtol(env, nullptr, 10);
    if (n > 0 && n < 100000) return static_cast<size_t>(n);
  }
  winsize ws{};
  if (ioctl(fileno(f), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
}

bool use_colour(std::FILE* f) {
  const char* force = std::getenv("CLICOLOR_FORCE");
  if (force && *force && std::strcmp(force, "0") != 0) return true;
  const char* no_colour = std::getenv("NO_COLOR");
  if (no_colour && *no_colour) return false;
  const char* term = std::getenv("TERM");
  if (term && std::strcmp(term, "dumb") == 0) return false;
  return is_tty(f);
}

namespace {
// Decodes one code point with utf8proc; a bad byte counts as one column.
size_t decode(std::string_view s, size_t i, int32_t& cp) {
  const auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + i),
                                  static_cast<utf8proc_ssize_t>(s.size() - i), &cp);
  if (n <= 0) {
    cp = '?';
    return 1;
  }
  return static_cast<size_t>(n);
}

// Terminal columns of one code point: utf8proc's East Asian width data
// (0 for combining marks and joiners, 2 for wide characters and emoji).
size_t cp_width(int32_t cp) { return static_cast<size_t>(std::max(0, utf8proc_charwidth(cp))); }

void append_hex(std::string& out, const char* prefix, unsigned value, int digits) {
  static const char* hex = "0123456789abcdef";
  out += prefix;
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) out.push_back(hex[(value >> shift) & 0xF]);
}

std::string make_safe(std::string_view s, bool one_line) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b >= 0x20 && b < 0x7F) {
      out.push_back(s[i++]);
      continue;
    }
    if (b == '\n' || b == '\t' || (b == '\r' && one_line)) {
      out.push_back(one_line ? ' ' : s[i]);
      ++i;
      continue;
    }
    if (b < 0x80) {  // C0 and DEL
      append_hex(out, "\\x", b, 2);
      ++i;
      continue;
    }
    int32_t cp = -1;
    const auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + i),
                                    static_cast<utf8proc_ssize_t>(s.size() - i), &cp);
    if (n <= 0) {  // not UTF-8: the byte itself
      append_hex(out, "\\x", b, 2);
      ++i;
    } else if (cp >= 0x80 && cp <= 0x9F) {  // C1: CSI, OSC, ... in their 8-bit form
      append_hex(out, "\\u", static_cast<unsigned>(cp), 4);
      i += static_cast<size_t>(n);
    } else {
      out.append(s.substr(i, static_cast<size_t>(n)));
      i += static_cast<size_t>(n);
    }
  }
  return out;
}
}  // namespace

std::string terminal_safe(std::string_view s) { return make_safe(s, false); }
std::string terminal_safe_line(std::string_view s) { return make_safe(s, true); }

size_t display_width(std::string_view s) {
  size_t w = 0;
  for (size_t i = 0; i < s.size();) {
    int32_t cp;
    i += decode(s, i, cp);
    w += cp_width(cp);
  }
  return w;
}

std::string truncate_to(std::string_view s, size_t width) {
  if (display_width(s) <= width) return std::string(s);
  std::string out;
  size_t w = 0;
  for (size_t i = 0; i < s.size();) {
    int32_t cp;
    const size_t n = decode(s, i, cp);
    if (w + cp_width(cp) + 1 > width) break;
    out.append(s.substr(i, n));
    w += cp_width(cp);
    i += n;
  }
  return out + "\u2026";
}

namespace {
// Narrows the widest column a step at a time until the row (with two
// spaces between columns) fits; no column goes below 6 or its header.
void fit_columns(std::vector<std::vector<std::string>>& cells, std::vector<size_t>& width, size_t fit_to) {
  if (!fit_to || width.empty()) return;
  const auto total = [&] {
    size_t sum = 2 * (width.size() - 1);
    for (size_t w : width) sum += w;
    return sum;
  };
  const auto floor_of = [&](size_t c) { return std::max<size_t>(6, display_width(cells[0][c])); };
  bool cut = false;
  while (total() > fit_to) {
    size_t widest = width.size();
    for (size_t c = 0; c < width.size(); ++c)
      if (width[c] > floor_of(c) && (widest == width.size() || width[c] > width[widest])) widest = c;
    if (widest == width.size()) break;  // nothing left to narrow
    --width[widest];
    cut = true;
  }
  if (!cut) return;
  for (size_t r = 1; r < cells.size(); ++r)
    for (size_t c = 0; c < width.size(); ++c)
      if (display_width(cells[r][c]) > width[c]) cells[r][c] = truncate_to(cells[r][c], width[c]);
}
}  // namespace

std::string render_table(const Table& t, bool colour) {
  const size_t cols = t.headers.size();
  std::vector<std::vector<std::string>> cells;
  std::vector<std::string> headers;
  for (const auto& h : t.headers) headers.push_back(terminal_safe_line(h));
  cells.push_back(std::move(headers));
  for (const auto& r : t.rows) {
    std::vector<std::string> row;
    for (size_t c = 0; c < cols; ++c) {
      std::string cell = terminal_safe_line(c < r.size() ? r[c] : "");
      if (c < t.max_width.size() && t.max_width[c]) cell = truncate_to(cell, t.max_width[c]);
      row.push_back(std::move(cell));
    }
    cells.push_back(std::move(row));
  }
  std::vector<size_t> width(cols, 0);
  for (const auto& row : cells)
    for (size_t c = 0; c < cols; ++c) width[c] = std::max(width[c], display_width(row[c]));
  fit_columns(cells, width, t.fit_to);
  std::string out;
  for (size_t r = 0; r < cells.size(); ++r) {
    std::string line;
    for (size_t c = 0; c < cols; ++c) {
      const bool last = c + 1 == cols;
      line += cells[r][c];
      if (!last) line.append(width[c] - display_width(cells[r][c]) + 2, ' ');
    }
    if (r == 0 && colour) line = "\033[1m" + line + "\033[0m";
    out += line + "\n";
  }
  return out;
}

}  // namespace socq
