// The case: one customer conversation on one channel (../shared/DESIGN.md).
// Known fields are typed; unknown members at every level are kept as their
// original JSON text so other tools' annotations survive a round trip.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lib/result.h"

namespace socq {

// Unknown members of one JSON object, in input order: key (unescaped) and
// the value's original JSON text.
using Extras = std::vector<std::pair<std::string, std::string>>;
using OptString = std::optional<std::string>;

inline constexpr int kCaseVersion = 1;
// The highest rev a case may hold: JSON's safe integers (2^53 - 1), so every
// reader of the JSON sees it exactly. The reader refuses more; a change at the
// cap keeps the cap (next_rev), so no rev ever overflows.
inline constexpr int64_t kMaxRev = 9007199254740991;
inline constexpr int64_t next_rev(int64_t rev) { return rev < kMaxRev ? rev + 1 : kMaxRev; }

enum class Dir { in, out };

struct Customer {
  std::string id;
  OptString handle;
  OptString name;
  std::optional<int64_t> followers;
  Extras extra;
};

struct Message {
  std::string id;
  Dir dir = Dir::in;
  std::string at;  // RFC 3339 UTC with Z
  std::string author;
  std::string text;
  bool is_public = true;
  OptString reply_to;
  OptString lang;
  bool is_auto = false;   // sent by a bot or auto-reply: stops no SLA clock
  bool redacted = false;  // text had PII removed
  OptString posted_id;    // the platform's id once socq posted it
  // A public message's narrower audience where the platform has one
  // (Mastodon "unlisted", "private" = followers only); absent: everyone.
  // A reply is never wider than the message it answers.
  OptString visibility;
  Extras extra;
};

struct Sla {
  OptString first_response_due;
  OptString next_response_due;
  OptString resolution_due;
  OptString first_response_at;
  std::vector<std::string> breached;  // which clocks breached
  Extras extra;
};

struct Handoff {
  std::string to;
  std::string at;
  std::string by;
  OptString why;
  OptString ref;
  OptString owner;
  OptString follow_up_due;
  OptString completed_at;
  Extras extra;
};

struct Incident {
  std::string id;
  OptString title;
  OptString since;
  Extras extra;
};

struct Link {
  std::string rel;  // previous, next, related, duplicate_of, ticket, ...
  std::string ref;  // a case id or an external reference
  Extras extra;
};

struct Resolution {
  std::string reason;  // answered, no_reply_needed, spam, duplicate
  std::string at;
  std::string by;
  Extras extra;
};

struct Event {
  std::string at;
  std::string by;
  std::string what;
  Extras extra;
};

enum class CaseStatus { new_, open, pending_customer, handed_off, resolved, closed };

struct Case {
  int v = kCaseVersion;
  std::string id;
  int64_t rev = 0;
  std::string channel;
  std::string account;
  Customer customer;
  std::vector<Message> messages;
  CaseStatus status = CaseStatus::new_;
  OptString priority;  // p1..p4
  OptString category;
  std::vector<std::string> tags;
  OptString team;
  OptString owner;
  Sla sla;
  std::vector<Link> links;
  std::optional<Handoff> handoff;
  std::optional<Incident> incident;
  std::optional<Resolution> resolution;
  std::vector<std::string> pii;  // kinds only, never values
  std::vector<Event> events;
  std::string updated_at;
  Extras extra;

  // The line this case was read from. While set, the case is unchanged and
  // is written back byte for byte; every change must call touched().
  std::string source;
  void touched() { source.clear(); }
  // The store's short number for this case (#42: Store::get accepts "42"),
  // set by the store that read it; 0 when read from a file. Store-local, so
  // never in the JSON.
  int64_t number = 0;
};

std::string_view to_string(CaseStatus s);
std::optional<CaseStatus> parse_status(std::string_view s);
std::string_view to_string(Dir d);

// The status table of DESIGN.md: may a case move from `from` to `to`?
bool status_move_allowed(CaseStatus from, CaseStatus to);
// Moves c to `to`, or says why not. Resolving needs a reason.
Status move_status(Case& c, CaseStatus to, const std::string& at, const std::string& by,
                   const std::string& why, OptString resolve_reason = std::nullopt);

bool is_valid_resolution_reason(std::string_view r);
bool is_valid_priority(std::string_view p);

// The thread key part of the id: what follows "<channel>:<account>:".
std::string_view thread_key(const Case& c);
// The time of the last message, or "" if none.
std::string last_message_at(const Case& c);
// The next time a clock on this case falls due (earliest open SLA due), or "".
std::string next_due(const Case& c);

}  // namespace socq
