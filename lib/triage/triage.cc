#include "lib/triage/triage.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <map>

#include "lib/timefmt.h"
#include "lib/toml_file.h"
#include "lib/triage/pii.h"
#include "lib/triage/sla.h"

namespace socq {
namespace {

// The fields rules set, read and written by name.
constexpr const char* kFields[] = {"category", "priority", "team", "owner"};

// Fields by their index in kFields.
enum FieldIndex : size_t { kCategory, kPriority, kTeam, kOwner };

template <class T>
auto& field_of(T& x, size_t i) {
  switch (i) {
    case kCategory: return x.category;
    case kPriority: return x.priority;
    case kTeam: return x.team;
    default: return x.owner;
  }
}

// What triage may change, as it found it: compared at the end, so a run
// that ends where it began tells nothing and leaves the case untouched.
struct Before {
  OptString category, priority, team, owner;
  std::vector<std::string> pii;
  explicit Before(const Case& c) : category(c.category), priority(c.priority), team(c.team), owner(c.owner), pii(c.pii) {}
};

bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

int kind_rank(const std::string& k) {
  return static_cast<int>(std::find_if(std::begin(kPiiKinds), std::end(kPiiKinds), [&](const char* x) { return k == x; }) -
                          std::begin(kPiiKinds));
}

// Who set what during one run, so each change is told once, by the rule
// whose value stands.
// Rule names are pointed to (the RuleSet outlives the run); nullptr or
// &kPii stands for the PII action.
const std::string kPii = "pii";
struct Changes {
  std::array<const std::string*, std::size(kFields)> field_by{};  // by kFields index: rule (or &kPii)
  std::vector<std::pair<std::string, const std::string*>> tags;   // tag, rule
};

std::string who(const std::string* by) {
  if (!by) return "rule ";  // as the map's default-constructed "" told it
  return by == &kPii ? "pii" : "rule " + *by;
}

}  // namespace

std::string printable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const auto ch = static_cast<unsigned char>(s[i]);
    const bool c1 = ch == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
                    static_cast<unsigned char>(s[i + 1]) <= 0x9F;
    if (ch < 0x20 || ch == 0x7F) {
      out += fmt::format("\\x{:02x}", ch);
    } else if (c1) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned char>(s[++i]));
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

Result<TriageSetup> load_triage_setup(const MapConfig& cfg, const std::string& rules_path) {
  auto env = load_triage_env_from_config(cfg);
  if (!env) return env.error();
  TriageSetup setup{std::move(*env), RuleSet{}};
  setup.rules.pii.then.tags = {"suggest:private"};  // the default PII action, as with a rules file
  if (rules_path.empty()) return setup;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(rules_path, ec))
    return Error{Exit::no_input, rules_path + ": cannot read the rules file (no such file)"};
  auto root = parse_toml_file(rules_path);
  if (!root) return root.error();
  auto include = rules_include(*root, rules_path);
  if (!include) return include.error();
  if (!include->empty()) {
    if (!std::filesystem::is_regular_file(*include, ec))
      return Error{Exit::config, toml_where(rules_path, *root->get("include")) + ": include: cannot read " + *include};
    auto inc = parse_toml_file(*include);
    if (!inc) return inc.error();
    for (const auto& [k, v] : *inc)
      if (k.str() != "teams" && k.str() != "sla" && k.str() != "away")
        return Error{Exit::config, toml_where(*include, v) + ": unknown key \"" + std::string(k.str()) +
                                       "\" in an included file (teams, sla, away)"};
    if (auto st = load_triage_env(setup.env, *inc, *include); !st) return st.error();
  }
  if (auto st = load_triage_env(setup.env, *root, rules_path); !st) return st.error();
  auto rules = parse_rules(*root, rules_path, setup.env);
  if (!rules) return rules.error();
  setup.rules = std::move(*rules);
  return setup;
}

Triager::Triager(const TriageSetup& setup, std::string now)
    : setup_(setup), now_(std::move(now)), now_ms_(parse_rfc3339_utc(now_).value_or(0)) {
  const auto& rules = setup_.rules.rules;
  users_.resize(setup_.rules.patterns.size());
  for (size_t i = 0; i < rules.size(); ++i) {
    for (int id : rules[i].when.keyword_ids) users_[static_cast<size_t>(id)].push_back({i, false});
    for (int id : rules[i].when.regex_ids) users_[static_cast<size_t>(id)].push_back({i, true});
  }
}

