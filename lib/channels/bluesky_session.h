// A Bluesky session (access and refresh JWTs) cached in a 0600 file beside
// the store, so a run needs no createSession while the tokens last: the
// server allows 30 per 5 minutes per IP. The file holds secrets: it is
// written with mode 0600 (replaced atomically) and never printed.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "lib/result.h"

namespace socq {

struct BlueskySession {
  std::string did, handle, access_jwt, refresh_jwt;
  bool empty() const { return access_jwt.empty(); }
};

// "<store>.bluesky-<account>.session"
std::string bluesky_session_path(const std::string& store_path, const std::string& account);

// The cached session, or an empty one when the file is missing or not a
// session (a broken cache is only a lost cache: log in again).
BlueskySession load_bluesky_session(const std::string& path);
// Writes the session with mode 0600 (temp file + rename).
Status save_bluesky_session(const std::string& path, const BlueskySession& s);
// Deletes the cache (the server refused its tokens).
void forget_bluesky_session(const std::string& path);

// The `exp` claim of a JWT (epoch seconds), if its payload says.
std::optional<int64_t> jwt_expiry_s(const std::string& jwt);

}  // namespace socq
