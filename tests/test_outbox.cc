// The outbox on both stores: record before send, one exclusive row in
// flight per case, rev-checked recording, marks in one transaction with the
// case, orphans claimed by a later run; send_through_outbox against a
// channel that counts posts and keys.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/case_json.h"
#include "lib/outbox.h"
#include "tests/test_util.h"

using namespace socq;
using namespace socq::test;

namespace {
const std::string kNow = "2026-11-21T10:00:00Z";
const std::string kId = "mastodon:transit@example.social:100";

void seed(Store& s) {
  CaseParser p;
  auto c = p.parse(case_json("100"));
  REQUIRE(c.ok());
  auto batch = s.begin_merge(kNow, "test");
  REQUIRE(batch.ok());
  REQUIRE((*batch)->add(std::move(c).value()).ok());
  REQUIRE((*batch)->commit().ok());
}

std::string reply_payload(const std::string& text) {
  PostRequest req;
  req.text = text;
  req.in_reply_to = "100";
  return nlohmann::json{{"post", post_to_json(req)}}.dump();
}

Case case_now(Store& s) {
  auto c = s.get(kId);
  REQUIRE(c.ok());
  REQUIRE(c->has_value());
  return **c;
}

OutboxRow row_now(Store& s, const std::string& key) {
  auto r = s.outbox_get(key);
  REQUIRE(r.ok());
  REQUIRE(r->has_value());
  return **r;
}

std::vector<OutboxRow> rows(Store& s, OutboxFilter f = {}) {
  std::vector<OutboxRow> out;
  REQUIRE(s.outbox_list(f, [&](OutboxRow&& r) {
    out.push_back(std::move(r));
    return ok_status();
  }).ok());
  return out;
}

// A channel that records what it was asked to post and answers like a
// platform honouring Idempotency-Key (the same key gets the same post).
class CountingChannel final : public Channel {
 public:
  std::vector<PostRequest> requests;
  std::map<std::string, Posted> by_key;
  std::optional<Error> fail_next;
  std::string name() const override { return "mastodon"; }
  Result<Identity> whoami() override { return Identity{"1", "transit@example.social"}; }
  Result<Limits> limits() override { return Limits{500, 23, "graphemes", 0}; }
  std::vector<std::string> streams() const override { return {}; }
  Status fetch(const FetchRequest&, const std::function<Status(FetchPage&&)>&) override { return ok_status(); }
  bool cursor_after(const std::string&, const std::string&) const override { return false; }
  Result<Posted> post(const PostRequest& req) override {
    requests.push_back(req);
    if (fail_next) {
      Error e = *fail_next;
      fail_next.reset();
      return e;
    }
    auto it = by_key.find(req.idempotency_key);
    if (it != by_key.end()) return it->second;
    Posted p{std::to_string(900 + by_key.size()), "https://transit.social/@t/" + std::to_string(900 + by_key.size())};
    by_key[req.idempotency_key] = p;
    return p;
  }
  size_t posts() const { return by_key.size(); }
};

// Adds the outbound message once (idempotent, as RecordPost must be).
RecordPost add_message(const std::string& text) {
  return [text](Case& c, const Posted& p) -> Result<bool> {
    for (const auto& m : c.messages)
      if (m.posted_id == p.id) return false;
    Message m;
    m.id = p.id;
    m.dir = Dir::out;
    m.at = kNow;
    m.author = "@transit@example.social";
    m.text = text;
    m.posted_id = p.id;
    c.messages.push_back(m);
    c.touched();
    return true;
  };
}

void check_outbox_contract(Store& s) {
  seed(s);
  // Record before send: a pending row, claimed by this process.
  OutboxRow row = pending_row(kId, "reply", reply_payload("On it"), kNow, OptString{"sam"});
  row.exclusive = true;
  CHECK(row.key.rfind("socq-", 0) == 0);
  CHECK(row.key.size() == 37);
  REQUIRE(s.outbox_add(row, int64_t{1}).ok());
  auto got = s.outbox_get(row.key);
  REQUIRE(got.ok());
  REQUIRE(got->has_value());
  CHECK((*got)->state == "pending");
  CHECK((*got)->author == OptString{"sam"});
  CHECK((*got)->claimed_by == OptString{this_process()});
  CHECK((*got)->exclusive);

  // A second exclusive pending reply to the case is a conflict naming the first.
  OutboxRow second = pending_row(kId, "reply", reply_payload("Me too"), kNow, OptString{"kim"});
  second.exclusive = true;
  auto busy = s.outbox_add(second, std::nullopt);
  REQUIRE_FALSE(busy.ok());
  CHECK(busy.error().code == Exit::conflict);
  CHECK(busy.error().message.find("already being sent (written by sam)") != std::string::npos);
  // A non-exclusive row (a webhook, say) may go beside it.
  OutboxRow hook = pending_row(kId, "webhook", R"({"url":"http://127.0.0.1:1/x"})", kNow, OptString{"kim"});
  CHECK(s.outbox_add(hook, std::nullopt).ok());
  // Recording against a rev the case no longer has is a conflict.
  OutboxRow stale = pending_row(kId, "dm", reply_payload("x"), kNow, OptString{"kim"});
  auto old = s.outbox_add(stale, int64_t{7});
  REQUIRE_FALSE(old.ok());
  CHECK(old.error().code == Exit::conflict);
  CHECK(old.error().message.find("changed since it was read") != std::string::npos);
  CHECK_FALSE(s.outbox_get(stale.key)->has_value());
  // A row for no case is bad data.
  OutboxRow nowhere = pending_row("mastodon:x:nope", "reply", reply_payload("x"), kNow, {});
  auto missing = s.outbox_add(nowhere, std::nullopt);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == Exit::data);

  // Sending marks the row and adds the message in one go; rev + 1.
  CountingChannel ch;
  auto sent = send_through_outbox(s, ch, row, kNow, add_message("On it"));
  REQUIRE(sent.ok());
  CHECK_FALSE(sent->already_done);
  REQUIRE(ch.requests.size() == 1);
  CHECK(ch.requests[0].idempotency_key == row.key);
  CHECK(ch.requests[0].in_reply_to == OptString{"100"});
  auto done = s.outbox_get(row.key);
  CHECK((*done)->state == "sent");
  CHECK((*done)->sent_at == OptString{kNow});
  CHECK((*done)->result->find(R"("id":"900")") != std::string::npos);
  auto c = s.get(kId);
  CHECK((*c)->rev == 2);
  REQUIRE((*c)->messages.size() == 2);
  CHECK((*c)->messages[1].posted_id == OptString{"900"});
  // Sending the same row again (a run that thought it was still in flight):
  // same key, same post, no second message.
  auto again = send_through_outbox(s, ch, row, kNow, add_message("On it"));
  REQUIRE(again.ok());
  CHECK(again->already_done);
  CHECK(ch.posts() == 1);
  CHECK(case_now(s).messages.size() == 2);

  // Now the lane is free again.
  second.key = new_idempotency_key();
  REQUIRE(s.outbox_add(second, std::nullopt).ok());
  // A transport failure leaves it pending and unclaimed, for a later run.
  ch.fail_next = Error{Exit::unavailable, "POST /api/v1/statuses: HTTP 500: oops; gave up after 5 attempts"};
  auto failed = send_through_outbox(s, ch, second, kNow, add_message("Me too"));
  REQUIRE_FALSE(failed.ok());
  auto left = s.outbox_get(second.key);
  CHECK((*left)->state == "pending");
  CHECK_FALSE((*left)->claimed_by.has_value());
  // claim_orphans picks it up (nobody claims it) and a send finishes it with the same key.
  auto orphans = claim_orphans(s, OutboxFilter{OptString{kId}, {}, {}, {}}, kNow);
  REQUIRE(orphans.ok());
  REQUIRE(orphans->size() == 1);
  CHECK((*orphans)[0].key == second.key);
  auto finished = send_through_outbox(s, ch, (*orphans)[0], kNow, add_message("Me too"));
  REQUIRE(finished.ok());
  CHECK(ch.requests.back().idempotency_key == second.key);
  CHECK(row_now(s, second.key).state == "sent");
  CHECK(case_now(s).messages.size() == 3);

  // A refusal for good (422) marks the row failed.
  OutboxRow third = pending_row(kId, "reply", reply_payload(std::string(600, 'a')), kNow, OptString{"sam"});
  third.exclusive = true;
  REQUIRE(s.outbox_add(third, std::nullopt).ok());
  ch.fail_next = Error{Exit::data, "POST /api/v1/statuses: HTTP 422: Validation failed"};
  REQUIRE_FALSE(send_through_outbox(s, ch, third, kNow, add_message("x")).ok());
  CHECK(row_now(s, third.key).state == "failed");
  // So does a channel's refusal before sending (a messaging window closed).
  OutboxRow late = pending_row(kId, "reply", reply_payload("late"), kNow, OptString{"sam"});
  late.exclusive = true;
  REQUIRE(s.outbox_add(late, std::nullopt).ok());
  ch.fail_next = Error{Exit::data, std::string("Facebook: more than 7 days ago; answer publicly ") + kNothingSent};
  REQUIRE_FALSE(send_through_outbox(s, ch, late, kNow, add_message("x")).ok());
  CHECK(row_now(s, late.key).state == "failed");

  // Drafts: recorded, never sent; approving moves draft -> pending once.
  OutboxRow draft = pending_row(kId, "reply", reply_payload("Draft"), kNow, OptString{"sam"});
  draft.state = "draft";
  draft.claimed_by.reset();
  draft.exclusive = true;
  REQUIRE(s.outbox_add(draft, std::nullopt).ok());
  CHECK(rows(s, OutboxFilter{{}, OptString{"reply"}, OptString{"draft"}, {}}).size() == 1);
  OutboxRow approved = draft;
  approved.state = "pending";
  approved.approver = "carla";
  approved.claimed_by = this_process();
  auto first = s.outbox_update(approved, OutboxExpect{"draft", false, {}}, nullptr);
  REQUIRE(first.ok());
  CHECK(*first == OutboxUpdated::done);
  auto twice = s.outbox_update(approved, OutboxExpect{"draft", false, {}}, nullptr);
  REQUIRE(twice.ok());
  CHECK(*twice == OutboxUpdated::row_moved);
  // A case update with a stale rev is refused with the row unchanged.
  Case stale_case = case_now(s);
  stale_case.rev -= 1;
  OutboxRow sent_row = approved;
  sent_row.state = "sent";
  auto refused = s.outbox_update(sent_row, OutboxExpect{"pending", false, {}}, &stale_case);
  REQUIRE(refused.ok());
  CHECK(*refused == OutboxUpdated::case_changed);
  CHECK(row_now(s, draft.key).state == "pending");
  // Listing: oldest first, filtered.
  auto all = rows(s, OutboxFilter{OptString{kId}, {}, {}, {}});
  CHECK(all.size() == 6);  // every row added above, the one refused before sending among them
  CHECK(all.front().key == row.key);
  CHECK(rows(s, OutboxFilter{{}, OptString{"webhook"}, {}, {}}).size() == 1);
  CHECK(rows(s, OutboxFilter{{}, {}, {}, OptString{"2026-11-22T00:00:00Z"}}).empty());
}

}  // namespace

