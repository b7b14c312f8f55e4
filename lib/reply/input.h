// Where a reply's text comes from besides the command line: $EDITOR, or a
// bulk file of (case, text) rows.
#pragma once
#include <string>
#include <vector>

#include "lib/config.h"
#include "lib/result.h"

namespace socq::reply {

// Opens $VISUAL, else $EDITOR, else vi, on a file holding `intro` as
// "# " comment lines; the text is what is left without comment lines,
// trimmed. An editor failing or an empty text is an error (nothing posts).
Result<std::string> text_from_editor(const std::string& intro, EnvFn env = process_env);

struct BulkRow {
  std::string where;  // "file:line"
  std::string case_ref;
  std::string text;
  std::string template_name;
};
// JSON Lines ({"case": ID, "text": "..."} or "template": NAME) when the
// first byte is "{", else CSV with a header naming columns case (or id) and
// text (or template). Errors name file:line and the field (exit 65).
Result<std::vector<BulkRow>> read_bulk(const std::string& path);

}  // namespace socq::reply
