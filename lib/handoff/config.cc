#include "lib/handoff/config.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include <nlohmann/json.hpp>

#include "lib/toml_file.h"
#include "lib/triage/calendar.h"

namespace socq::handoff {
namespace {

Error bad(const std::string& where, const std::string& what) { return Error{Exit::config, where + ": " + what}; }

Result<std::string> string_of(const std::string& path, const toml::node& n, const std::string& key) {
  const auto* s = n.as_string();
  if (!s) return bad(toml_where(path, n), key + " must be a string");
  return s->get();
}

Result<int> duration_ms_of(const std::string& path, const toml::node& n, const std::string& key) {
  auto s = string_of(path, n, key);
  if (!s) return s.error();
  auto d = parse_duration(*s);
  if (!d || d->count() <= 0 || d->count() > 3600)
    return bad(toml_where(path, n), key + " must be a duration from 1s to 1h (30s, 2m), not \"" + *s + "\"");
  return static_cast<int>(d->count() * 1000);
}

// Refuses a secret written into the config itself.
bool is_secret_key(const std::string& k) { return k == "password" || k == "token" || k == "secret"; }

Status load_follow_up(HandoffConfig& hc, const std::string& path, const toml::table& t) {
  for (const auto& [key, node] : t) {
    const std::string k(key.str());
    auto s = string_of(path, node, "handoff.follow_up." + k);
    if (!s) return s.error();
    auto d = parse_duration(*s);
    if (!d || d->count() <= 0)
      return bad(toml_where(path, node), "handoff.follow_up." + k + " must be a duration (4h, 1d, 30m), not \"" + *s + "\"");
    hc.follow_up_s[k] = d->count();
  }
  return ok_status();
}

Status load_handoff_table(HandoffConfig& hc, const std::string& path, const toml::table& t) {
  for (const auto& [key, node] : t) {
    const std::string k(key.str());
    if (k == "follow_up") {
      const auto* ft = node.as_table();
      if (!ft) return bad(toml_where(path, node), "handoff.follow_up must be a table ([handoff.follow_up])");
      if (auto st = load_follow_up(hc, path, *ft); !st) return st;
      continue;
    }
    std::string* dst = k == "case_url" ? &hc.case_url : k == "dm_text" ? &hc.dm_text : k == "dm_pointer" ? &hc.dm_pointer : nullptr;
    if (!dst) return bad(toml_where(path, node), "unknown key handoff." + k + " (case_url, dm_text, dm_pointer, [handoff.follow_up])");
    auto s = string_of(path, node, "handoff." + k);
    if (!s) return s.error();
    *dst = *s;
  }
  return ok_status();
}

Status load_smtp(HandoffConfig& hc, const std::string& path, const toml::table& t, const toml::node& at) {
  SmtpConfig s;
  s.where = toml_where(path, at);
  s.password.where = s.where;
  for (const auto& [key, node] : t) {
    const std::string k(key.str());
    if (is_secret_key(k)) return bad(toml_where(path, node), "secrets do not belong in the config; use password_env or password_file");
    if (k == "timeout") {
      auto ms = duration_ms_of(path, node, "smtp.timeout");
      if (!ms) return ms.error();
      s.timeout_ms = *ms;
      continue;
    }
    std::string* dst = k == "url" ? &s.url : k == "tls" ? &s.tls : k == "from" ? &s.from : k == "user" ? &s.user
                     : k == "password_env" ? &s.password.env : k == "password_file" ? &s.password.file
                     : k == "ca_file" ? &s.ca_file : nullptr;
    if (!dst) return bad(toml_where(path, node), "unknown key smtp." + k + " (url, tls, from, user, password_env, password_file, ca_file, timeout)");
    auto v = string_of(path, node, "smtp." + k);
    if (!v) return v.error();
    *dst = *v;
  }
  if (s.url.rfind("smtp://", 0) != 0 && s.url.rfind("smtps://", 0) != 0)
    return bad(s.where, "smtp.url must be smtp://HOST:PORT or smtps://HOST:PORT, not \"" + s.url + "\"");
  if (s.tls != "required" && s.tls != "none")
    return bad(s.where, "smtp.tls must be \"required\" or \"none\" (plain, for a local relay only), not \"" + s.tls + "\"");
  if (s.tls == "none" && s.url.rfind("smtps://", 0) == 0) return bad(s.where, "smtp.tls = \"none\" with an smtps:// url");
  if (s.from.empty()) return bad(s.where, "smtp.from is missing (the sender address)");
  if (!s.password.env.empty() && !s.password.file.empty()) return bad(s.where, "name one of smtp.password_env or smtp.password_file");
  if (!s.password.empty() && s.user.empty()) return bad(s.where, "smtp.user is missing (a password needs a user)");
  hc.smtp = std::move(s);
  return ok_status();
}

// The template with every {placeholder} as "" must already be valid JSON.
bool template_is_json(const std::string& body) {
  std::string blank;
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] == '{') {
      const size_t close = body.find('}', i);
      const std::string name = close == std::string::npos ? "" : body.substr(i + 1, close - i - 1);
      if (!name.empty() && name.find_first_of("{}\" :,\n") == std::string::npos) {
        i = close;
        continue;
      }
    }
    blank += body[i];
  }
  return nlohmann::json::accept(blank);
}