TEST_CASE("outbox: memory store contract") {
  auto s = make_memory_store();
  check_outbox_contract(*s);
}

TEST_CASE("outbox: sqlite store contract") {
  TempDir dir;
  auto s = open_sqlite_store(dir.file("s.db"));
  REQUIRE(s.ok());
  check_outbox_contract(**s);
}

TEST_CASE("outbox: claims of dead processes are orphans, live ones are busy") {
  CHECK(claim_alive(this_process()));
  CHECK_FALSE(claim_alive("garbage"));
  CHECK(claim_alive("another-host.example:1"));  // cannot tell: assume alive
  const pid_t child = fork();
  if (child == 0) _exit(0);
  REQUIRE(child > 0);
  std::string host = this_process();
  host = host.substr(0, host.rfind(':'));
  const std::string claim = host + ":" + std::to_string(child);
  // Exited but not reaped: a zombie, which kill(pid, 0) still finds.
  for (int i = 0; i < 1000 && claim_alive(claim); ++i) usleep(1000);
  CHECK_FALSE(claim_alive(claim));
  int status = 0;
  waitpid(child, &status, 0);
  CHECK_FALSE(claim_alive(claim));

  auto s = make_memory_store();
  seed(*s);
  OutboxRow live = pending_row(kId, "dm", "{}", kNow, {});
  OutboxRow dead = pending_row(kId, "email", "{}", kNow, {});
  dead.claimed_by = claim;
  REQUIRE(s->outbox_add(live, std::nullopt).ok());
  REQUIRE(s->outbox_add(dead, std::nullopt).ok());
  std::vector<OutboxRow> busy;
  auto orphans = claim_orphans(*s, {}, kNow, &busy);
  REQUIRE(orphans.ok());
  REQUIRE(orphans->size() == 1);
  CHECK((*orphans)[0].key == dead.key);
  CHECK((*orphans)[0].claimed_by == OptString{this_process()});
  REQUIRE(busy.size() == 1);
  CHECK(busy[0].key == live.key);
}

