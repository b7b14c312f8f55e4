// The X (API v2) channel: mentions through GET /2/users/:id/mentions, our
// own replies through GET /2/users/:id/tweets, direct messages through
// GET /2/dm_events; tweets to messages and cases.
//
// Streams and cursors: "mentions" and "tweets" keep the meta.newest_id of
// their first page (since_id next time); "dm_events" keeps the newest event
// id (the endpoint has no since_id: later runs walk back until they reach
// it). Each run of a stream walks pagination_token until meta.next_token is
// absent and hands everything over as one page (one transaction), since a
// cursor is only valid once every older page is in. A first run goes back
// to `since` (start_time for the timelines).
//
// Cases: `x:<our username>:<conversation_id>`, one per conversation; our
// tweets are outbound. Direct messages are private, in
// `x:<our username>:dm-<dm_conversation_id>`. The customer is the first
// other author (for a case holding only our reply, the user it answers):
// customer.id is the X user id (what a DM needs), handle @username,
// followers from public_metrics.
//
// Posting: POST /2/tweets with reply.in_reply_to_tweet_id. X has no
// idempotency key, so a request whose answer was lost is sent again, and
// a 403 duplicate-content answer is checked against our recent tweets
// (GET /2/users/:id/tweets): the same text there is the post, not an
// error. DMs: POST /2/dm_conversations/with/:participant_id/messages; after
// a lost answer the conversation's latest events are read before sending
// again.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "lib/channels/channel.h"
#include "lib/http.h"

namespace socq {

struct XOptions {
  std::string base_url;  // https://api.x.com (no trailing slash needed)
  std::string token;     // a user-context token, sent only in the Authorization header
  std::string handle;    // our username from the config; empty: from GET /2/users/me
  int timeout_ms = 30000;
  std::function<void(const std::string&)> note;  // -v remarks
};

std::unique_ptr<Channel> make_x_channel(HttpClient& http, XOptions options);

// The cases one answer body of a stream ("mentions", "tweets" or
// "dm_events") makes for the account `us`: for tests and fuzzing. An
// answer that is not the documented shape is an Exit::data error.
Result<std::vector<Case>> x_cases_from_body(const std::string& body, const std::string& stream, const Identity& us);

// X's text escapes &, < and > as HTML entities; the plain text.
std::string x_unescape(const std::string& text);

}  // namespace socq
