// socq reply as a library: a reply to a case's customer, checked, approved
// where the config says so, and posted exactly once through the outbox
// (lib/outbox.h).
//
// The flow of one reply: finish any reply to the case an earlier run left
// in flight (its process died); read the case (the rev the agent saw: --rev,
// else the rev read now); plan the post (public: threaded under the
// customer's latest inbound message; private: a direct message, on Mastodon
// visibility=direct with the customer @mentioned first); run the checks;
// then either store a draft needing approval, or record the outbox row
// (committed only if the case is still at the seen rev and no other reply
// is in flight: else exit 3 saying what changed) and send it with the row's
// key as Idempotency-Key. Once posted, the case gets the outbound message
// (posted_id, who wrote and approved it), status pending_customer, the
// first response time if first, an owner if it had none, and an event, in
// the same transaction as the row's mark.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "lib/channels/channel.h"
#include "lib/config.h"
#include "lib/http_policy.h"
#include "lib/outbox.h"
#include "lib/reply/approval.h"
#include "lib/reply/checks.h"
#include "lib/reply/templates.h"
#include "lib/store.h"

namespace socq::reply {

// Everything a reply run reads from the config, read once.
struct ReplySetup {
  ReplyPolicy policy;
  std::map<std::string, Template> templates;
  std::vector<ApprovalRule> approval;
};
Result<ReplySetup> load_setup(const MapConfig& cfg);

// Gives the channel that posts for a case's account (opened once each).
class Poster {
 public:
  virtual ~Poster() = default;
  virtual Result<Channel*> channel_for(const std::string& channel, const std::string& account) = 0;
};

struct PosterSettings {
  RetryPolicy policy;
  int connect_timeout_ms = 10000;
  int timeout_ms = 30000;
  std::function<void(const std::string&)> log;  // -v lines, secrets masked
  std::string store_path;  // where Bluesky keeps its session beside the store
};
// The configured account whose handle is the case's account (an account
// with no handle configured is asked whoami), over libcurl with retries.
std::unique_ptr<Poster> make_config_poster(const Config& cfg, PosterSettings settings, EnvFn env = process_env);

struct ReplyOptions {
  std::string text;                   // or:
  std::string template_name;          // a [reply.templates] name, filled from the case
  bool is_private = false;
  std::optional<int64_t> seen_rev;    // the rev the agent saw (--rev); none: the rev read now
  bool force = false;                 // post even if the case changed
  bool dry_run = false;
  std::set<std::string> overrides;    // the checks' override flags given
  std::string user;                   // who writes
  std::string now;
};

struct ReplyOutcome {
  enum class What { posted, draft, dry_run, refused } what = What::posted;
  std::string case_id;
  int64_t number = 0;
  std::string text;  // as posted, or as it would be
  bool is_public = true;
  OptString visibility;  // a public reply's narrower audience (Message::visibility)
  OptString in_reply_to;
  std::vector<CheckVerdict> verdicts;
  std::optional<Posted> posted;
  std::string key;  // the outbox row (a draft's id)
  std::optional<ApprovalNeed> approval;  // needed (draft), or met
  OptString author, approved_by;
  std::vector<std::string> finished;  // earlier in-flight replies to the case finished first
};

class Replier {
 public:
  Replier(Store& store, Poster& poster, const ReplySetup& setup) : store_(store), poster_(poster), setup_(setup) {}
  // One reply. Checks that fail give What::refused (exit 65 for a caller)
  // with the verdicts; a changed case is Exit::conflict saying what changed.
  Result<ReplyOutcome> reply(const std::string& case_ref, const ReplyOptions& o);
  // Posts a draft: `ref` is its key or its case (id or number, one draft).
  // Exit::no_perm unless `user` is one of its approvers.
  Result<ReplyOutcome> approve(const std::string& ref, const std::string& user, const std::string& now, bool force);
  // Drafts awaiting approval, oldest first.
  Result<std::vector<OutboxRow>> drafts();
  // Finishes replies earlier runs left in flight (their process is gone):
  // sends each again with its key and records it. `only_case`: just that case.
  Result<std::vector<ReplyOutcome>> resume(const std::string& now, const OptString& only_case = std::nullopt,
                                           std::vector<OutboxRow>* busy = nullptr);

 private:
  Result<Case> read_case(const std::string& ref);
  Result<ReplyOutcome> post_row(const OutboxRow& row, const std::string& now);
  Result<const RecentIndex*> recent(const std::string& now);
  Store& store_;
  Poster& poster_;
  const ReplySetup& setup_;
  std::unique_ptr<RecentIndex> recent_;
};

// The post a reply to `c` makes: public under the latest inbound message,
// or private. Exit::data if the case has no inbound message.
Result<PostRequest> plan_post(const Case& c, const std::string& text, bool is_private);
// The case once `posted` is out (idempotent: false when it shows it already).
Result<bool> record_reply(Case& c, const PostRequest& req, const Posted& posted, const std::string& author,
                          const OptString& approver, const std::string& now);
// What changed between the case as the agent saw it and now, one line each.
std::vector<std::string> describe_changes(const Case& seen, const Case& now);
// The payload of a reply row, and back.
std::string reply_payload(const Case& c, const PostRequest& req, const std::optional<ApprovalNeed>& need);

}  // namespace socq::reply
