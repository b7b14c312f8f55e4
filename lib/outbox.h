// The outbox: every post socq makes (a reply, a DM, an e-mail, a webhook
// call) is recorded in the store with an idempotency key BEFORE it is sent
// and marked after, so a retry or a crash never posts twice and never
// forgets a post (DESIGN.md "The store").
//
// States: draft (waits for approval; never sent) -> pending (recorded, being
// sent: claimed_by names the process) -> sent (result holds the platform's
// answer) or failed (the platform refused it for good). A draft may be
// discarded. A pending row whose process has died is an orphan: a later run
// claims it and sends it again with the SAME key, so the platform answers
// with the earlier post instead of making a second one.
//
// Channel posts (kind "reply" or "dm") carry their PostRequest in the
// payload's "post" object; send_through_outbox sends one and records the
// outbound message on the case in the same transaction as the row's mark.
// Other kinds (email, webhook) use the same rows with their own sender:
// record_pending, send, mark_sent / mark_failed.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/channels/channel.h"
#include "lib/store.h"

namespace socq {

// A new idempotency key: "socq-" and 32 random hex digits.
std::string new_idempotency_key();
// This process as a claim: "host:pid".
std::string this_process();
// Whether the process a claim names may still be sending: true for a live
// pid on this host, and for any claim from another host (we cannot tell).
bool claim_alive(const std::string& claimed_by);

// A new row for `case_id`, state pending, claimed by this process.
OutboxRow pending_row(const std::string& case_id, const std::string& kind, const std::string& payload,
                      const std::string& now, const OptString& author);

// Channel posts: the PostRequest inside a payload (under "post"), beside
// whatever else the caller keeps there.
nlohmann::json post_to_json(const PostRequest& req);
Result<PostRequest> post_of_payload(const OutboxRow& row);

// Changes the case once a post is out (adds the outbound message, moves
// the status, ...). Must be idempotent: false when the case already shows
// the post, so nothing is written.
using RecordPost = std::function<Result<bool>(Case& c, const Posted& posted)>;

struct SendResult {
  Posted posted;
  bool already_done = false;  // another process marked it first
};

// Sends a pending channel post (the row as recorded, claimed by this
// process) with the row's key, then marks the row sent and applies `record`
// to the case in one transaction (re-reading the case if it changed
// meanwhile). A transport failure or 5xx after the retries leaves the row
// pending and unclaimed, for a later run to send again with the same key;
// a refusal the platform gives for good (422, 4xx) marks the row failed.
Result<SendResult> send_through_outbox(Store& store, Channel& channel, const OutboxRow& row, const std::string& now,
                                       const RecordPost& record);

// Marks a row of any kind after its own sender ran (state pending, claimed
// by this process). With `record`, also changes its case in the same
// transaction. False when another run had marked it already.
Result<bool> mark_sent(Store& store, const OutboxRow& row, const std::string& now, const std::string& result_json,
                       const std::function<Result<bool>(Case&)>& record = {});
Status mark_failed(Store& store, const OutboxRow& row, const std::string& now, const std::string& why);
// Leaves a pending row for a later run (clears the claim).
Status release_claim(Store& store, const OutboxRow& row, const std::string& now);

// Pending rows (matching `filter`; its state is ignored) whose process is
// gone or that nobody claims: claims each for this process and returns
// them. Rows a live process is sending are left alone (returned in
// `busy` when given).
Result<std::vector<OutboxRow>> claim_orphans(Store& store, OutboxFilter filter, const std::string& now,
                                             std::vector<OutboxRow>* busy = nullptr);

}  // namespace socq
