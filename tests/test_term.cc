#include <doctest/doctest.h>

#include "lib/term.h"

using namespace socq;

TEST_CASE("display width counts columns, not bytes") {
  CHECK(display_width("abc") == 3);
  CHECK(display_width("Chlo\xC3\xA9") == 5);           // é: 2 bytes, 1 column
  CHECK(display_width("\xF0\x9F\x98\xA0") == 2);       // emoji: 2 columns
  CHECK(display_width("e\xCC\x81") == 1);              // combining accent
  CHECK(display_width("\xE6\x97\xA5\xE6\x9C\xAC") == 4);  // CJK: two wide characters
  CHECK(display_width("a\xFF") == 2);                   // a bad byte still takes a column
}

TEST_CASE("truncation ends with an ellipsis and never splits a character") {
  CHECK(truncate_to("short", 10) == "short");
  CHECK(truncate_to("a longer text", 6) == "a lon\xE2\x80\xA6");
  CHECK(truncate_to("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", 3) == "\xC3\xA9\xC3\xA9\xE2\x80\xA6");
}

TEST_CASE("tables pad columns to the widest cell and flatten newlines") {
  Table t{{"ID", "TEXT"}, {{"1", "two\nlines"}, {"100", "x"}}, {}};
  CHECK(render_table(t, false) == "ID   TEXT\n1    two lines\n100  x\n");
  CHECK(render_table(t, true).rfind("\033[1mID", 0) == 0);
}

TEST_CASE("control characters are escaped before a terminal sees them") {
  CHECK(terminal_safe("a\x1b[2Jb\x07") == "a\\x1b[2Jb\\x07");
  CHECK(terminal_safe("del\x7f nul" + std::string(1, '\0')) == "del\\x7f nul\\x00");
  CHECK(terminal_safe("csi \xc2\x9b" "31m") == "csi \\u009b31m");  // C1 in UTF-8
  CHECK(terminal_safe("bad \xff byte") == "bad \\xff byte");
  CHECK(terminal_safe("two\nlines\tand\rCR") == "two\nlines\tand\\x0dCR");
  CHECK(terminal_safe_line("two\nlines\r") == "two lines ");
  CHECK(terminal_safe("caf\xc3\xa9 \xf0\x9f\x98\x80") == "caf\xc3\xa9 \xf0\x9f\x98\x80");  // text is kept
  Table t;
  t.headers = {"ID", "TEXT"};
  t.rows = {{"x:\x1b]0;pwned\x07", "hi\x1b[31m"}};
  const std::string out = render_table(t, false);
  CHECK(out.find('\x1b') == std::string::npos);
  CHECK(out.find('\x07') == std::string::npos);
  CHECK(out.find("x:\\x1b]0;pwned\\x07") != std::string::npos);
}

TEST_CASE("a table fits the width it is given: the widest columns are cut with an ellipsis") {
  Table t;
  t.headers = {"ID", "STATUS", "TEXT"};
  t.rows = {{"at://did:plc:abcdefghijklmnopqrstuvwx/app.bsky.feed.post/3kabcdefghijk", "open",
             "a long message from the customer that would wrap a terminal row"}};
  t.fit_to = 60;
  const std::string out = render_table(t, false);
  size_t start = 0;
  for (size_t nl; (nl = out.find('\n', start)) != std::string::npos; start = nl + 1)
    CHECK(display_width(std::string_view(out).substr(start, nl - start)) <= 60);
  CHECK(out.find("open") != std::string::npos);
  CHECK(out.find("\u2026") != std::string::npos);
  t.fit_to = 0;
  CHECK(render_table(t, false).find("3kabcdefghijk") != std::string::npos);  // not on a terminal: whole
}
