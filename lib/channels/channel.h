// One interface for every platform (Mastodon now; Bluesky, X and Facebook
// follow): who we are there, what a post may hold, new items since a
// cursor as cases, and posting. Channels speak HTTP only through an
// HttpClient and never touch the store: the fetch runner commits each
// page's cases together with its cursor.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "lib/case.h"
#include "lib/result.h"

namespace socq {

struct Identity {
  std::string id;      // the platform's id for our account
  std::string handle;  // "acct@host": the case's account
};

// What one post may hold, for the reply command.
// Units: "characters" (code points: Facebook), "graphemes" (Mastodon,
// Bluesky), "weighted" (X); lib/reply/length.h counts each.
struct Limits {
  int64_t max_chars = 0;
  int64_t chars_per_url = 0;       // a URL counts this much, whatever its length
  std::string unit = "characters";  // characters, graphemes, weighted
  int64_t max_bytes = 0;           // UTF-8 bytes, 0: no limit (Bluesky: 3000)
};

// One committed unit of a fetch: its cases and where the stream stands
// after them. An empty cursor leaves the stored one as it is.
struct FetchPage {
  std::string stream;  // "notifications", "conversations", ...
  std::vector<Case> cases;
  std::string cursor;
  size_t items = 0;  // platform items read into these cases
  size_t pages = 0;  // HTTP pages behind them
};

struct FetchRequest {
  std::string stream;
  std::optional<std::string> cursor;  // where the last run stopped; none: first run
  int64_t since_ms = 0;               // a first run goes back to here
};

// Ends a channel's error that refused a post before sending it (a messaging
// window closed...): the outbox marks such a row failed, not pending.
inline constexpr const char* kNothingSent = "(nothing was sent)";

struct PostRequest {
  std::string text;
  OptString in_reply_to;      // the platform id of the message answered
  bool is_public = true;      // false: a private message
  // A public post's narrower audience (Message::visibility): the answered
  // message's, so a reply to a followers-only post stays followers-only.
  OptString visibility;
  std::string idempotency_key;
  OptString recipient;         // the customer's platform id (Facebook PSID, X user id): private messages
  OptString customer_last_at;  // RFC 3339: the customer's last inbound message (Messenger's 24-hour window)
  // A private message that answers the customer's public message of this id
  // (a private reply to a Facebook comment: Messenger's Private Replies,
  // one per comment, within 7 days of it; customer_last_at is its time).
  OptString private_reply_to;
};

struct Posted {
  std::string id;
  OptString url;
};

class Channel {
 public:
  virtual ~Channel() = default;
  virtual std::string name() const = 0;  // "mastodon"
  // Verifies the credentials; the platform's own name for our account.
  virtual Result<Identity> whoami() = 0;
  virtual Result<Limits> limits() = 0;
  // The streams fetch walks, each with a cursor of its own.
  virtual std::vector<std::string> streams() const = 0;
  // Fetches new items of one stream, handing pages to on_page in an order
  // that keeps every committed cursor covered by committed cases.
  virtual Status fetch(const FetchRequest& req, const std::function<Status(FetchPage&&)>& on_page) = 0;
  // Whether cursor a is past cursor b (so a cursor never moves back when
  // two runs overlap).
  virtual bool cursor_after(const std::string& a, const std::string& b) const = 0;
  virtual Result<Posted> post(const PostRequest& req) = 0;
};

// Platform ids that are decimal numbers of any length, compared as numbers.
inline bool numeric_id_less(const std::string& a, const std::string& b) {
  return a.size() != b.size() ? a.size() < b.size() : a < b;
}

}  // namespace socq
