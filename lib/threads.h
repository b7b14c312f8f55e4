// Rebuilding cases from loose messages (exports, data sets): threads from
// reply links, one case per brand account, thread root and customer, as
// DESIGN.md's id scheme says.
#pragma once
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "lib/case.h"

namespace socq {

struct ImportMessage {
  std::string id;
  OptString reply_to;  // the parent's id, as the source says (may be absent from the input)
  std::string author;  // handle without '@'
  bool inbound = true;
  std::string at;      // RFC 3339 UTC
  std::string text;
  std::string brand;   // our account, when the source says it; else derived from the thread
  OptString name;      // author's display name, if known
  bool is_public = true;
  OptString visibility;  // Message::visibility
};

struct ThreadStats {
  size_t messages = 0;        // distinct messages placed in cases
  size_t duplicates = 0;      // repeated message ids (the first one kept)
  size_t orphan_replies = 0;  // replies whose parent is not in the input: each starts a case
};

// Groups messages into cases on `channel` and hands each to `emit`, thread
// by thread (memory holds one thread's cases at a time). Every distinct
// message lands in exactly one case; messages in time order. `brands`, when
// given, are the brand accounts (outbound authors) of the whole input, for a
// caller that passes one thread at a time (import.h's import_twcs).
Status build_cases(std::vector<ImportMessage> messages, const std::string& channel, ThreadStats& stats,
                   const std::function<Status(Case&&)>& emit, const std::set<std::string>* brands = nullptr);
// A case's status from its messages (in time order), for imports and every
// channel alike: pending_customer when ours is the last word, open once
// someone answered the customer (a non-auto reply after their first
// message), else new.
void derive_status(Case& c);
// The same, collected and sorted by id (for tests and small inputs).
std::vector<Case> build_cases(std::vector<ImportMessage> messages, const std::string& channel, ThreadStats& stats);

}  // namespace socq