void Triager::mark_text_ok() {
  const auto& rules = setup_.rules.rules;
  keyword_hit_.assign(rules.size(), 0);
  regex_hit_.assign(rules.size(), 0);
  for (int id : hits_)
    for (const auto& [rule, regex] : users_[static_cast<size_t>(id)]) (regex ? regex_hit_ : keyword_hit_)[rule] = 1;
  text_ok_.resize(rules.size());
  for (size_t i = 0; i < rules.size(); ++i)
    text_ok_[i] = (rules[i].when.keyword_ids.empty() || keyword_hit_[i]) && (rules[i].when.regex_ids.empty() || regex_hit_[i]);
}

bool Triager::triage(Case& c) { return run(c, nullptr); }

std::string Triager::explain(const Case& c) {
  Case copy = c;
  std::vector<std::string> story;
  story.push_back("case " + printable(c.id) + " (triage as of " + now_ + ", rules " +
                  (setup_.rules.file.empty() ? "none" : printable(setup_.rules.file)) + ")");
  const bool changed = run(copy, &story);
  if (!changed) story.push_back("result: no change");
  std::string out;
  for (const auto& line : story) out += line + "\n";
  return out;
}

namespace {

constexpr int kMaxPasses = 4;

// The fields a pass may change, to tell whether it changed any.
struct Fields {
  OptString category, priority, team, owner;
  size_t tags;
  explicit Fields(const Case& c)
      : category(c.category), priority(c.priority), team(c.team), owner(c.owner), tags(c.tags.size()) {}
  bool operator==(const Fields&) const = default;
};

// One pass of the rules, in order, each seeing what earlier ones did.
// Whether a rule's conditions read what rules (or the PII action) may set
// during the passes; the others have one outcome for the whole run.
bool reads_fields_rules_set(const RuleConditions& w) {
  return w.category || w.priority || w.team || w.owner || !w.tags.empty() || !w.not_tags.empty() ||
         w.business_hours.has_value();  // the team's calendar
}

// text_ok[i]: rule i's keyword and regex conditions hold (from the case's
// hits, once a case); a rule whose text fails is skipped without a look.
// known[i]: rule i's outcome when it cannot change between passes (its
// conditions read nothing rules set), kMatchUnknown until first asked.
constexpr char kMatchUnknown = 2;
void rules_pass(const TriageSetup& setup_, int64_t now_ms_, Case& c, const Before& before, Changes& changes,
                const CaseView& view, const std::vector<char>& text_ok, std::vector<char>& known,
                std::vector<std::string>* story) {
  const RuleSet& set = setup_.rules;
  const TimePoint now_tp{std::chrono::seconds{now_ms_ / 1000}};
  std::string stopped_by;
  for (size_t i = 0; i < set.rules.size(); ++i) {
    const Rule& r = set.rules[i];
    std::string head;
    if (story) head = fmt::format("rule {} \"{}\" ({}): ", i + 1, printable(r.name), r.where);
    if (!stopped_by.empty()) {
      if (story) story->push_back(head + "not reached (rule \"" + printable(stopped_by) + "\" stopped)");
      continue;
    }
    if (!story && !text_ok[i]) continue;
    std::string why;
    bool matches;
    if (!story && known[i] != kMatchUnknown) {
      matches = known[i];
    } else {
      matches = rule_matches(r, set, view, setup_.env, story ? &why : nullptr);
      if (!story && !reads_fields_rules_set(r.when)) known[i] = matches;
    }
    if (!matches) {
      if (story) story->push_back(head + "no: " + printable(why));
      continue;
    }
    // What the rule did, told only for --explain: the hot path builds no text.
    std::vector<std::string> did;
    auto tell = [&](auto&& text) {
      if (story) did.push_back(text());
    };
    for (size_t fi = 0; fi < std::size(kFields); ++fi) {
      const char* f = kFields[fi];
      const OptString& want = field_of(r.then, fi);
      if (!want) continue;
      const std::string_view name(f);
      // Triage routes; people re-route: team and owner are set only on a
      // case that had none when this run began.
      if ((fi == kTeam || fi == kOwner) && field_of(before, fi)) {
        tell([&] { return std::string(name) + " kept (" + printable(*field_of(before, fi)) + " was set before)"; });
        continue;
      }
      if (fi == kOwner && setup_.env.is_away(*want, now_tp)) {
        tell([&] { return "owner not set: " + printable(*want) + " is away"; });
        continue;
      }
      OptString& have = field_of(c, fi);
      if (have != want) have = want;
      changes.field_by[fi] = &r.name;
      tell([&] { return std::string(name) + " " + printable(*want); });
    }
    for (const auto& tag : r.then.tags) {
      if (has(c.tags, tag)) continue;
      c.tags.push_back(tag);
      changes.tags.emplace_back(tag, &r.name);
      tell([&] { return "tag " + printable(tag); });
    }
    if (r.stop) stopped_by = r.name;
    if (story) story->push_back(head + "matched: " + printable(why) + (did.empty() ? "" : "; then " + join(did)) + (r.stop ? "; stop" : ""));
  }
}

void pii_action(const RuleSet& set, Case& c, const Before& before, Changes& changes) {
  const std::vector<std::string>& kinds = c.pii;
  // The PII action: raise the priority, route, tag.
  if (!kinds.empty() && set.pii.enabled) {
    const RuleActions& a = set.pii.then;
    if (a.priority && (!c.priority || *a.priority < *c.priority)) {
      c.priority = a.priority;
      changes.field_by[kPriority] = &kPii;
    }
    if (a.category) c.category = a.category, changes.field_by[kCategory] = &kPii;
    if (a.team && !before.team) c.team = a.team, changes.field_by[kTeam] = &kPii;
    for (const auto& tag : a.tags)
      if (!has(c.tags, tag)) c.tags.push_back(tag), changes.tags.emplace_back(tag, &kPii);
  }

}

}  // namespace

