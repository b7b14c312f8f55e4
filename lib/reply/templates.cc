#include "lib/reply/templates.h"

#include <algorithm>
#include <functional>

#include "lib/toml_file.h"

namespace socq::reply {

const char* const kTemplateVariables[] = {"customer.name", "customer.handle", "agent", "reference", "case.id", nullptr};

namespace {

bool known_variable(const std::string& v) {
  for (const char* const* k = kTemplateVariables; *k; ++k)
    if (v == *k) return true;
  return false;
}

// Walks the text, calling on_var for each {variable} and on_text for the
// rest; an unbalanced brace is an error.
Status walk(const std::string& text, const std::function<Status(const std::string&)>& on_var,
            const std::function<void(std::string_view)>& on_text) {
  for (size_t i = 0; i < text.size();) {
    const char ch = text[i];
    if ((ch == '{' || ch == '}') && i + 1 < text.size() && text[i + 1] == ch) {
      on_text(std::string_view(&text[i], 1));
      i += 2;
    } else if (ch == '{') {
      const auto end = text.find('}', i);
      if (end == std::string::npos) return Error{Exit::config, "a { with no closing }"};
      if (auto st = on_var(text.substr(i + 1, end - i - 1)); !st) return st;
      i = end + 1;
    } else if (ch == '}') {
      return Error{Exit::config, "a } with no opening { (write }} for a brace)"};
    } else {
      const auto next = text.find_first_of("{}", i);
      const size_t stop = next == std::string::npos ? text.size() : next;
      on_text(std::string_view(text).substr(i, stop - i));
      i = stop;
    }
  }
  return ok_status();
}

std::string variable_list() {
  std::string out;
  for (const char* const* k = kTemplateVariables; *k; ++k) out += std::string(out.empty() ? "" : ", ") + "{" + *k + "}";
  return out;
}

Status check_template(const Template& t) {
  auto st = walk(
      t.text,
      [&](const std::string& v) -> Status {
        if (!known_variable(v))
          return Error{Exit::config, "unknown variable {" + v + "} (known: " + variable_list() + ")"};
        return ok_status();
      },
      [](std::string_view) {});
  if (!st) return Error{Exit::config, t.source + ": reply.templates." + t.name + ": " + st.error().message};
  return ok_status();
}

}  // namespace

Result<std::map<std::string, Template>> load_templates(const MapConfig& cfg) {
  std::map<std::string, Template> all;
  for (const auto& file : cfg.files) {
    auto root = parse_toml_file(file);
    if (!root) return root.error();
    const auto* reply = root->get("reply");
    if (!reply || !reply->is_table()) continue;
    const auto* templates = reply->as_table()->get("templates");
    if (!templates) continue;
    if (!templates->is_table())
      return Error{Exit::config, toml_where(file, *templates) + ": reply.templates must be a table of NAME = \"text\""};
    for (const auto& [key, value] : *templates->as_table()) {
      Template t{std::string(key.str()), "", toml_where(file, value)};
      const auto* s = value.as_string();
      if (!s) return Error{Exit::config, t.source + ": reply.templates." + t.name + ": must be a string (the template's text)"};
      t.text = s->get();
      if (auto st = check_template(t); !st) return st.error();
      all[t.name] = std::move(t);
    }
  }
  return all;
}

Result<Template> find_template(const std::map<std::string, Template>& all, const std::string& name) {
  auto it = all.find(name);
  if (it != all.end()) return it->second;
  std::string names;
  for (const auto& [n, t] : all) names += (names.empty() ? "" : ", ") + n;
  return Error{Exit::usage, "no template \"" + name + "\" in [reply.templates]" +
                                (names.empty() ? std::string(" (none configured)") : " (there are: " + names + ")")};
}

// The case's short number in the store, else its thread key (not the id:
// it holds our handle, which reads as an e-mail address).
std::string case_reference(const Case& c) { return c.number ? "#" + std::to_string(c.number) : std::string(thread_key(c)); }

std::map<std::string, std::string> template_values(const Case& c, const std::string& agent) {
  std::string handle = c.customer.handle.value_or("");
  std::string name = c.customer.name.value_or("");
  if (name.empty()) {
    std::string bare = handle;
    if (!bare.empty() && bare.front() == '@') bare.erase(0, 1);
    name = bare.substr(0, bare.find('@'));
  }
  return {{"customer.name", name},
          {"customer.handle", handle},
          {"agent", agent},
          {"reference", case_reference(c)},
          {"case.id", c.id}};
}

Result<std::string> render_template(const Template& t, const std::map<std::string, std::string>& values) {
  std::string out;
  auto st = walk(
      t.text,
      [&](const std::string& v) -> Status {
        auto it = values.find(v);
        if (it == values.end()) return Error{Exit::config, t.source + ": reply.templates." + t.name + ": unknown variable {" + v + "}"};
        out += it->second;
        return ok_status();
      },
      [&](std::string_view s) { out += s; });
  if (!st) return st.error();
  return out;
}

}  // namespace socq::reply
