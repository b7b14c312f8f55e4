#include "lib/reply/input.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "lib/csv.h"

namespace socq::reply {
namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

std::string strip_comments(const std::string& text) {
  std::istringstream in(text);
  std::string line, out;
  while (std::getline(in, line))
    if (line.rfind("#", 0) != 0) out += line + "\n";
  return trim(out);
}

Result<std::vector<BulkRow>> read_jsonl(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<BulkRow> rows;
  std::string line;
  for (size_t n = 1; std::getline(in, line); ++n) {
    if (trim(line).empty()) continue;
    const std::string where = path + ":" + std::to_string(n);
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return Error{Exit::data, where + ": not a JSON object"};
    BulkRow r{where, "", "", ""};
    for (const char* key : {"case", "id"})
      if (j.contains(key)) {
        if (!j[key].is_string() && !j[key].is_number_integer())
          return Error{Exit::data, where + ": " + key + ": must be a case id or number"};
        r.case_ref = j[key].is_string() ? j[key].get<std::string>() : std::to_string(j[key].get<int64_t>());
      }
    if (j.contains("text")) {
      if (!j["text"].is_string()) return Error{Exit::data, where + ": text: must be a string"};
      r.text = j["text"].get<std::string>();
    }
    if (j.contains("template")) {
      if (!j["template"].is_string()) return Error{Exit::data, where + ": template: must be a string"};
      r.template_name = j["template"].get<std::string>();
    }
    if (r.case_ref.empty()) return Error{Exit::data, where + ": case: missing (the case id or number to reply to)"};
    if (r.text.empty() == r.template_name.empty()) return Error{Exit::data, where + ": text: give the text or a template (one of them)"};
    rows.push_back(std::move(r));
  }
  if (in.bad()) return Error{Exit::io, path + ": cannot read"};
  return rows;
}

Result<std::vector<BulkRow>> read_csv(const std::string& path) {
  CsvReader csv(path);
  if (!csv.error().empty()) return Error{Exit::no_input, csv.error()};
  std::vector<std::string> fields;
  if (!csv.next(fields)) return Error{csv.read_failed() ? Exit::io : Exit::data, csv.error().empty() ? path + ": empty file" : csv.error()};
  int case_col = -1, text_col = -1, template_col = -1;
  for (size_t i = 0; i < fields.size(); ++i) {
    const std::string h = trim(fields[i]);
    if (h == "case" || h == "id") case_col = static_cast<int>(i);
    else if (h == "text") text_col = static_cast<int>(i);
    else if (h == "template") template_col = static_cast<int>(i);
  }
  if (case_col < 0 || (text_col < 0 && template_col < 0))
    return Error{Exit::data, path + ":1: the header needs a case (or id) column and a text (or template) column"};
  std::vector<BulkRow> rows;
  while (csv.next(fields)) {
    const std::string where = path + ":" + std::to_string(csv.record_line());
    auto cell = [&](int col) { return col >= 0 && static_cast<size_t>(col) < fields.size() ? fields[static_cast<size_t>(col)] : std::string(); };
    BulkRow r{where, trim(cell(case_col)), cell(text_col), trim(cell(template_col))};
    if (r.case_ref.empty()) return Error{Exit::data, where + ": case: empty"};
    if (trim(r.text).empty() == r.template_name.empty()) return Error{Exit::data, where + ": text: give the text or a template (one of them)"};
    rows.push_back(std::move(r));
  }
  if (!csv.error().empty()) return Error{csv.read_failed() ? Exit::io : Exit::data, csv.error()};
  return rows;
}

}  // namespace

Result<std::string> text_from_editor(const std::string& intro, EnvFn env) {
  std::string editor = env("VISUAL").value_or("");
  if (editor.empty()) editor = env("EDITOR").value_or("");
  if (editor.empty()) editor = "vi";
  std::string tmpl = (std::filesystem::temp_directory_path() / "socq-reply-XXXXXX").string();
  const int fd = mkstemp(tmpl.data());
  if (fd < 0) return Error{Exit::io, "cannot create a file for the editor in " + std::filesystem::temp_directory_path().string()};
  close(fd);
  {
    std::ofstream f(tmpl);
    f << "\n";
    std::istringstream in(intro);
    for (std::string line; std::getline(in, line);) f << "# " << line << "\n";
  }
  // The editor command may carry arguments ("code --wait"), as git allows.
  const std::string cmd = editor + " '" + tmpl + "'";
  const int rc = std::system(cmd.c_str());
  std::ifstream f(tmpl);
  std::stringstream text;
  text << f.rdbuf();
  std::filesystem::remove(tmpl);
  if (rc != 0) return Error{Exit::usage, "the editor (" + editor + ") failed: nothing posted"};
  std::string out = strip_comments(text.str());
  if (out.empty()) return Error{Exit::usage, "the reply is empty: nothing posted"};
  return out;
}

Result<std::vector<BulkRow>> read_bulk(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{Exit::no_input, path + ": cannot open"};
  char first = 0;
  while (in.get(first) && (first == ' ' || first == '\n' || first == '\r' || first == '\t')) {}
  in.close();
  if (first == '{') return read_jsonl(path);
  return read_csv(path);
}

}  // namespace socq::reply
