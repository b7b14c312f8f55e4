// socq fetch from the platform APIs: every account on a thread of its own
// (its own HTTP connection), the store on the calling thread as the one
// writer. Each page a channel hands over is committed with its cursor in
// one transaction, so a run that stops half-way resumes where it
// committed, and merging by message id never duplicates a message.
//
// Cursors live in the store's cursors table under (channel,
// "<handle>/<stream>"); the instance's post limits under
// (channel, "<handle>/limits") as JSON, for the reply command.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lib/channels/channel.h"
#include "lib/clock.h"
#include "lib/config.h"
#include "lib/http.h"
#include "lib/http_policy.h"
#include "lib/store.h"

namespace socq {

struct FetchSettings {
  int64_t since_ms = 0;  // how far back a first run goes
  RetryPolicy policy;
  int connect_timeout_ms = 10000;
  int timeout_ms = 30000;
  bool check_only = false;  // verify credentials, fetch nothing
  std::string now;          // for merge events (RFC 3339)
  std::string by = "fetch";
  std::string store_path;  // channels keep session files beside it (Bluesky)
};

struct AccountResult {
  std::string name, channel, handle;
  size_t new_messages = 0, new_cases = 0, updated_cases = 0, items = 0, pages = 0;
  HttpStats http;
  std::optional<Error> error;
};

struct FetchHooks {
  // A -v line about one account's requests (secrets already masked).
  std::function<void(const std::string& account, const std::string& line)> log;
  // After each committed page (from the account's thread).
  std::function<void(const AccountResult&)> progress;
  // The HTTP transport for one account (tests may substitute); default libcurl.
  std::function<std::unique_ptr<HttpClient>(const std::string& account)> transport;
  const Clock* clock = nullptr;  // for waits; default the system clock
  Sleeper* sleeper = nullptr;    // default really sleeps
};

// The channel an account names, over `http`; Exit::unavailable for
// platforms not built yet. `token` is the account's secret (Bluesky: the
// app password); `store_path` places a channel's session cache beside the
// store ("": none kept).
Result<std::unique_ptr<Channel>> make_channel(const AccountConfig& a, HttpClient& http, const std::string& token,
                                              int timeout_ms, std::function<void(const std::string&)> note,
                                              const std::string& store_path = "");

// Fetches (or checks) the accounts concurrently; store may be null when
// check_only. One result per account, in the order given.
std::vector<AccountResult> fetch_accounts(Store* store, const std::vector<AccountConfig>& accounts,
                                          const FetchSettings& settings, const FetchHooks& hooks,
                                          EnvFn env = process_env);

// The accounts named (all configured ones when none is): an unknown name
// is a usage error with the nearest configured name suggested.
Result<std::vector<AccountConfig>> select_accounts(const std::vector<AccountConfig>& configured,
                                                   const std::vector<std::string>& names);

// "2026-11-20", RFC 3339, or a duration back from now ("7d", "36h") -> epoch ms.
Result<int64_t> parse_since(const std::string& s, int64_t now_ms);

}  // namespace socq
