// The Bluesky channel (AT Protocol XRPC on the account's PDS).
//
// Session: com.atproto.server.createSession with the identifier and an app
// password, at most once per run; the JWTs are cached in a 0600 file beside
// the store (bluesky_session.h). An access token close to its `exp`, or
// answered 400 ExpiredToken, is renewed with refreshSession; only if that
// fails is createSession called (again: at most once per run).
//
// Streams and cursors:
//  - "notifications": app.bsky.notification.listNotifications with
//    reasons mention and reply, limit 50, followed until the cursor is
//    absent (the server filters reasons after reading a page, so a short or
//    empty page may still carry a cursor), items de-duplicated by uri. The
//    stored cursor is the newest indexedAt seen; a later run stops at the
//    first item older than it (items at the same instant are read again and
//    merge as duplicates). A first run stops at --since. Each run hands over
//    one page (one transaction), like Mastodon's first run.
//  - "chat": chat.bsky.convo.listConvos and getMessages through the PDS with
//    the atproto-proxy header; the cursor is the newest sentAt seen. A PDS
//    with no chat service behind it (listConvos fails with 5xx or 501) is
//    noted and skipped: the run goes on, the chat cursor stays.
//
// Cases: `bluesky:<our handle>:<root post at-URI>` by record.reply.root (the
// root's own customer keeps the plain id, another customer in the same
// thread gets `+<did>`); DMs `bluesky:<our handle>:dm-<convoId>`, private.
// Message ids are post at-URIs, and `chat:<convoId>:<messageId>` for DMs.
// Our own posts (parents that customers answered) are outbound.
//
// Posting: a reply is com.atproto.repo.createRecord with reply{root,parent}
// strong refs (the parent's uri+cid from app.bsky.feed.getPosts, the root
// from its record.reply or the parent itself), facets for @mentions
// (com.atproto.identity.resolveHandle) and links with UTF-8 byte offsets,
// and an rkey derived from the idempotency key (bluesky_rkey): the same
// key always names the same record, so before sending, and after any error
// once sent, com.atproto.repo.getRecord tells whether it is already posted.
// A private reply goes to the customer's conversation (getConvoForMembers,
// sendMessage); a retry first looks for our identical message among the
// conversation's latest ones (chat has no idempotency key).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lib/channels/bluesky_session.h"
#include "lib/channels/channel.h"
#include "lib/http.h"

namespace socq {

struct BlueskyOptions {
  std::string base_url;      // the PDS, e.g. https://bsky.social
  std::string identifier;    // handle or DID to log in with
  std::string password;      // the app password: only ever in createSession's body
  std::string handle;        // our handle for case ids; empty: the session's
  std::string session_file;  // the JWT cache; empty: none (log in every run)
  int timeout_ms = 30000;
  std::function<void(const std::string&)> note;  // -v remarks
};

std::unique_ptr<Channel> make_bluesky_channel(HttpClient& http, BlueskyOptions options);

// The record key for a post: the idempotency key itself when it is a TID,
// else a TID made from a 64-bit hash of it (stable across retries).
std::string bluesky_rkey(const std::string& idempotency_key);
bool is_tid(std::string_view s);
// A TID from microseconds since the epoch and a 10-bit clock id.
std::string make_tid(uint64_t micros, uint64_t clock_id);

// An AT Protocol datetime (Z or +hh:mm, any fraction) -> epoch ms.
std::optional<int64_t> atproto_time_ms(std::string_view s);

// One post as a notification or app.bsky.feed.getPosts carries it.
struct BlueskyPost {
  std::string uri, cid, reason;
  std::string author_did, author_handle, author_name;
  std::string text, created_at, indexed_at;  // times as the server wrote them
  std::string root_uri, root_cid, parent_uri, parent_cid;
};

struct BlueskyNotificationPage {
  std::vector<BlueskyPost> posts;  // posts only (other record types skipped)
  std::string cursor;              // "" on the last page
};

// Parses a listNotifications answer; an Error (Exit::data) names what is
// wrong. Exposed for the fuzzer.
Result<BlueskyNotificationPage> parse_bluesky_notifications(std::string_view body);
// Parses the `posts` array of a getPosts answer.
Result<std::vector<BlueskyPost>> parse_bluesky_posts(std::string_view body);

}  // namespace socq
