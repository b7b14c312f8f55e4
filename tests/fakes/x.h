// An X API v2 server for tests, answering from fixture files (see
// tests/fakes/README.md, "X API served", for the endpoints and faults).
//
//   socq::fake::XFake fake({.fixtures = socq::fake::default_x_fixtures()});
//   std::string err;
//   if (!fake.load(&err) || !fake.start(0, &err)) FAIL(err);
//   ... requests to fake.base_url() with "Authorization: Bearer fake-token-x-northrail" ...
#pragma once
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/fakes/harness.h"

namespace socq::fake {

struct XOptions {
  std::string fixtures{};             // directory with me.json, users.json, mentions.json, ...
  std::vector<std::string> tokens{};  // accepted besides those in FIXTURES/tokens
  int rate_limit = 300;               // requests per window (15 minutes, as X's)
};

// tests/fakes/fixtures/x in the source tree this was built from.
std::string default_x_fixtures();
// X's weighted length: code points in the light ranges weigh 1, others 2,
// each http(s) URL 23 (after NFC, which the fixtures need not).
size_t x_weighted_length(const std::string& text);

class XFake : public FakeServer {
 public:
  explicit XFake(XOptions options);
  ~XFake() override;
  bool load(std::string* error);

 protected:
  void handle_api(const httplib::Request& req, httplib::Response& res) override;
  bool handle_control(const httplib::Request& req, httplib::Response& res) override;
  void render_fault(const Fault& f, const httplib::Request& req, httplib::Response& res) override;
  bool platform_fault_kind(const std::string& kind) const override;

 private:
  bool authorized(const httplib::Request& req);
  void route(const httplib::Request& req, httplib::Response& res);
  void list_tweets(const httplib::Request& req, httplib::Response& res, bool mentions);
  void list_dm_events(const httplib::Request& req, httplib::Response& res, const std::string& with);
  void post_tweet(const httplib::Request& req, httplib::Response& res);
  void post_dm(const httplib::Request& req, httplib::Response& res, const std::string& participant);
  void rate_headers(const RateWindow& w, httplib::Response& res);
  json user_view_locked(const std::string& id, const std::set<std::string>& fields) const;
  std::string next_id_locked() const;

  XOptions options_;
  std::set<std::string> tokens_;
  json me_;
  std::map<std::string, json> users_;   // by id
  std::map<std::string, json> tweets_;  // by id (every author)
  std::vector<json> dm_events_;
};

}  // namespace socq::fake
