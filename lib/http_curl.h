// HttpClient over libcurl: one easy handle per client (so connections are
// reused; use one client per thread), connect and total timeouts, a
// User-Agent naming socq and its version, and one log line per request
// with secrets masked (never CURLOPT_VERBOSE: it prints Authorization).
// Transport failures are Errors with Exit::unavailable (retryable) or
// Exit::config (a bad URL).
#pragma once
#include <functional>
#include <memory>
#include <string>

#include "lib/http.h"

namespace socq {

struct CurlOptions {
  int connect_timeout_ms = 10000;
  // Per-request total timeout comes from HttpRequest::timeout_ms.
  // Called with one line per request: "GET URL -> 200 (12 ms)".
  std::function<void(const std::string&)> log;
};

std::string user_agent();  // "socq/<version>"

std::unique_ptr<HttpClient> make_curl_client(CurlOptions options);

}  // namespace socq