namespace socq {
// A payload from the store is read with find() only: a post missing its
// text or public flag (or with either of another type) is a data error,
// not a read of freed memory through nlohmann's const operator[].
TEST_CASE("outbox: a channel post's payload without text or public is a data error") {
  OutboxRow row;
  row.key = "socq-k";
  row.case_id = "x:brand:1";
  for (const char* payload : {R"({"post":{"public":true}})", R"({"post":{"text":"hi"}})", R"({"post":{"text":1,"public":true}})",
                              R"({"post":{"text":"hi","public":"yes"}})", R"({"post":"hi"})", R"({})", R"([])", "not json"}) {
    CAPTURE(payload);
    row.payload = payload;
    auto req = post_of_payload(row);
    REQUIRE_FALSE(req.ok());
    CHECK(req.error().code == Exit::data);
    CHECK(req.error().message.find("its payload has no post {text, public}") != std::string::npos);
  }
  row.payload = R"({"post":{"text":"hi","public":false,"in_reply_to":"9","recipient":7}})";
  auto req = post_of_payload(row);
  REQUIRE(req.ok());
  CHECK(req->text == "hi");
  CHECK_FALSE(req->is_public);
  CHECK(req->in_reply_to == std::optional<std::string>("9"));
  CHECK_FALSE(req->recipient);  // not a string: absent
  CHECK(req->idempotency_key == "socq-k");
  // Every field goes through the outbox and back (a resumed post is the post planned).
  PostRequest full;
  full.text = "psst";
  full.is_public = false;
  full.recipient = "7";
  full.customer_last_at = "2026-11-20T09:00:00Z";
  full.private_reply_to = "880077777_1";
  row.payload = nlohmann::json{{"post", post_to_json(full)}}.dump();
  auto back = post_of_payload(row);
  REQUIRE(back.ok());
  CHECK(back->recipient == full.recipient);
  CHECK(back->customer_last_at == full.customer_last_at);
  CHECK(back->private_reply_to == full.private_reply_to);
  CHECK_FALSE(back->in_reply_to);
  CHECK_FALSE(back->visibility);
  // A followers-only reply resumed is followers-only still.
  PostRequest narrow;
  narrow.text = "@ann on it";
  narrow.in_reply_to = "9";
  narrow.visibility = "private";
  row.payload = nlohmann::json{{"post", post_to_json(narrow)}}.dump();
  auto kept = post_of_payload(row);
  REQUIRE(kept.ok());
  CHECK(kept->is_public);
  CHECK(kept->visibility == OptString{"private"});
}
}  // namespace socq