Status load_webhook(HandoffConfig& hc, const std::string& path, const std::string& name, const toml::node& at) {
  const auto* t = at.as_table();
  if (!t) return bad(toml_where(path, at), "webhooks." + name + " must be a table");
  WebhookConfig w;
  w.name = name;
  w.where = toml_where(path, at);
  w.secret.where = w.where;
  for (const auto& [key, node] : *t) {
    const std::string k(key.str());
    const std::string full = "webhooks." + name + "." + k;
    if (is_secret_key(k)) return bad(toml_where(path, node), "secrets do not belong in the config; use secret_env or secret_file");
    if (k == "headers") {
      const auto* ht = node.as_table();
      if (!ht) return bad(toml_where(path, node), full + " must be a table of header = \"value\"");
      for (const auto& [hk, hv] : *ht) {
        auto v = string_of(path, hv, full + "." + std::string(hk.str()));
        if (!v) return v.error();
        w.headers.emplace_back(std::string(hk.str()), *v);
      }
      continue;
    }
    if (k == "timeout") {
      auto ms = duration_ms_of(path, node, full);
      if (!ms) return ms.error();
      w.timeout_ms = *ms;
      continue;
    }
    std::string* dst = k == "url" ? &w.url : k == "method" ? &w.method : k == "body" ? &w.body
                     : k == "ref_pointer" ? &w.ref_pointer : k == "idempotency_header" ? &w.idempotency_header
                     : k == "secret_env" ? &w.secret.env : k == "secret_file" ? &w.secret.file : nullptr;
    if (!dst)
      return bad(toml_where(path, node), "unknown key " + full +
                                             " (url, method, headers, secret_env, secret_file, body, ref_pointer, idempotency_header, timeout)");
    auto v = string_of(path, node, full);
    if (!v) return v.error();
    *dst = *v;
  }
  const std::string p = "webhooks." + name;
  if (w.url.rfind("https://", 0) != 0 && w.url.rfind("http://127.", 0) != 0 && w.url.rfind("http://localhost", 0) != 0)
    return bad(w.where, p + ".url must be https:// (plain http only to localhost), not \"" + w.url + "\"");
  if (w.method != "POST" && w.method != "PUT") return bad(w.where, p + ".method must be POST or PUT");
  if (w.body.empty()) return bad(w.where, p + ".body is missing (a JSON template)");
  if (!template_is_json(w.body)) return bad(w.where, p + ".body is not JSON once its {placeholders} are filled in");
  if (!w.ref_pointer.empty() && w.ref_pointer[0] != '/')
    return bad(w.where, p + ".ref_pointer must be a JSON pointer such as \"/ticket/id\"");
  if (!w.secret.env.empty() && !w.secret.file.empty()) return bad(w.where, "name one of " + p + ".secret_env or secret_file");
  bool uses_secret = false;
  for (const auto& [hk, hv] : w.headers) uses_secret |= hv.find("{secret}") != std::string::npos;
  if (uses_secret && w.secret.empty()) return bad(w.where, p + ": a header uses {secret} but no secret_env or secret_file is named");
  hc.webhooks[name] = std::move(w);
  return ok_status();
}

