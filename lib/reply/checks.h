// The checks a reply passes before it is posted: platform-exact length,
// house style, PII in a public reply, repetition of replies sent to other
// customers. Each gives a verdict naming the check, a one-line message and
// the flag that overrides it (none for length: the platform would refuse
// the post anyway). Policy: the [reply] table of the config (kReplyChecks).
#pragma once
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "lib/tomlpp.h"

#include "lib/channels/channel.h"
#include "lib/config.h"
#include "lib/result.h"

namespace socq::reply {

// Override flags (the reply command declares them).
inline constexpr const char* kAllowStyle = "--allow-style";
inline constexpr const char* kAllowPii = "--allow-pii";
inline constexpr const char* kAllowRepeat = "--allow-repeat";

struct CheckVerdict {
  std::string check;          // "length", "style", "pii", "repetition"
  bool passed = true;
  bool warn_only = false;     // failed, but does not stop the post (or was overridden)
  std::string message;        // one line for a person
  std::string override_flag;  // "" when nothing overrides it (length)
  bool overridden = false;    // failed, and its override flag was given
};
// Whether the verdicts let the reply be posted (every check passed, warned
// only, or was overridden).
bool may_post(const std::vector<CheckVerdict>& verdicts);

struct ReplyDraft {
  std::string text;
  std::string channel;      // "mastodon", "bluesky", "x", "facebook"
  bool is_public = true;
  bool first_reply = false;  // no outbound message on the case yet
  Limits limits;             // max_chars 0: default_limits(channel, is_public)
  // For repetition: whose reply this is, and the names (handle, display
  // name, first name) stripped before comparing.
  std::string case_id;
  std::string customer_id;
  std::vector<std::string> customer_names;
  // Our messages already on this case, with their times: the same text sent
  // again is refused (a command run twice must not post twice).
  std::vector<std::pair<std::string, std::string>> sent_on_case;  // text, at
};

// Our replies to customers within the policy's window (the caller picks them
// by `at`); those to the draft's own customer or case are skipped.
struct RecentReply {
  std::string case_id;
  std::string customer_id;
  std::string at;    // RFC 3339 UTC
  std::string text;
  std::vector<std::string> customer_names;  // stripped like the draft's (optional)
};

enum class RepetitionMode { refuse, warn, off };

struct AvoidPhrase {
  std::string phrase;
  std::string suggestion;  // "" when none configured
};

struct CompiledPolicy;  // patterns compiled once (checks.cc)

// [reply] of the config. Defaults: no avoided phrases, the reflex-DM
// phrases of kDefaultFirstReplyAvoid, repetition "refuse" over 14 days at
// similarity 0.8.
struct ReplyPolicy {
  std::vector<AvoidPhrase> avoid;
  std::vector<std::string> first_reply_avoid;  // phrases; default kDefaultFirstReplyAvoid
  std::vector<std::string> account_patterns;   // RE2, account/reference numbers
  RepetitionMode repetition = RepetitionMode::refuse;
  int repetition_days = 14;
  double repetition_threshold = 0.8;
  std::string source;  // file:line of [reply], "" for defaults
  std::shared_ptr<const CompiledPolicy> compiled;  // set by load/compile
};

extern const std::vector<std::string> kDefaultFirstReplyAvoid;

// The keys of [reply] that other parts of socq read (templates, approval):
// load_reply_policy leaves them alone.
inline constexpr const char* kReplyKeysReadElsewhere[] = {"templates", "approval"};

// Compiles the policy's patterns (Exit::config naming the bad one).
Status compile_policy(ReplyPolicy& policy);
// [reply] from one parsed TOML table (`reply` node's parent) of `file`.
Status load_reply_policy_into(ReplyPolicy& policy, const toml::table& root, const std::string& file);
// [reply] from the config files (cfg.files; later files replace earlier
// keys); the default policy when none has it. Errors name file:line, exit 78.
Result<ReplyPolicy> load_reply_policy(const MapConfig& cfg);
Result<ReplyPolicy> load_reply_policy(const Config& cfg);  // a MapConfig, else the defaults

// Recent replies prepared once (normalised shingles), so a bulk run or a
// store of thousands of replies compares in linear time.
class RecentIndex {
 public:
  RecentIndex(const std::vector<RecentReply>& recent);
  ~RecentIndex();
  RecentIndex(RecentIndex&&) noexcept;
  RecentIndex& operator=(RecentIndex&&) noexcept;
  struct Impl;
  const Impl& impl() const { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

// Every check's verdict, in the order length, style, pii, repetition.
// `overrides` holds the override flags given (kAllowStyle, ...).
std::vector<CheckVerdict> run_checks(const ReplyDraft& draft, const ReplyPolicy& policy,
                                     const std::vector<RecentReply>& recent, const std::set<std::string>& overrides);
std::vector<CheckVerdict> run_checks(const ReplyDraft& draft, const ReplyPolicy& policy, const RecentIndex& recent,
                                     const std::set<std::string>& overrides);

// Each check alone (run_checks applies the overrides and warn modes).
CheckVerdict check_length(const ReplyDraft& draft);
CheckVerdict check_style(const ReplyDraft& draft, const ReplyPolicy& policy);
CheckVerdict check_pii(const ReplyDraft& draft, const ReplyPolicy& policy);
CheckVerdict check_repetition(const ReplyDraft& draft, const ReplyPolicy& policy, const RecentIndex& recent);

// The man page text for [reply] and the checks (the reply command's footer).
extern const char* const kReplyChecks;

}  // namespace socq::reply
