// The Facebook Pages channel (Graph API): Messenger conversations through
// GET /{page-id}/conversations?platform=messenger, comments on the Page's
// posts through GET /{page-id}/feed and GET /{post-id}/comments?filter=stream
// (chosen over nested field expansion so each post's comments page by
// themselves); paging.next until absent.
//
// Auth: the Page access token as the documented `access_token` parameter
// (query for reads, form body for posts). It is masked in every URL said
// (redact_url) and in every message (mask_secrets).
//
// Streams and cursors: "conversations" and "comments", each the newest time
// seen (RFC 3339 UTC): conversations by updated_time (the list is newest
// updated first: a run stops at the first one not newer than the cursor),
// comments by created_time (posts are walked back to `since`, and a post
// not updated since the cursor is skipped). Each run hands everything over
// as one page.
//
// Cases: Messenger threads `facebook:<handle>:dm-<conversation id>`
// (private, customer.id the PSID); comment threads by their top-level
// comment, `facebook:<handle>:<comment id>`, our Page's comments outbound.
//
// Throttling (http_policy): X-Business-Use-Case-Usage above 90% slows the
// next request; error codes 4/17/32/613/80001 are waited out like a 429
// (estimated_time_to_regain_access, up to --max-wait, else exit 75). An
// expired or invalid token (code 190) is exit 77.
//
// Posting: a comment reply POST /{comment-id}/comments message=...; a
// private reply POST /{page-id}/messages with recipient={"id":PSID},
// messaging_type=RESPONSE, message={"text":...}, refused before sending
// (exit 65) when the customer's last message is older than 24 hours; a
// private answer to a comment is a Private Reply, recipient={"comment_id":
// ...}, one per comment, within 7 days of it.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "lib/channels/channel.h"
#include "lib/http.h"

namespace socq {

struct FacebookOptions {
  std::string base_url;  // https://graph.facebook.com/v19.0 (the version is part of it)
  std::string token;     // the Page access token
  std::string page_id;   // empty: GET /me with the Page token
  std::string handle;    // our name in case ids; empty: the Page's username, else its id
  int timeout_ms = 30000;
  std::function<void(const std::string&)> note;
  std::function<int64_t()> now_ms;  // for the 24-hour window; default the system clock
};

std::unique_ptr<Channel> make_facebook_channel(HttpClient& http, FacebookOptions options);

// Graph times ("2026-11-23T08:00:00+0000") and RFC 3339 -> epoch ms.
std::optional<int64_t> parse_graph_time(const std::string& s);

// The cases one answer body makes, for tests and fuzzing: a conversations
// list ("conversations") or a comments list ("comments") for page `us`.
Result<std::vector<Case>> facebook_cases_from_body(const std::string& body, const std::string& stream, const Identity& us);

}  // namespace socq
