// The one door to HTTP. Channels talk to platforms through an HttpClient;
// the libcurl implementation (timeouts, retries, 429 handling, redacted
// logs) comes with the fetch work, and tests substitute a fake.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "lib/result.h"

namespace socq {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  Headers headers;     // Authorization values are secrets: never logged
  std::string body;
  int timeout_ms = 30000;
};

struct HttpResponse {
  int status = 0;
  Headers headers;  // names lower-cased
  std::string body;

  // The first header named `name` (lower case), or "".
  std::string header(const std::string& name) const {
    for (const auto& [k, v] : headers)
      if (k == name) return v;
    return {};
  }
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // A transport failure (no connection, timeout) is an Error; any HTTP
  // status, 4xx and 5xx included, is a response.
  virtual Result<HttpResponse> send(const HttpRequest& req) = 0;
  // Whether the client can send at all (libcurl is installed): a failure
  // here is not a transport failure, so nothing retries it.
  virtual Status ready() const { return ok_status(); }
};

}  // namespace socq
