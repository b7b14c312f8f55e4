// socq handoff: a case handed to a team or owner within socq, to the
// customer's private messages (dm), to an e-mail address or to a
// ticketing system (webhook). Every handoff records who, when, where, why,
// the reference, the new owner and a follow-up deadline in case.handoff,
// adds an event and moves the case to handed_off.
//
// dm, email and webhook go through the outbox (lib/outbox.h): the row is
// recorded with its idempotency key before anything is sent and marked
// after, in the same transaction as the case's handoff record. A send that
// failed in a way that may have reached the far side (no answer, timeout,
// 5xx) stays pending, and a later run (`socq handoff --resume`, or any
// later handoff) sends it again with the same key: the same Message-ID for
// e-mail, the same idempotency header for a webhook, the same
// Idempotency-Key for the DM.
//
// dm: the private message first; only once the platform accepted it the
// short public pointer (its own row, key "<dm key>-pointer", so a crash
// between the two is finished by a later run). A refused DM posts nothing
// public and is an error.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "lib/channels/channel.h"
#include "lib/config.h"
#include "lib/handoff/config.h"
#include "lib/http.h"
#include "lib/store.h"
#include "lib/triage/teams.h"

namespace socq::handoff {

// team:NAME, owner:NAME, dm, email:ADDR, webhook:NAME.
struct Target {
  std::string kind;  // team, owner, dm, email, webhook
  std::string name;  // "" for dm
  std::string text() const { return name.empty() ? kind : kind + ":" + name; }
};
Result<Target> parse_target(const std::string& s);

// The outbox kinds a handoff uses: its own names for the DM and the public
// pointer (channel posts, so `socq reply --resume` never takes them for its
// own), "email" and "webhook".
inline constexpr const char* kDmKind = "handoff_dm";
inline constexpr const char* kPointerKind = "handoff_pointer";
bool is_handoff_kind(const std::string& kind);

// A channel with the HTTP client it talks through.
struct ChannelHandle {
  std::unique_ptr<HttpClient> http;
  std::unique_ptr<Channel> channel;
};

struct Deps {
  Store& store;
  const HandoffConfig& config;
  const TriageEnv& teams;
  // The channel of a case's account (DMs and pointers).
  std::function<Result<ChannelHandle>(const Case&)> channel_for;
  // An HTTP client for webhooks.
  std::function<std::unique_ptr<HttpClient>()> http;
  EnvFn env = process_env;
  std::function<void(const std::string&)> note;  // progress lines (-v)
};

struct Request {
  std::string case_id;  // full id or number
  Target target;
  std::string why;
  std::string by;
  std::string now;
  std::string message;  // dm: the private text ("" : config dm_text)
  std::optional<int64_t> if_rev;
};

struct Outcome {
  Case c;
  std::string summary;  // "handed off CASE to email:x@y (follow up by T)"
};

// Hands one case off. Errors carry the exit code: 3 (case changed, or a
// handoff of it in flight), 65 (refused for good), 69/75 (the far side is
// not answering: the row stays for --resume), 77 (credentials), 78 (config).
Result<Outcome> hand_off(Deps& d, const Request& r);

// `--complete`: completed_at and an event. A handoff already completed by
// a reply since is recorded as completed too.
Result<Outcome> complete(Store& store, const std::string& case_id, const std::string& by, const std::string& now);

struct ResumeReport {
  size_t finished = 0;  // rows sent now (or found sent by the far side's answer)
  size_t busy = 0;      // rows a live process is still sending
  std::vector<Error> errors;
};
// Finishes every handoff row a run left in flight (pending and unclaimed,
// or claimed by a process that is gone), and posts the public pointer of
// any accepted DM that lacks one.
Result<ResumeReport> resume(Deps& d, const std::string& now);

// What `record` does to a case once a handoff is out (exposed for tests):
// false when the case already shows this handoff (key in handoff.extra).
struct Record {
  Target target;
  std::string by, at, why, follow_up_due, key;
  OptString ref;
};
Result<bool> apply_handoff(Case& c, const Record& r);

}  // namespace socq::handoff
