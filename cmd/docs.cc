#include "cmd/docs.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "cmd/commands.h"
#include "lib/exit_codes.h"

namespace socq {
namespace {

bool hidden(const CLI::App* a) { return a->get_name().rfind("__", 0) == 0 || a->get_group().empty(); }

std::vector<const CLI::App*> visible_subcommands(const CLI::App& app) {
  return app.get_subcommands([](const CLI::App* a) { return !hidden(a); });
}

// roff-escapes text: backslashes, and lines that begin with . or '.
std::string roff(std::string s) {
  std::string out;
  for (char c : s) {
    if (c == '\\') out += "\\e";
    else if (c == '-') out += "\\-";
    else out.push_back(c);
  }
  std::string fixed;
  bool line_start = true;
  for (char c : out) {
    if (line_start && (c == '.' || c == '\'')) fixed += "\\&";
    fixed.push_back(c);
    line_start = c == '\n';
  }
  return fixed;
}

// Paragraphs separated by blank lines, as roff paragraphs.
std::string paragraphs(const std::string& text) {
  std::string out;
  size_t start = 0;
  for (;;) {
    const size_t end = text.find("\n\n", start);
    out += roff(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) return out;
    out += "\n.PP\n";
    start = end + 2;
  }
}

std::string option_label(const CLI::Option* o) {
  std::vector<std::string> names;
  for (const auto& s : o->get_snames()) names.push_back("-" + s);
  for (const auto& l : o->get_lnames()) names.push_back("--" + l);
  std::string label;
  for (size_t i = 0; i < names.size(); ++i) label += (i ? ", " : "") + std::string("\\fB") + roff(names[i]) + "\\fR";
  if (o->get_expected_min() > 0 && !o->get_type_name().empty()) label += " \\fI" + roff(o->get_type_name()) + "\\fR";
  return label;
}

void options_section(std::string& out, const CLI::App& app, const char* title) {
  std::string items;
  for (const CLI::Option* o : app.get_options()) {
    if (!o->nonpositional()) continue;
    items += ".TP\n" + option_label(o) + "\n" + roff(o->get_description()) + "\n";
  }
  if (!items.empty()) out += std::string(".SH ") + title + "\n" + items;
}

std::string synopsis(const CLI::App& app, const std::string& path) {
  std::string s = "\\fB" + roff(path) + "\\fR";
  if (!app.get_options([](const CLI::Option* o) { return o->nonpositional(); }).empty()) s += " [\\fIOPTIONS\\fR]";
  for (const CLI::Option* o : app.get_options())
    if (o->get_positional()) {
      const std::string name = "\\fI" + roff(o->get_name(true)) + "\\fR";
      s += o->get_required() ? " " + name : " [" + name + (o->get_expected_max() > 1 ? "..." : "") + "]";
    }
  if (!visible_subcommands(app).empty()) s += " \\fICOMMAND\\fR";
  return s;
}

void arguments_section(std::string& out, const CLI::App& app) {
  std::string items;
  for (const CLI::Option* o : app.get_options())
    if (o->get_positional()) items += ".TP\n\\fI" + roff(o->get_name(true)) + "\\fR\n" + roff(o->get_description()) + "\n";
  if (!items.empty()) out += ".SH ARGUMENTS\n" + items;
}

const CommandInfo* info_of(const std::string& name) {
  for (const auto& c : command_table())
    if (name == c.name) return &c;
  return nullptr;
}

std::string command_page(const CLI::App& root, const std::string& command) {
  const CLI::App* app = root.get_subcommand(command);
  const CommandInfo* info = info_of(command);
  std::string upper = command;
  for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  std::string out = fmt::format(".TH SOCQ-{} 1 \"\" \"socq {}\" \"socq manual\"\n", roff(upper), SOCQ_VERSION);
  out += ".SH NAME\nsocq\\-" + roff(command) + " \\- " + roff(app->get_description()) + "\n";
  out += ".SH SYNOPSIS\n" + synopsis(*app, "socq " + command) + "\n";
  out += ".SH DESCRIPTION\n" + paragraphs(info && info->description ? info->description : app->get_description()) + "\n";
  arguments_section(out, *app);
  options_section(out, *app, "OPTIONS");
  for (const CLI::App* sub : visible_subcommands(*app)) {
    out += ".SH \"" + roff(command + " " + sub->get_name()) + "\"\n" + synopsis(*sub, "socq " + command + " " + sub->get_name()) +
           "\n.PP\n" + roff(sub->get_description()) + "\n";
    std::string items;
    for (const CLI::Option* o : sub->get_options())
      items += ".TP\n" + (o->get_positional() ? "\\fI" + roff(o->get_name(true)) + "\\fR" : option_label(o)) + "\n" +
               roff(o->get_description()) + "\n";
    out += items;
  }
  if (!app->get_footer().empty()) out += ".SH NOTES\n" + paragraphs(app->get_footer()) + "\n";
  out += ".SH \"SEE ALSO\"\n\\fBsocq\\fR(1)\n";
  return out;
}

constexpr const char* kMainDescription =
    "socq is a command-line toolkit for social customer service operations. It pulls mentions and direct "
    "messages from X, Mastodon, Bluesky and Facebook, or reads exports, and groups them into cases: one case is "
    "one customer conversation on one channel, one JSON object on one line.\n\n"
    "Every command reads and writes cases as JSON Lines. Input is the files named ('-' is standard input) or, "
    "with none, the store; standard input is never read unless named. Output goes to the store when the input "
    "came from it or --store is named, else to standard output. Status lines go to standard error; -q silences "
    "them. Colour is used only when the output is a terminal and NO_COLOR is unset.\n\n"
    "The store is one SQLite database: --store FILE, else the config's store or $SOCQ_STORE, else "
    "$XDG_DATA_HOME/socq/socq.db. Every write is one transaction; an edit checks the case's rev and fails with "
    "exit 3 when someone else changed the case meanwhile.";

}  // namespace

std::string man_page(const CLI::App& root, const std::string& command) {
  if (!command.empty()) return command_page(root, command);
  std::string out = fmt::format(".TH SOCQ 1 \"\" \"socq {}\" \"socq manual\"\n", SOCQ_VERSION);
  out += ".SH NAME\nsocq \\- " + roff(root.get_description().substr(root.get_description().find(": ") + 2)) + "\n";
  out += ".SH SYNOPSIS\n\\fBsocq\\fR [\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]\n";
  out += ".SH DESCRIPTION\n" + paragraphs(kMainDescription) + "\n";
  out += ".SH COMMANDS\n";
  for (const auto& c : command_table())
    out += ".TP\n\\fBsocq\\-" + roff(c.name) + "\\fR(1)\n" + roff(c.summary) + "\n";
  options_section(out, root, "GLOBAL OPTIONS");
  out += ".SH \"EXIT STATUS\"\n";
  for (const auto& e : exit_code_table())
    out += fmt::format(".TP\n.B {}\n{} ({})\n", as_int(e.code), roff(std::string(e.meaning)), roff(std::string(e.name)));
  out += ".SH ENVIRONMENT\n"
         ".TP\n.B SOCQ_STORE\nthe store, when neither --store nor the config names one\n"
         ".TP\n.B SOCQ_USER\nwho is acting, written into every event a command adds (else the config's user, else the "
         "login name)\n"
         ".TP\n.B SOCQ_SYSTEM_CONFIG\nanother system config file than /etc/socq/config.toml (packaging, tests)\n"
         ".TP\n.B XDG_CONFIG_HOME, XDG_DATA_HOME\nwhere the user config and the default store live\n"
         ".TP\n.B NO_COLOR, CLICOLOR_FORCE\nno colour; colour even when not on a terminal\n"
         ".TP\n.B SOCQ_BUSY_TIMEOUT_MS\nhow long to wait for a store locked by another writer (default 5000)\n"
         ".TP\n.B SOCQ_NOW\npins the clock (RFC 3339), for tests and demos\n"
         ".TP\n.B SOCQ_THREADS\n1 reads files on one thread (fetch, triage and report use two where there are two "
         "cores; the output is the same)\n";
  out += ".SH FILES\n"
         ".TP\n.I /etc/socq/config.toml\nthe system config\n"
         ".TP\n.I $XDG_CONFIG_HOME/socq/config.toml\nthe user config; it overrides the system config key by key; "
         "environment variables and flags override both\n"
         ".TP\n.I $XDG_DATA_HOME/socq/socq.db\nthe default store\n";
  out += ".SH EXAMPLES\n.nf\n" +
         roff("socq fetch --from export.csv --mapping export.toml --store team.db\n"
              "socq case list --status open\n"
              "socq fetch --from cases.jsonl | jq -r 'select(.priority == \"p1\") | .id'\n"
              "socq case resolve ID --reason answered --note \"refund sent\"\n") +
         ".fi\n";
  return out;
}

std::vector<std::string> complete(const CLI::App& root, const std::vector<std::string>& words) {
  if (words.empty()) return {};
  const CLI::App* app = &root;
  std::vector<const CLI::App*> chain{&root};
  const auto find_option = [&](const std::string& word) -> const CLI::Option* {
    for (auto it = chain.rbegin(); it != chain.rend(); ++it)
      for (const CLI::Option* o : (*it)->get_options())
        if (o->check_name(word)) return o;
    return nullptr;
  };
  for (size_t i = 0; i + 1 < words.size(); ++i) {
    const std::string& w = words[i];
    if (w.rfind("-", 0) == 0) {
      const CLI::Option* o = w.find('=') == std::string::npos ? find_option(w) : nullptr;
      if (o && o->get_expected_min() > 0) ++i;  // skip its value
      continue;
    }
    for (const CLI::App* sub : visible_subcommands(*app))
      if (sub->get_name() == w) {
        app = sub;
        chain.push_back(sub);
        break;
      }
  }
  const std::string& cur = words.back();
  std::vector<std::string> out;
  const auto add = [&](const std::string& c) {
    if (c.rfind(cur, 0) == 0 && std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  };
  if (cur.rfind("-", 0) == 0) {
    for (auto it = chain.rbegin(); it != chain.rend(); ++it)
      for (const CLI::Option* o : (*it)->get_options()) {
        for (const auto& l : o->get_lnames()) add("--" + l);
        for (const auto& s : o->get_snames()) add("-" + s);
      }
  } else if (app->get_name() == "help") {
    for (const auto& c : command_table()) add(c.name);
    add("exit-codes");
  } else {
    for (const CLI::App* sub : visible_subcommands(*app)) add(sub->get_name());
  }
  return out;
}

}  // namespace socq
