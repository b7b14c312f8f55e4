// Terminal manners: colour only on a TTY with NO_COLOR unset (CLICOLOR_FORCE
// forces it), and aligned tables for people.
#pragma once
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace socq {

bool is_tty(std::FILE* f);
// Whether to colour output written to f (isatty, TERM != dumb, NO_COLOR,
// CLICOLOR_FORCE).
bool use_colour(std::FILE* f);

// Display width of UTF-8 text in terminal columns (utf8proc's character
// widths: combining marks 0, wide characters and emoji 2).
size_t display_width(std::string_view s);
// Cuts s to at most `width` columns, ending with "…" when cut.
std::string truncate_to(std::string_view s, size_t width);

// Customer text made safe for a terminal: control characters (C0 but
// newline and tab, DEL, C1 such as CSI) and bytes that are not UTF-8 become
// visible escapes (\x1b, \u009b, \xff), so a post cannot move the cursor,
// retitle the window or ring the bell. Everything else is kept as is.
std::string terminal_safe(std::string_view s);
// The same for one table cell or line: newline, CR and tab become spaces.
std::string terminal_safe_line(std::string_view s);

struct Table {
  std::vector<std::string> headers;
  std::vector<std::vector<std::string>> rows;
  std::vector<size_t> max_width;  // per column, 0: unlimited
  size_t fit_to = 0;  // total width to fit (terminal_columns()), 0: any
};

// The width of the terminal f writes to: $COLUMNS, else the TTY's size; 0
// when f is not a terminal (then tables are never cut to fit).
size_t terminal_columns(std::FILE* f);

// Renders the table with columns padded to the widest cell; headers are
// bold when colour is on. Cells pass through terminal_safe_line. With
// fit_to, the widest columns are cut (with an ellipsis) until a row fits.
std::string render_table(const Table& t, bool colour);

}  // namespace socq