Status load_file(HandoffConfig& hc, const std::string& path) {
  auto doc = parse_toml_file(path);
  if (!doc) return doc.error();
  for (const auto& [key, node] : *doc) {
    const std::string k(key.str());
    if (k == "handoff") {
      const auto* t = node.as_table();
      if (!t) return bad(toml_where(path, node), "handoff must be a table ([handoff])");
      if (auto st = load_handoff_table(hc, path, *t); !st) return st;
    } else if (k == "smtp") {
      const auto* t = node.as_table();
      if (!t) return bad(toml_where(path, node), "smtp must be a table ([smtp])");
      if (auto st = load_smtp(hc, path, *t, node); !st) return st;
    } else if (k == "webhooks") {
      const auto* t = node.as_table();
      if (!t) return bad(toml_where(path, node), "webhooks must be a table ([webhooks.NAME])");
      for (const auto& [name, wn] : *t)
        if (auto st = load_webhook(hc, path, std::string(name.str()), wn); !st) return st;
    }
  }
  return ok_status();
}

}  // namespace

Result<HandoffConfig> load_handoff_config(const MapConfig& cfg) {
  HandoffConfig hc;
  for (const auto& f : cfg.files)
    if (auto st = load_file(hc, f); !st) return st.error();
  return hc;
}

int64_t follow_up_seconds(const HandoffConfig& hc, const std::string& target) {
  if (auto it = hc.follow_up_s.find(target); it != hc.follow_up_s.end()) return it->second;
  if (auto it = hc.follow_up_s.find(target.substr(0, target.find(':'))); it != hc.follow_up_s.end()) return it->second;
  if (auto it = hc.follow_up_s.find("default"); it != hc.follow_up_s.end()) return it->second;
  return kDefaultFollowUpS;
}

Result<std::string> read_secret(const SecretSource& s, const std::string& what, EnvFn env) {
  const std::string who = what + " (" + s.where + ")";
  if (!s.env.empty()) {
    auto v = env(s.env.c_str());
    if (!v || v->empty()) return Error{Exit::no_perm, who + ": environment variable " + s.env + " is not set"};
    return *v;
  }
  if (s.file.empty()) return Error{Exit::config, who + ": no secret named (password_env/password_file or secret_env/secret_file)"};
  struct stat st{};
  if (stat(s.file.c_str(), &st) != 0) return Error{Exit::no_perm, who + ": secret file " + s.file + ": " + std::strerror(errno)};
  if (!S_ISREG(st.st_mode)) return Error{Exit::no_perm, who + ": secret file " + s.file + " is not a regular file"};
  if (st.st_mode & 077) return Error{Exit::no_perm, who + ": secret file " + s.file + " is readable by others; run: chmod 600 " + s.file};
  std::ifstream in(s.file, std::ios::binary);
  if (!in) return Error{Exit::no_perm, who + ": secret file " + s.file + ": " + std::strerror(errno)};
  std::string v((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!v.empty() && (v.back() == '\n' || v.back() == '\r' || v.back() == ' ')) v.pop_back();
  if (v.empty()) return Error{Exit::no_perm, who + ": secret file " + s.file + " is empty"};
  return v;
}

const char* const kHandoffSyntax = R"(The handoff tables of the config (examples/handoff.toml):

  [handoff]
  case_url = "https://socq.example/cases/{id}"   # the link back in e-mails and tickets
  dm_text = "Hi {customer.handle}, ..."          # --to dm's private message (--message overrides)
  dm_pointer = "We've sent you a DM."             # the public pointer posted after the DM is accepted

  [handoff.follow_up]      # per target, its kind, or default (24h); business time where the team keeps hours
  default = "24h"
  "team:billing" = "4h"
  email = "8h"

  [smtp]
  url = "smtp://mail.example.com:587"   # STARTTLS required; or smtps://HOST:465
  tls = "required"                      # "none": plain SMTP, only for a relay on this machine
  from = "Support <support@example.com>"
  user = "socq"
  password_env = "SOCQ_SMTP_PASSWORD"   # or password_file (mode 0600)
  ca_file = "/etc/socq/relay-ca.pem"    # a private CA, optional

  [webhooks.NAME]
  url = "https://example.zendesk.com/api/v2/tickets.json"
  headers = { Authorization = "Basic {secret}" }
  secret_env = "ZENDESK_AUTH"           # or secret_file
  body = '{"ticket": {"subject": "{subject}", "comment": {"body": "{transcript}"}}}'
  ref_pointer = "/ticket/id"            # the ticket id in the answer, kept as handoff.ref
  idempotency_header = "Idempotency-Key"   # if the target honours one

Body placeholders (JSON-escaped): {case.id} {case.url} {case.channel} {case.priority}
{case.category} {customer.handle} {customer.name} {customer.id} {subject} {transcript} {transcript.html}
{why} {by} {key}.
)";

}  // namespace socq::handoff
