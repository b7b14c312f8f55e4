// The Mastodon channel's response parsing: the fuzz input is the body a
// server answers every request with (verify_credentials, instance,
// notifications and conversations pages, status context, a posted status),
// through the real channel over an HttpClient double. The first byte picks
// the status code, a Link header (paging, and its loop guard), whether a
// cursor is stored (the rel="prev" walk) and whether verify_credentials is
// fuzzed too (else it names a fixed account, which fetch needs first). Any body gives a value or an
// error, never a crash or a hang, and every case built reads back.
#include <cstdlib>
#include <string>

#include "lib/channels/mastodon.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

class OneBodyHttp final : public socq::HttpClient {
 public:
  OneBodyHttp(int status, bool link, bool fuzz_account, std::string body)
      : status_(status), link_(link), fuzz_account_(fuzz_account), body_(std::move(body)) {}
  socq::Result<socq::HttpResponse> send(const socq::HttpRequest& req) override {
    if (++calls_ > 1000) std::abort();  // a page walk that never ends
    socq::HttpResponse r;
    r.status = status_;
    r.body = body_;
    // Who we are, unless fuzzed too: fetch needs it before it reads a page.
    if (!fuzz_account_ && req.url.find("/accounts/verify_credentials") != std::string::npos) {
      r.status = 200;
      r.body = R"({"id":"1","acct":"brand","url":"http://127.0.0.1:9/@brand"})";
    }
    (void)req;
    if (link_)  // pages that lead back to each other: the channel's loop guard must stop the walk
      r.headers.emplace_back("link", "<http://127.0.0.1:9/api/v1/notifications?max_id=1>; rel=\"next\", "
                                     "<http://127.0.0.1:9/api/v1/notifications?min_id=2>; rel=\"prev\"");
    return r;
  }

 private:
  int status_;
  bool link_, fuzz_account_;
  std::string body_;
  int calls_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t flags = data[0];
  static const int kStatuses[] = {200, 200, 200, 200, 206, 404, 429, 500};
  OneBodyHttp http(kStatuses[flags & 7], flags & 8, flags & 64, std::string(reinterpret_cast<const char*>(data + 1), size - 1));
  socq::MastodonOptions o;
  o.base_url = "http://127.0.0.1:9";
  o.token = "fuzz-token";
  o.handle = flags & 16 ? "" : "brand@example.social";
  auto channel = socq::make_mastodon_channel(http, o);
  (void)channel->whoami();
  (void)channel->limits();
  for (const auto& stream : channel->streams()) {
    socq::FetchRequest req{stream, flags & 32 ? std::optional<std::string>("100") : std::nullopt, 0};
    (void)channel->fetch(req, [](socq::FetchPage&& page) {
      for (const auto& c : page.cases) socq::fuzz::must_read_back(c);
      return socq::ok_status();
    });
  }
  socq::PostRequest post;
  post.text = "Thanks, we are on it";
  post.in_reply_to = "1";
  post.idempotency_key = "k";
  (void)channel->post(post);
  return 0;
}