bool Triager::run(Case& c, std::vector<std::string>* story) {
  const RuleSet& set = setup_.rules;
  const Before before(c);
  Changes changes;

  // 1. PII in the customer's public messages: kinds only, never values.
  std::vector<std::string> kinds = c.pii;
  if (set.pii.enabled)
    for (const auto& m : c.messages)
      if (m.dir == Dir::in && m.is_public) set.pii.detector.scan(m.text, kinds);
  std::sort(kinds.begin(), kinds.end(), [](const auto& a, const auto& b) { return kind_rank(a) < kind_rank(b); });
  kinds.erase(std::unique(kinds.begin(), kinds.end()), kinds.end());
  if (story) story->push_back("pii: " + (kinds.empty() ? std::string("none found") : join(kinds)) +
                              (set.pii.enabled ? "" : " (detection off)"));
  c.pii = kinds;

  // 2. The rules, in order, each seeing what earlier ones did.
  case_text_into(c, folded_);
  set.patterns.match(folded_, hits_);
  mark_text_ok();
  known_.assign(set.rules.size(), kMatchUnknown);
  const CaseView view{c, folded_, hits_, now_ms_};
  // A later rule (or the PII action) may make an earlier rule's conditions
  // hold: passes repeat until one changes nothing, so triaging the result
  // again changes nothing either.
  std::vector<std::string> pass_story;  // --explain tells the last pass
  int pass = 1;
  for (; pass <= kMaxPasses; ++pass) {
    pass_story.clear();
    const Fields start(c);
    rules_pass(setup_, now_ms_, c, before, changes, view, text_ok_, known_, story ? &pass_story : nullptr);
    pii_action(setup_.rules, c, before, changes);
    if (Fields(c) == start) break;
  }
  if (story) {
    if (pass > 1) story->push_back(fmt::format("(the rules ran {} passes until nothing changed; the last one:)", std::min(pass, kMaxPasses)));
    story->insert(story->end(), pass_story.begin(), pass_story.end());
  }

  // 3. Events for what differs from before, told by who set it last.
  // Straight into the case's events (nothing else adds to them meanwhile).
  const size_t first_event = c.events.size();
  size_t to_tell = (c.pii != before.pii) + changes.tags.size();
  for (size_t fi = 0; fi < std::size(kFields); ++fi) to_tell += field_of(c, fi) != field_of(before, fi);
  if (to_tell) c.events.reserve(first_event + to_tell);
  auto event = [&](std::string what) { c.events.push_back(Event{now_, "triage", std::move(what), {}}); };
  if (c.pii != before.pii) {
    std::vector<std::string> added;
    for (const auto& k : c.pii)
      if (!has(before.pii, k)) added.push_back(k);
    event("pii found " + join(added) + " in a public message");
  }
  for (size_t fi = 0; fi < std::size(kFields); ++fi) {
    const char* f = kFields[fi];
    if (field_of(c, fi) == field_of(before, fi)) continue;
    event(who(changes.field_by[fi]) + " set " + f + " " + field_of(c, fi).value_or("none"));
  }
  for (const auto& [tag, by] : changes.tags) {
    std::string what = who(by);  // appended in place: one allocation a line
    what.append(" added tag ").append(tag);
    event(std::move(what));
  }
  const bool changed = c.events.size() > first_event;
  if (changed) {
    c.updated_at = now_;
    c.touched();
  }
  if (story)
    for (size_t i = first_event; i < c.events.size(); ++i) story->push_back("change: " + printable(c.events[i].what));

  // 4. SLA clocks on the triaged priority and team.
  const size_t n_events = c.events.size();
  const bool sla_changed = apply_sla(c, setup_.env, now_);
  if (story && sla_changed)
    for (size_t i = n_events; i < c.events.size(); ++i) story->push_back("change: " + printable(c.events[i].what));
  return changed || sla_changed;
}

}  // namespace socq
