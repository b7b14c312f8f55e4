// A Bluesky PDS (with the AppView and chat answers it proxies) for tests,
// answering from fixture files; see tests/fakes/README.md ("Bluesky").
//
//   socq::fake::BlueskyFake fake({.fixtures = socq::fake::default_bluesky_fixtures()});
//   std::string err;
//   if (!fake.load(&err) || !fake.start(0, &err)) FAIL(err);
//   ... createSession with northrail.bsky.social / app-pass-word-1234 ...
#pragma once
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/fakes/harness.h"

namespace socq::fake {

struct BlueskyOptions {
  std::string fixtures{};       // directory with account.json, profiles.json, ...
  int session_limit = 30;       // createSession calls per window (every call counts)
  int session_window_s = 300;
  int access_ttl_s = 7200;      // access JWT lifetime (2 hours, as the PDS)
};

// tests/fakes/fixtures/bluesky in the source tree this was built from.
std::string default_bluesky_fixtures();

class BlueskyFake : public FakeServer {
 public:
  explicit BlueskyFake(BlueskyOptions options);
  ~BlueskyFake() override;
  bool load(std::string* error);

 protected:
  void handle_api(const httplib::Request& req, httplib::Response& res) override;
  bool handle_control(const httplib::Request& req, httplib::Response& res) override;
  void render_fault(const Fault& f, const httplib::Request& req, httplib::Response& res) override;
  bool platform_fault_kind(const std::string& kind) const override;

 private:
  struct Token {
    std::string did;
    bool refresh = false;
    int64_t exp = 0;  // epoch seconds
    bool revoked = false;
  };
  // Each returns false after answering an auth error.
  bool authorized(const httplib::Request& req, bool refresh, std::string* did);
  json issue_session_locked(const std::string& did);
  std::string make_jwt_locked(const std::string& did, bool refresh, int64_t exp);

  void create_session(const httplib::Request& req, httplib::Response& res);
  void refresh_session(const httplib::Request& req, httplib::Response& res);
  void list_notifications(const httplib::Request& req, httplib::Response& res);
  void get_profiles(const httplib::Request& req, httplib::Response& res);
  void get_posts(const httplib::Request& req, httplib::Response& res);
  void get_post_thread(const httplib::Request& req, httplib::Response& res);
  void resolve_handle(const httplib::Request& req, httplib::Response& res);
  void create_record(const httplib::Request& req, httplib::Response& res, const std::string& did);
  void get_record(const httplib::Request& req, httplib::Response& res);
  void chat(const httplib::Request& req, httplib::Response& res, const std::string& did);
  json thread_of_locked(const std::string& uri, int depth) const;

  BlueskyOptions options_;
  json account_;                          // our account (did, handle, password, ...)
  std::map<std::string, json> profiles_;  // did -> profileViewDetailed
  std::vector<json> notifications_;       // newest indexedAt first
  std::map<std::string, json> posts_;     // uri -> postView
  std::vector<json> convos_;              // with "messages" (oldest first) inside
  std::map<std::string, Token> tokens_;
  int token_seq_ = 0;
  // createSession's own window: every call counts, the reset is fixed.
  int session_used_ = 0;
  int64_t session_reset_ = 0;  // epoch seconds
  std::map<std::string, int> calls_;  // createSession, refreshSession, ...
};

}  // namespace socq::fake
