#include "lib/handoff/channel_for.h"

#include "lib/clock.h"
#include "lib/fetch.h"
#include "lib/http_curl.h"
#include "lib/http_policy.h"

namespace socq::handoff {
namespace {

// libcurl under the same retry and rate-limit policy as fetch and reply:
// a 429 or a reset during a DM handoff is waited out, not left to --resume.
class RetryingCurl final : public HttpClient {
 public:
  explicit RetryingCurl(std::function<void(const std::string&)> log)
      : transport_(make_curl_client(CurlOptions{10000, log})),
        policy_(*transport_, clock_, sleeper_, RetryPolicy{}, std::move(log)) {}
  Result<HttpResponse> send(const HttpRequest& req) override { return policy_.send(req); }

 private:
  std::unique_ptr<HttpClient> transport_;
  SystemClock clock_;
  ThreadSleeper sleeper_;
  PolicyClient policy_;
};

}  // namespace

Result<AccountConfig> account_for(const Config& cfg, const Case& c) {
  const AccountConfig* only = nullptr;
  size_t of_channel = 0;
  for (const auto& a : cfg.accounts()) {
    if (a.channel != c.channel) continue;
    if (a.handle == c.account) return a;
    ++of_channel;
    if (a.handle.empty()) only = &a;
  }
  if (only && of_channel == 1) return *only;
  return Error{Exit::config, "no account in the config for " + c.channel + " " + c.account +
                                 " (case " + c.id + "): add [accounts.NAME] with channel and handle"};
}

Result<ChannelHandle> open_channel(const Config& cfg, const Case& c, const std::string& store_path,
                                   std::function<void(const std::string&)> log, EnvFn env) {
  auto a = account_for(cfg, c);
  if (!a) return a.error();
  auto token = read_token(*a, env);
  if (!token) return token.error();
  ChannelHandle h;
  h.http = std::make_unique<RetryingCurl>(log);
  // The store path lets Bluesky reuse its cached session instead of a new
  // createSession (a tightly rate-limited call) per handoff.
  auto ch = make_channel(*a, *h.http, *token, 30000, log, store_path);
  if (!ch) return ch.error();
  h.channel = std::move(*ch);
  return h;
}

}  // namespace socq::handoff
