// The handoff's own config tables, read from the config files (cfg.files)
// by this file, not by lib/config.cc: [handoff] (case_url, dm_text,
// dm_pointer), [handoff.follow_up] (deadline per target), [smtp] and
// [webhooks.NAME]. Secrets are named by *_env / *_file, never held here.
// Every error names file:line and exits 78.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lib/config.h"
#include "lib/result.h"

namespace socq::handoff {

// Where a secret lives: an environment variable or a 0600 file.
struct SecretSource {
  std::string env, file;
  std::string where;  // file:line of the table naming it
  bool empty() const { return env.empty() && file.empty(); }
};

// [smtp]. tls: "required" (CURLUSESSL_ALL: STARTTLS on smtp://, or smtps://)
// or "none" (plain, only for a relay on this machine, named so on purpose).
struct SmtpConfig {
  std::string url;  // smtp://host:port or smtps://host:port
  std::string tls = "required";
  std::string from;  // "Support <support@example.com>" or an address
  std::string user;
  SecretSource password;
  std::string ca_file;  // a private CA for the relay's certificate
  int timeout_ms = 30000;
  std::string where;  // file:line
};

// [webhooks.NAME]: a JSON POST from a template.
struct WebhookConfig {
  std::string name;
  std::string url;
  std::string method = "POST";
  std::vector<std::pair<std::string, std::string>> headers;  // values may hold {secret}
  SecretSource secret;
  std::string body;          // JSON template with {case.id}, {transcript}, ...
  std::string ref_pointer;   // JSON pointer to the ticket id in the answer ("/ticket/id")
  std::string idempotency_header;  // sent with the outbox key when the target supports it
  int timeout_ms = 30000;
  std::string where;
};

struct HandoffConfig {
  std::string case_url;  // "https://socq.example/cases/{id}"; "" : no link
  std::string dm_text = "Hi {customer.handle}, we are following up on your message here in private.";
  std::string dm_pointer = "We've sent you a DM.";
  // [handoff.follow_up]: "default", a kind ("team", "email") or a full
  // target ("team:billing"), to a duration ("24h").
  std::map<std::string, int64_t> follow_up_s;
  std::optional<SmtpConfig> smtp;
  std::map<std::string, WebhookConfig> webhooks;
};

inline constexpr int64_t kDefaultFollowUpS = 24 * 3600;

Result<HandoffConfig> load_handoff_config(const MapConfig& cfg);

// The follow-up for a target: its own entry, else its kind's, else default.
int64_t follow_up_seconds(const HandoffConfig& hc, const std::string& target);

// Reads a secret (never logged). A file must be 0600 and not empty.
Result<std::string> read_secret(const SecretSource& s, const std::string& what, EnvFn env = process_env);

// The man page text for these tables.
extern const char* const kHandoffSyntax;

}  // namespace socq::handoff
