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
