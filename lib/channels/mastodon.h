// The Mastodon channel: mentions through GET /api/v1/notifications
// (types[]=mention), direct messages through GET /api/v1/conversations,
// both paged by the Link header; statuses to messages and cases.
//
// Streams and cursors: "notifications" and "conversations", each with the
// min_id the server's rel="prev" link names for its newest page. A first
// run walks rel="next" back to `since` and hands everything over as one
// page (one transaction: its cursor is only valid once every older page
// is in); later runs walk rel="prev" from the cursor, newest pages last,
// and hand over each page with its own cursor.
//
// Cases: `mastodon:<our acct@domain>:<root status id>` as threads.h builds
// them; direct messages are private (public:false) and their thread key is
// `dm-<root id>`, so a private thread never merges with a public one.
#pragma once
#include <functional>
#include <memory>
#include <string>

#include "lib/channels/channel.h"
#include "lib/http.h"

namespace socq {

struct MastodonOptions {
  std::string base_url;  // https://example.social (no trailing slash needed)
  std::string token;     // sent only in the Authorization header
  std::string handle;    // our acct@domain from the config; empty: from verify_credentials
  int timeout_ms = 30000;
  std::function<void(const std::string&)> note;  // -v remarks
};

std::unique_ptr<Channel> make_mastodon_channel(HttpClient& http, MastodonOptions options);

// A Link header's target for one rel ("next", "prev"), or "".
std::string link_target(const std::string& link_header, const std::string& rel);
// The value of a query parameter in a URL, or "".
std::string query_param(const std::string& url, const std::string& name);

}  // namespace socq
