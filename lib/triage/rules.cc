#include "lib/triage/rules.h"

#include <algorithm>
#include <filesystem>
#include <utility>

#include "lib/timefmt.h"
#include "lib/toml_file.h"
#include "lib/triage/teams.h"

namespace socq {
namespace {

constexpr const char* kTopKeys = "rules, pii, include, teams, sla, away";
constexpr const char* kRuleKeys = "name, when, then, stop";
constexpr const char* kWhenKeys =
    "keywords, regex, channel, account, customer, followers_min, followers_max, lang, status, older_than, newer_than, "
    "age_from, business_hours, tags, not_tags, category, priority, team, owner, pii";
constexpr const char* kThenKeys = "category, priority, team, owner, tags";
constexpr const char* kPiiKeys = "enabled, kinds, account_patterns, then";

// Parsing context: the file, and a prefix naming the rule being read.
struct Reader {
  const std::string& path;
  const TriageEnv& env;
  std::string rule;  // `rule "name": ` or ""

  Error fail(const toml::node& at, const std::string& what) const {
    return Error{Exit::config, toml_where(path, at) + ": " + rule + what};
  }
};

Result<std::string> get_string(const Reader& rd, const toml::node& n, const std::string& key) {
  if (const auto* s = n.as_string()) return s->get();
  return rd.fail(n, key + ": must be a string");
}

Result<std::vector<std::string>> get_strings(const Reader& rd, const toml::node& n, const std::string& key) {
  if (const auto* s = n.as_string()) return std::vector<std::string>{s->get()};
  const auto* arr = n.as_array();
  if (!arr) return rd.fail(n, key + ": must be a string or a list of strings");
  std::vector<std::string> out;
  for (const auto& item : *arr) {
    const auto* s = item.as_string();
    if (!s) return rd.fail(item, key + ": must be a string or a list of strings");
    out.push_back(s->get());
  }
  return out;
}

Result<bool> get_bool(const Reader& rd, const toml::node& n, const std::string& key) {
  if (const auto* b = n.as_boolean()) return b->get();
  return rd.fail(n, key + ": must be true or false");
}

Result<int64_t> get_int(const Reader& rd, const toml::node& n, const std::string& key) {
  if (const auto* i = n.as_integer()) return i->get();
  return rd.fail(n, key + ": must be an integer");
}

Result<int64_t> get_duration(const Reader& rd, const toml::node& n, const std::string& key) {
  auto s = get_string(rd, n, key);
  if (!s) return s.error();
  auto d = parse_duration(*s);
  if (!d) return rd.fail(n, key + ": \"" + *s + "\" is not a duration (like 90s, 30m, 2h, 1h30m, 1d)");
  return static_cast<int64_t>(d->count()) * 1000;
}

Status check_priority(const Reader& rd, const toml::node& n, const std::string& key, const std::string& p) {
  if (is_valid_priority(p)) return ok_status();
  return rd.fail(n, key + ": \"" + p + "\" is not a priority (p1, p2, p3, p4)");
}

Status check_team(const Reader& rd, const toml::node& n, const std::string& key, const std::string& team) {
  if (rd.env.team(team)) return ok_status();
  std::string known;
  for (const auto& [name, t] : rd.env.teams) known += (known.empty() ? "" : ", ") + name;
  return rd.fail(n, key + ": unknown team \"" + team + "\" (" + (known.empty() ? "no teams are defined" : "teams: " + known) + ")");
}

Status unknown_key(const Reader& rd, const toml::node& n, const std::string& key, const char* in, const char* known) {
  return rd.fail(n, std::string("unknown key \"") + key + "\" in " + in + " (known: " + known + ")");
}

Result<RuleActions> read_actions(const Reader& rd, const toml::node& node, const std::string& prefix) {
  const auto* t = node.as_table();
  if (!t) return rd.fail(node, prefix + ": must be a table");
  RuleActions a;
  for (const auto& [k, v] : *t) {
    const std::string key(k.str());
    const std::string full = prefix + "." + key;
    if (key == "tags") {
      auto tags = get_strings(rd, v, full);
      if (!tags) return tags.error();
      a.tags = std::move(*tags);
      for (const auto& tag : a.tags)
        if (tag.empty()) return rd.fail(v, full + ": a tag must not be empty");
      continue;
    }
    if (key != "category" && key != "priority" && key != "team" && key != "owner")
      return unknown_key(rd, v, key, prefix.c_str(), kThenKeys).error();
    auto s = get_string(rd, v, full);
    if (!s) return s.error();
    if (s->empty()) return rd.fail(v, full + ": must not be empty");
    if (key == "priority") {
      if (auto st = check_priority(rd, v, full, *s); !st) return st.error();
      a.priority = *s;
    } else if (key == "team") {
      if (auto st = check_team(rd, v, full, *s); !st) return st.error();
      a.team = *s;
    } else if (key == "category") {
      a.category = *s;
    } else {
      a.owner = *s;
    }
  }
  return a;
}

// One list-valued condition, checked value by value.
Status read_alternatives(const Reader& rd, const toml::node& v, const std::string& key, Alternatives& out) {
  auto values = get_strings(rd, v, "when." + key);
  if (!values) return values.error();
  for (const auto& s : *values) {
    const std::string full = "when." + key;
    if (key == "priority" && !s.empty()) {
      if (auto st = check_priority(rd, v, full, s); !st) return st;
    } else if (key == "team" && !s.empty()) {
      if (auto st = check_team(rd, v, full, s); !st) return st;
    } else if (key == "status" && !parse_status(s)) {
      return rd.fail(v, full + ": \"" + s + "\" is not a status (new, open, pending_customer, handed_off, resolved, closed)");
    } else if (key == "pii" && !s.empty() && !is_pii_kind(s)) {
      return rd.fail(v, full + ": \"" + s + "\" is not a PII kind (email, phone, card, account)");
    }
  }
  out = std::move(*values);
  return ok_status();
}

Status read_condition(const Reader& rd, const std::string& key, const toml::node& v, RuleConditions& w, RuleSet& set) {
  const std::string full = "when." + key;
  if (key == "keywords") {
    auto kws = get_strings(rd, v, full);
    if (!kws) return kws.error();
    for (const auto& kw : *kws) {
      if (kw.find_first_not_of(" \t") == std::string::npos) return rd.fail(v, full + ": a keyword must not be empty");
      w.keywords.push_back(kw);
      w.keyword_ids.push_back(set.patterns.add_keyword(kw));
    }
    return ok_status();
  }
  if (key == "regex") {
    auto res = get_strings(rd, v, full);
    if (!res) return res.error();
    for (const auto& re : *res) {
      std::string err;
      const int id = set.patterns.add_regex(re, &err);
      if (id < 0) return rd.fail(v, full + ": bad regex \"" + re + "\": " + err);
      w.regexes.push_back(re);
      w.regex_ids.push_back(id);
    }
    return ok_status();
  }
  if (key == "followers_min" || key == "followers_max") {
    auto n = get_int(rd, v, full);
    if (!n) return n.error();
    (key == "followers_min" ? w.followers_min : w.followers_max) = *n;
    return ok_status();
  }
  if (key == "older_than" || key == "newer_than") {
    auto ms = get_duration(rd, v, full);
    if (!ms) return ms.error();
    (key == "older_than" ? w.older_than_ms : w.newer_than_ms) = *ms;
    return ok_status();
  }
  if (key == "age_from") {
    auto s = get_string(rd, v, full);
    if (!s) return s.error();
    if (*s == "first_inbound") w.age_from = AgeFrom::first_inbound;
    else if (*s == "last_inbound") w.age_from = AgeFrom::last_inbound;
    else return rd.fail(v, full + ": must be \"first_inbound\" or \"last_inbound\"");
    return ok_status();
  }
  if (key == "business_hours") {
    auto b = get_bool(rd, v, full);
    if (!b) return b.error();
    w.business_hours = *b;
    return ok_status();
  }
  if (key == "tags" || key == "not_tags") {
    auto tags = get_strings(rd, v, full);
    if (!tags) return tags.error();
    (key == "tags" ? w.tags : w.not_tags) = std::move(*tags);
    return ok_status();
  }
  const std::pair<const char*, Alternatives RuleConditions::*> lists[] = {
      {"channel", &RuleConditions::channel}, {"account", &RuleConditions::account},
      {"customer", &RuleConditions::customer}, {"lang", &RuleConditions::lang},
      {"status", &RuleConditions::status}, {"category", &RuleConditions::category},
      {"priority", &RuleConditions::priority}, {"team", &RuleConditions::team},
      {"owner", &RuleConditions::owner}, {"pii", &RuleConditions::pii}};
  for (const auto& [name, member] : lists)
    if (key == name) return read_alternatives(rd, v, key, w.*member);
  return unknown_key(rd, v, key, "when", kWhenKeys);
}

Result<Rule> read_rule(Reader& rd, const toml::node& node, size_t index, RuleSet& set) {
  const auto* t = node.as_table();
  if (!t) return rd.fail(node, "rules[" + std::to_string(index + 1) + "]: must be a table ([[rules]])");
  Rule r;
  r.where = toml_where(rd.path, node);
  const auto* name = t->get("name");
  if (!name) return Error{Exit::config, r.where + ": rules[" + std::to_string(index + 1) + "]: needs a name"};
  auto n = get_string(rd, *name, "name");
  if (!n) return n.error();
  if (n->empty()) return rd.fail(*name, "name: must not be empty");
  r.name = *n;
  rd.rule = "rule \"" + r.name + "\": ";
  for (const auto& [k, v] : *t) {
    const std::string key(k.str());
    if (key == "name") continue;
    if (key == "stop") {
      auto b = get_bool(rd, v, "stop");
      if (!b) return b.error();
      r.stop = *b;
    } else if (key == "when") {
      const auto* w = v.as_table();
      if (!w) return rd.fail(v, "when: must be a table");
      for (const auto& [wk, wv] : *w)
        if (auto st = read_condition(rd, std::string(wk.str()), wv, r.when, set); !st) return st.error();
    } else if (key == "then") {
      auto a = read_actions(rd, v, "then");
      if (!a) return a.error();
      r.then = std::move(*a);
    } else {
      return unknown_key(rd, v, key, "the rule", kRuleKeys).error();
    }
  }
  if (r.then.empty() && !r.stop) return Error{Exit::config, r.where + ": " + rd.rule + "does nothing (no then, no stop)"};
  rd.rule.clear();
  return r;
}

Status read_pii(Reader& rd, const toml::node& node, PiiPolicy& pii) {
  const auto* t = node.as_table();
  if (!t) return rd.fail(node, "pii: must be a table ([pii])");
  pii.then.tags = {"suggest:private"};  // the default action
  for (const auto& [k, v] : *t) {
    const std::string key(k.str());
    const std::string full = "pii." + key;
    if (key == "enabled") {
      auto b = get_bool(rd, v, full);
      if (!b) return b.error();
      pii.enabled = *b;
    } else if (key == "kinds") {
      auto kinds = get_strings(rd, v, full);
      if (!kinds) return kinds.error();
      for (const auto& kind : *kinds)
        if (!is_pii_kind(kind)) return rd.fail(v, full + ": \"" + kind + "\" is not a PII kind (email, phone, card, account)");
      pii.detector.set_kinds(std::move(*kinds));
    } else if (key == "account_patterns") {
      auto pats = get_strings(rd, v, full);
      if (!pats) return pats.error();
      for (const auto& p : *pats) {
        std::string err;
        if (!pii.detector.add_account_pattern(p, &err)) return rd.fail(v, full + ": bad regex \"" + p + "\": " + err);
      }
    } else if (key == "then") {
      auto a = read_actions(rd, v, "pii.then");
      if (!a) return a.error();
      if (a->owner) return rd.fail(v, "pii.then.owner: PII routes to a team, not to a person");
      pii.then = std::move(*a);
    } else {
      return unknown_key(rd, v, key, "[pii]", kPiiKeys);
    }
  }
  return ok_status();
}

bool listed(const std::vector<std::string>& list, std::string_view v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::string shown(const OptString& v) { return v ? "\"" + *v + "\"" : "unset"; }

// A field condition: "" in the list stands for an unset field.
bool field_matches(const Alternatives& alts, const OptString& value) {
  return listed(*alts, value ? std::string_view(*value) : std::string_view());
}

bool inbound_lang(const Case& c, const std::vector<std::string>& langs) {
  return std::any_of(c.messages.begin(), c.messages.end(),
                     [&](const Message& m) { return m.dir == Dir::in && m.lang && listed(langs, *m.lang); });
}

std::optional<int64_t> inbound_time(const Case& c, AgeFrom from) {
  const Message* pick = nullptr;
  for (const auto& m : c.messages) {
    if (m.dir != Dir::in) continue;
    if (!pick || from == AgeFrom::last_inbound) pick = &m;
  }
  return pick ? parse_rfc3339_utc(pick->at) : std::nullopt;
}

std::string handle_key(std::string_view h) {
  if (!h.empty() && h.front() == '@') h.remove_prefix(1);
  return fold_text(h);
}

bool any_hit(const std::vector<int>& ids, const std::vector<int>& hits) {
  for (int id : ids)
    if (std::binary_search(hits.begin(), hits.end(), id)) return true;
  return false;
}

// The rule's keyword and regex conditions against the case's hits.
bool text_may_hold(const RuleConditions& w, const std::vector<int>& hits) {
  return (w.keyword_ids.empty() || any_hit(w.keyword_ids, hits)) && (w.regex_ids.empty() || any_hit(w.regex_ids, hits));
}

// Whether all conditions hold; when not and explaining, *failure tells the
// first that failed. Cheap checks first.
bool conditions_hold(const Rule& r, const RuleSet& set, const CaseView& v, const TriageEnv& env, bool explain,
                     std::string& matched, std::string& failure) {
  const RuleConditions& w = r.when;
  const Case& c = v.c;
  // The reason is built only for --explain: the hot path just says no.
  auto fail = [&](auto&& why) {
    if (explain) failure = why();
    return false;
  };
  // Most rules fail on their text, which costs a lookup in the case's
  // hits: the hot path asks that first (--explain keeps the order below).
  if (!explain && !text_may_hold(w, v.hits)) return false;
  if (w.channel && !listed(*w.channel, c.channel)) return fail([&] { return "channel is " + c.channel + ", not " + join(*w.channel); });
  if (w.account && !listed(*w.account, c.account)) return fail([&] { return "account is " + c.account + ", not " + join(*w.account); });
  if (w.status && !listed(*w.status, to_string(c.status)))
    return fail([&] { return "status is " + std::string(to_string(c.status)) + ", not " + join(*w.status); });
  if (w.customer) {
    const std::string mine = handle_key(c.customer.handle.value_or(c.customer.id));
    const bool any = std::any_of(w.customer->begin(), w.customer->end(), [&](const std::string& h) { return handle_key(h) == mine; });
    if (!any) return fail([&] { return "customer is " + c.customer.handle.value_or(c.customer.id) + ", not " + join(*w.customer); });
  }
  if (w.followers_min && c.customer.followers.value_or(0) < *w.followers_min)
    return fail([&] { return "followers " + std::to_string(c.customer.followers.value_or(0)) + " < " + std::to_string(*w.followers_min); });
  if (w.followers_max && c.customer.followers.value_or(0) > *w.followers_max)
    return fail([&] { return "followers " + std::to_string(c.customer.followers.value_or(0)) + " > " + std::to_string(*w.followers_max); });
  if (w.lang && !inbound_lang(c, *w.lang)) return fail([&] { return "no inbound message in " + join(*w.lang); });
  const std::pair<const Alternatives*, const OptString*> fields[] = {
      {&w.category, &c.category}, {&w.priority, &c.priority}, {&w.team, &c.team}, {&w.owner, &c.owner}};
  const char* names[] = {"category", "priority", "team", "owner"};
  for (size_t i = 0; i < 4; ++i)
    if (*fields[i].first && !field_matches(*fields[i].first, *fields[i].second))
      return fail([&] { return std::string(names[i]) + " is " + shown(*fields[i].second) + ", not " + join(**fields[i].first); });
  if (w.pii) {
    const bool any = c.pii.empty() ? listed(*w.pii, "")
                                   : std::any_of(c.pii.begin(), c.pii.end(), [&](const std::string& k) { return listed(*w.pii, k); });
    if (!any) return fail([&] { return "pii is [" + join(c.pii) + "], not " + join(*w.pii); });
  }
  for (const auto& tag : w.tags)
    if (!listed(c.tags, tag)) return fail([&] { return "no tag " + tag; });
  for (const auto& tag : w.not_tags)
    if (listed(c.tags, tag)) return fail([&] { return "has tag " + tag; });
  if (w.older_than_ms || w.newer_than_ms) {
    const auto at = inbound_time(c, w.age_from);
    if (!at) return fail([&] { return "no inbound message to take an age from"; });
    const int64_t age = v.now_ms - *at;
    if (w.older_than_ms && age <= *w.older_than_ms) return fail([&] { return "age " + std::to_string(age / 60000) + "m is not older than the limit"; });
    if (w.newer_than_ms && age >= *w.newer_than_ms) return fail([&] { return "age " + std::to_string(age / 60000) + "m is not newer than the limit"; });
  }
  if (w.business_hours) {
    const auto at = inbound_time(c, AgeFrom::last_inbound);
    const Calendar* cal = env.calendar_of(c.team);
    if (!cal) return fail([&] { return "case has no team with business hours"; });
    if (!at) return fail([&] { return "no inbound message"; });
    const bool open = cal->is_open(TimePoint{std::chrono::seconds{*at / 1000}});
    if (open != *w.business_hours)
      return fail([&] { return std::string("last inbound message is ") + (open ? "inside" : "outside") + " the business hours of " + *c.team; });
  }
  auto found = [&](const std::vector<int>& ids, const std::vector<std::string>& texts, const char* what) -> bool {
    for (size_t i = 0; i < ids.size(); ++i) {
      if (!std::binary_search(v.hits.begin(), v.hits.end(), ids[i])) continue;
      if (explain) matched += std::string(what) + " \"" + texts[i] + "\"" +
                              (what[0] == 'r' ? " matched \"" + set.patterns.matched_text(ids[i], v.folded) + "\"" : "");
      return true;
    }
    return false;
  };
  if (!w.keyword_ids.empty() && !found(w.keyword_ids, w.keywords, "keyword")) return fail([&] { return "no keyword found (" + join(w.keywords) + ")"; });
  if (!w.regex_ids.empty() && !found(w.regex_ids, w.regexes, "regex")) return fail([&] { return "no regex matched (" + join(w.regexes) + ")"; });
  return true;
}

}  // namespace

Result<std::string> rules_include(const toml::table& root, const std::string& path) {
  const auto* inc = root.get("include");
  if (!inc) return std::string();
  const auto* s = inc->as_string();
  if (!s) return Error{Exit::config, toml_where(path, *inc) + ": include: must be a string (a teams file)"};
  std::filesystem::path p(s->get());
  if (p.is_relative()) p = std::filesystem::path(path).parent_path() / p;
  return p.string();
}

Result<RuleSet> parse_rules(const toml::table& root, const std::string& path, const TriageEnv& env) {
  RuleSet set;
  set.file = path;
  set.pii.then.tags = {"suggest:private"};
  Reader rd{path, env, ""};
  for (const auto& [k, v] : root) {
    const std::string key(k.str());
    if (key == "include" || key == "teams" || key == "sla" || key == "away") continue;  // the TriageEnv's
    if (key == "pii") {
      if (auto st = read_pii(rd, v, set.pii); !st) return st.error();
      continue;
    }
    if (key != "rules") return rd.fail(v, "unknown key \"" + key + "\" (known: " + kTopKeys + ")");
    const auto* arr = v.as_array();
    if (!arr) return rd.fail(v, "rules: must be an array of tables ([[rules]])");
    for (size_t i = 0; i < arr->size(); ++i) {
      auto r = read_rule(rd, *arr->get(i), i, set);
      if (!r) return r.error();
      for (const auto& earlier : set.rules)
        if (earlier.name == r->name)
          return Error{Exit::config, r->where + ": rule \"" + r->name + "\": name already used at " + earlier.where};
      set.rules.push_back(std::move(*r));
    }
  }
  std::string err;
  if (!set.patterns.compile(&err)) return Error{Exit::config, path + ": keywords and regexes: " + err};
  return set;
}

void case_text_into(const Case& c, std::string& text) {
  text.clear();
  for (const auto& m : c.messages) {
    if (m.dir != Dir::in) continue;
    if (!text.empty()) text.push_back('\n');
    fold_text_into(m.text, text);
  }
}

std::string case_text(const Case& c) {
  std::string text;
  case_text_into(c, text);
  return text;
}

bool rule_matches(const Rule& r, const RuleSet& set, const CaseView& v, const TriageEnv& env, std::string* why) {
  if (!why) {
    std::string unused;
    return conditions_hold(r, set, v, env, false, unused, unused);
  }
  std::string matched, failure;
  const bool holds = conditions_hold(r, set, v, env, true, matched, failure);
  *why = holds ? (matched.empty() ? "all conditions hold" : matched) : failure;
  return holds;
}

}  // namespace socq

namespace socq {

const char* const kRulesSyntax =
    "RULES FILE. A TOML file (--rules FILE, or the config key rules) of named rules, tried in order on each case. "
    "Each [[rules]] table has a name, a when table (conditions: all must hold; a rule without one matches every "
    "case), a then table (actions) and stop = true to skip the rules after it when it matches (default false). "
    "Example: [[rules]] name = \"disruption\", when = { keywords = [\"cancelled\", \"delayed\"], account = "
    "\"@rail\" }, then = { priority = \"p1\", category = \"disruption\", team = \"service\" }, stop = true.\n\n"
    "Text conditions look at the customer's (inbound) messages, NFC-normalised and case-folded (utf8proc; "
    "\"STRASSE\" matches \"straße\"), with each run of whitespace made one space. keywords = [...] matches when "
    "any keyword stands as a whole word: at each end that is a letter, digit or mark the text must not go on with "
    "one (a Unicode word boundary; \"late\" does not match \"chocolate\", \"caf\" does not match \"café\"). All "
    "rules' keywords and regexes form one RE2 set, so the text is scanned once. regex = \"...\" or [...] matches "
    "when any RE2 regex matches the folded text (write it in lower case).\n\n"
    "Other conditions (a string or a list: any of): channel, account (our brand handle), customer (handle, "
    "with or without @, case-insensitive), lang (of any inbound message), status, category, priority, team, owner "
    "(\"\" matches an unset field), pii (kinds found: email, phone, card, account; \"\" matches none). "
    "followers_min and followers_max (integers); older_than and newer_than (durations like 90s, 30m, 2h, 1h30m, "
    "1d) measured from age_from = \"first_inbound\" (default) or \"last_inbound\" to now; business_hours = true "
    "(false) when the last inbound message came inside (outside) the business hours of the case's team; tags = "
    "[...] (all present) and not_tags = [...] (none present). Field conditions see what earlier rules set.\n\n"
    "Actions: category, priority (p1 to p4), team (a team defined under [teams]), owner, tags = [...] (added when "
    "missing). Triage routes and people re-route: team and owner are set only on a case that had none when the "
    "run began, and owner never to an agent who is away now. When several matching rules set one field the last "
    "one wins. Each change is an event naming the rule: \"rule disruption set priority p1\".\n\n"
    "[pii]: enabled (default true), kinds (default all four), account_patterns = [RE2 regexes for account or "
    "reference numbers, on the original text], then = actions for a case with PII (default: tags = "
    "[\"suggest:private\"]; its priority only ever raises). PII is looked for in inbound public messages before "
    "the rules run; the case's pii lists the kinds found, never the values. E-mail addresses (not fediverse "
    "handles like @ann@example.org), phone numbers (with + and a country code, a trunk 0, an area code in "
    "brackets, or the North American 3-3-4 grouping; not dates, times, amounts or numbers after words like order "
    "or ref), and card numbers (13 to 19 digits, spaces or dashes allowed, issuer digit 2-6, Luhn-checked).\n\n"
    "include = \"teams.toml\" reads the teams, sla and away tables of another file (relative to the rules file); "
    "the rules file may also hold them itself. A rules file with any error (unknown key, wrong type, bad regex, "
    "bad priority, unknown team, unknown PII kind) is refused whole with file:line and exit 78 before any case is "
    "read.\n\n"
    "IN PLACE. Without files, triage works on the store (--store, else the default one) and looks only at cases "
    "changed since it last saw them, so socq fetch && socq triage every minute reads only what changed. Triaging "
    "again changes nothing; an unchanged case is written back byte for byte. Writes are rev-checked; a case "
    "changed meanwhile is re-read and triaged again (exit 3 if it keeps changing). --explain ID shows every rule, "
    "whether it matched and why, and the changes it would make, without writing.";

}  // namespace socq
