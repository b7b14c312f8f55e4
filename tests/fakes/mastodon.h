// A Mastodon server for tests, answering from fixture files (see
// tests/fakes/README.md for the endpoints, fixtures and control API).
//
//   socq::fake::MastodonFake fake({.fixtures = socq::fake::default_mastodon_fixtures()});
//   std::string err;
//   if (!fake.load(&err) || !fake.start(0, &err)) FAIL(err);
//   ... requests to fake.base_url() with "Authorization: Bearer fake-token-northrail" ...
#pragma once
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "tests/fakes/harness.h"

namespace socq::fake {

struct MastodonOptions {
  std::string fixtures{};           // directory with account.json, instance.json, ...
  std::vector<std::string> tokens{};  // accepted besides those in FIXTURES/tokens
  int rate_limit = 300;             // requests per 5-minute window
};

// tests/fakes/fixtures/mastodon in the source tree this was built from.
std::string default_mastodon_fixtures();

class MastodonFake : public FakeServer {
 public:
  explicit MastodonFake(MastodonOptions options);
  ~MastodonFake() override;
  // Reads the fixtures; false with *error naming the file and problem.
  bool load(std::string* error);

 protected:
  void handle_api(const httplib::Request& req, httplib::Response& res) override;
  bool handle_control(const httplib::Request& req, httplib::Response& res) override;
  void render_fault(const Fault& f, const httplib::Request& req, httplib::Response& res) override;

 private:
  bool authorized(const httplib::Request& req, bool required, std::string* token);
  void route(const httplib::Request& req, httplib::Response& res, const std::string& token);
  void list_notifications(const httplib::Request& req, httplib::Response& res);
  void list_conversations(const httplib::Request& req, httplib::Response& res);
  void show_status(const std::string& id, httplib::Response& res);
  void show_context(const std::string& id, httplib::Response& res);
  void show_account(const std::string& id, httplib::Response& res);
  void show_notification(const std::string& id, httplib::Response& res);
  void post_status(const httplib::Request& req, httplib::Response& res, const std::string& token);
  void rate_headers(const RateWindow& w, httplib::Response& res);
  // Data (callers hold data_mutex_).
  void add_notification_locked(json n);
  void add_conversation_locked(json c);
  void add_status_locked(const json& s);
  void remember_account_locked(const json& account);
  void sort_locked();
  std::string newest_status_id_locked() const;

  MastodonOptions options_;
  std::set<std::string> tokens_;
  json account_;
  json instance_;
  std::vector<json> notifications_;   // newest id first
  std::vector<json> conversations_;   // newest last_status id first
  std::map<std::string, json> statuses_;
  std::map<std::string, json> accounts_;
  std::map<std::pair<std::string, std::string>, std::string> idempotent_;  // (token, key) -> status id
};

}  // namespace socq::fake
