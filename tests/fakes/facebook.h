// A Facebook Graph API (Pages) server for tests, answering from fixture
// files (see tests/fakes/README.md, "Facebook Graph API served").
//
//   socq::fake::FacebookFake fake({.fixtures = socq::fake::default_facebook_fixtures()});
//   ... requests to fake.base_url() + "/v19.0/..." with access_token=fake-page-token-northrail ...
#pragma once
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/fakes/harness.h"

namespace socq::fake {

struct FacebookOptions {
  std::string fixtures{};             // directory with page.json, feed.json, conversations.json, tokens
  std::vector<std::string> tokens{};  // accepted besides those in FIXTURES/tokens
  int rate_limit = 300;               // calls per window; X-Business-Use-Case-Usage reports the share used
};

std::string default_facebook_fixtures();

class FacebookFake : public FakeServer {
 public:
  explicit FacebookFake(FacebookOptions options);
  ~FacebookFake() override;
  bool load(std::string* error);

 protected:
  void handle_api(const httplib::Request& req, httplib::Response& res) override;
  bool handle_control(const httplib::Request& req, httplib::Response& res) override;
  void render_fault(const Fault& f, const httplib::Request& req, httplib::Response& res) override;
  bool platform_fault_kind(const std::string& kind) const override;

 private:
  void route(const httplib::Request& req, httplib::Response& res, const std::string& path,
             const std::map<std::string, std::string>& params);
  void list_conversations(httplib::Response& res, const std::string& path, const std::map<std::string, std::string>& params);
  void list_messages(httplib::Response& res, const std::string& path, const std::string& conversation,
                     const std::map<std::string, std::string>& params);
  void list_feed(httplib::Response& res, const std::string& path, const std::map<std::string, std::string>& params);
  void list_comments(httplib::Response& res, const std::string& path, const std::string& object,
                     const std::map<std::string, std::string>& params);
  void post_comment(httplib::Response& res, const std::string& parent, const std::map<std::string, std::string>& params);
  void get_comment(httplib::Response& res, const std::string& id, const std::map<std::string, std::string>& params);
  void post_message(httplib::Response& res, const std::map<std::string, std::string>& params);
  void private_reply_locked(httplib::Response& res, const std::string& comment_id, const json& message);
  void usage_header(httplib::Response& res, int percent, int minutes);
  json page_of_locked(const std::vector<json>& items, const std::string& path, std::map<std::string, std::string> params) const;

  FacebookOptions options_;
  std::set<std::string> tokens_;
  json page_;
  std::vector<json> posts_;          // newest created first; each with "comments" (oldest first)
  std::vector<json> conversations_;  // each with "messages" (oldest first)
  std::string version_prefix_ = "/v19.0";
  std::set<std::string> privately_replied_;  // comment ids: Private Replies sends one message per comment
};

}  // namespace socq::fake
