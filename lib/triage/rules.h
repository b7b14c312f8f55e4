// The triage rules file: named rules in order, each `when` (conditions, all
// of which must hold) and `then` (actions), optionally `stop`; a `[pii]`
// policy; and optionally `include` of a teams/SLA file. Syntax and
// semantics: kRulesSyntax (the man page's text). A file with any error is
// refused whole with "file:line: what is wrong" (exit 78).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/tomlpp.h"

#include "lib/case.h"
#include "lib/result.h"
#include "lib/triage/pii.h"
#include "lib/triage/text_match.h"

namespace socq {

struct TriageEnv;

struct RuleActions {
  OptString category, priority, team, owner;
  std::vector<std::string> tags;  // added if missing
  bool empty() const { return !category && !priority && !team && !owner && tags.empty(); }
};

enum class AgeFrom { first_inbound, last_inbound };

// One list-valued condition: the values, or nothing when absent.
using Alternatives = std::optional<std::vector<std::string>>;

struct RuleConditions {
  std::vector<std::string> keywords;  // any of, on word boundaries
  std::vector<int> keyword_ids;       // their indices in RuleSet::patterns
  std::vector<std::string> regexes;   // any of
  std::vector<int> regex_ids;
  Alternatives channel, account, customer, lang, status;
  std::optional<int64_t> followers_min, followers_max;
  std::optional<int64_t> older_than_ms, newer_than_ms;
  AgeFrom age_from = AgeFrom::first_inbound;
  std::optional<bool> business_hours;  // true: inside the team's hours
  std::vector<std::string> tags, not_tags;
  Alternatives category, priority, team, owner, pii;  // "" stands for unset / none
};

struct Rule {
  std::string name;
  std::string where;  // file:line of the rule
  RuleConditions when;
  RuleActions then;
  bool stop = false;
};

struct PiiPolicy {
  bool enabled = true;
  PiiDetector detector;
  RuleActions then;  // priority only ever raises
};

struct RuleSet {
  std::string file;
  std::vector<Rule> rules;
  PatternSet patterns;  // every rule's keywords and regexes: one scan a case
  PiiPolicy pii;
};

// The `include` of a rules file, resolved against the file's folder, or "".
Result<std::string> rules_include(const toml::table& root, const std::string& path);
// Builds the rule set; teams are checked against `env`.
Result<RuleSet> parse_rules(const toml::table& root, const std::string& path, const TriageEnv& env);

// What a rule sees of one case.
struct CaseView {
  const Case& c;
  std::string_view folded;       // NFC case-folded text of the inbound messages
  const std::vector<int>& hits;  // the patterns found in it
  int64_t now_ms;
};
// The folded text a case's text conditions look at.
std::string case_text(const Case& c);
// The same into `text` (cleared first), reusing its buffer.
void case_text_into(const Case& c, std::string& text);

// Whether all of the rule's conditions hold. With `why`, says which
// keyword or regex matched, or which condition failed.
bool rule_matches(const Rule& r, const RuleSet& set, const CaseView& v, const TriageEnv& env, std::string* why);

// The rules syntax, for the man page.
extern const char* const kRulesSyntax;

}  // namespace socq
