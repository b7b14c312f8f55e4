#include "lib/http_curl.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <mutex>

#include <fmt/format.h>

#include "lib/curl_dl.h"
#include "lib/http_log.h"

namespace socq {
namespace {

void global_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t on_body(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* headers = static_cast<Headers*>(user);
  std::string line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) headers->clear();  // a new response (after 100 Continue or a redirect)
  const auto colon = line.find(':');
  if (colon == std::string::npos) return size * n;
  std::string name = line.substr(0, colon), value = line.substr(colon + 1);
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const auto b = value.find_first_not_of(" \t"), e = value.find_last_not_of(" \t\r\n");
  value = b == std::string::npos ? "" : value.substr(b, e - b + 1);
  headers->emplace_back(std::move(name), std::move(value));
  return size * n;
}

// The secret parts of a request's headers, to mask in anything said.
std::vector<std::string> secrets_of(const HttpRequest& req) {
  std::vector<std::string> out;
  for (const auto& [k, v] : req.headers) {
    std::string n = k;
    std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (n != "authorization" && n != "cookie" && n.find("token") == std::string::npos && n.find("key") == std::string::npos)
      continue;
    out.push_back(v);
    if (auto sp = v.find(' '); sp != std::string::npos && sp + 1 < v.size()) out.push_back(v.substr(sp + 1));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
  return out;
}

class CurlClient final : public HttpClient {
 public:
  explicit CurlClient(CurlOptions o) : options_(std::move(o)), loaded_(load_libcurl()) {
    if (!loaded_) return;  // said by send(): a client is made before it is known to be needed
    global_init_once();
    easy_ = curl_easy_init();
  }
  ~CurlClient() override {
    if (easy_) curl_easy_cleanup(easy_);
  }
  CurlClient(const CurlClient&) = delete;
  CurlClient& operator=(const CurlClient&) = delete;

  Status ready() const override { return loaded_; }
  Result<HttpResponse> send(const HttpRequest& req) override {
    if (!loaded_) return loaded_.error();
    if (!easy_) return Error{Exit::internal, "libcurl could not start"};
    const auto secrets = secrets_of(req);
    const std::string shown = mask_secrets(req.method + " " + redact_url(req.url), secrets);
    HttpResponse resp;
    curl_slist* headers = nullptr;
    for (const auto& [k, v] : req.headers) headers = curl_slist_append(headers, (k + ": " + v).c_str());
    if (req.method != "GET" && req.method != "HEAD") headers = curl_slist_append(headers, "Expect:");
    configure(req, resp, headers);
    const auto start = std::chrono::steady_clock::now();
    const CURLcode rc = curl_easy_perform(easy_);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
    curl_slist_free_all(headers);
    if (rc != CURLE_OK) {
      const std::string why = mask_secrets(error_text(rc), secrets);
      say(fmt::format("{} -> {} ({} ms)", shown, why, ms));
      const bool bad_url = rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL;
      return Error{bad_url ? Exit::config : Exit::unavailable, fmt::format("{}: {}", shown, why)};
    }
    long status = 0;
    curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status);
    resp.status = static_cast<int>(status);
    say(fmt::format("{} -> {} ({} ms)", shown, resp.status, ms));
    return resp;
  }

 private:
  void configure(const HttpRequest& req, HttpResponse& resp, curl_slist* headers) {
    curl_easy_reset(easy_);  // options only: the connection cache stays
    errbuf_[0] = 0;
    curl_easy_setopt(easy_, CURLOPT_URL, req.url.c_str());
    curl_easy_setopt(easy_, CURLOPT_ERRORBUFFER, errbuf_);
    curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy_, CURLOPT_USERAGENT, user_agent().c_str());
    curl_easy_setopt(easy_, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout_ms));
    curl_easy_setopt(easy_, CURLOPT_TIMEOUT_MS, static_cast<long>(req.timeout_ms));
    curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(easy_, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(easy_, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(easy_, CURLOPT_WRITEDATA, &resp.body);
    curl_easy_setopt(easy_, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(easy_, CURLOPT_HEADERDATA, &resp.headers);
    if (req.method == "POST") {
      curl_easy_setopt(easy_, CURLOPT_POST, 1L);
      curl_easy_setopt(easy_, CURLOPT_POSTFIELDS, req.body.c_str());
      curl_easy_setopt(easy_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
    } else if (req.method != "GET") {
      curl_easy_setopt(easy_, CURLOPT_CUSTOMREQUEST, req.method.c_str());
      if (!req.body.empty()) {
        curl_easy_setopt(easy_, CURLOPT_POSTFIELDS, req.body.c_str());
        curl_easy_setopt(easy_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
      }
    }
  }

  std::string error_text(CURLcode rc) const {
    if (rc == CURLE_OPERATION_TIMEDOUT) return "timed out (" + std::string(errbuf_[0] ? errbuf_ : curl_easy_strerror(rc)) + ")";
    return errbuf_[0] ? std::string(errbuf_) : std::string(curl_easy_strerror(rc));
  }

  void say(const std::string& line) {
    if (options_.log) options_.log(line);
  }

  CurlOptions options_;
  Status loaded_;  // libcurl is loaded on first use (curl_dl.h)
  CURL* easy_ = nullptr;
  char errbuf_[CURL_ERROR_SIZE] = {};
};

}  // namespace

std::string user_agent() { return std::string("socq/") + SOCQ_VERSION; }

std::unique_ptr<HttpClient> make_curl_client(CurlOptions options) { return std::make_unique<CurlClient>(std::move(options)); }

}  // namespace socq
