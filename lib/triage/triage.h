// The per-case triage pipeline: PII detection on inbound public messages,
// the rules in order, the PII action, then the SLA clocks (apply_sla).
// Each change is an event naming the rule that made it. Idempotent: a case
// triaged again at the same time changes no more and stays byte for byte.
#pragma once
#include <string>
#include <vector>

#include "lib/case.h"
#include "lib/config.h"
#include "lib/result.h"
#include "lib/triage/rules.h"
#include "lib/triage/teams.h"

namespace socq {

struct TriageSetup {
  TriageEnv env;
  RuleSet rules;
};

// The env of the config, then the rules file's `include` and its own
// teams/sla/away tables, then its rules (checked against that env). An
// empty path means no rules (PII and SLA only).
Result<TriageSetup> load_triage_setup(const MapConfig& cfg, const std::string& rules_path);

class Triager {
 public:
  Triager(const TriageSetup& setup, std::string now);
  // Triages c in place; returns whether it changed (c.touched() was called).
  bool triage(Case& c);
  // The same pipeline on a copy, told as lines: every rule, whether it
  // matched and why; the changes it would make. Terminal-safe text.
  std::string explain(const Case& c);

 private:
  bool run(Case& c, std::vector<std::string>* story);
  // text_ok_ from hits_: which rules' keyword and regex conditions hold.
  void mark_text_ok();
  const TriageSetup& setup_;
  std::string now_;
  int64_t now_ms_;
  std::string folded_;
  std::vector<int> hits_;
  std::vector<std::vector<std::pair<size_t, bool>>> users_;  // pattern -> (rule, is a regex)
  std::vector<char> keyword_hit_, regex_hit_, text_ok_;       // by rule, for the case at hand
  std::vector<char> known_;  // by rule: an outcome that holds for every pass (rules_pass)
};

// Text with control characters (C0, DEL, C1, escape sequences) shown as
// \xNN, safe to print on a terminal.
std::string printable(std::string_view s);

}  // namespace socq
