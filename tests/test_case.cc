#include <doctest/doctest.h>

#include "lib/case.h"

using namespace socq;

TEST_CASE("status names round-trip and unknown names are refused") {
  for (auto s : {CaseStatus::new_, CaseStatus::open, CaseStatus::pending_customer, CaseStatus::handed_off,
                 CaseStatus::resolved, CaseStatus::closed})
    CHECK(parse_status(to_string(s)) == s);
  CHECK_FALSE(parse_status("done"));
  CHECK(to_string(CaseStatus::new_) == "new");
}

TEST_CASE("the status table allows DESIGN.md's moves and no others") {
  CHECK(status_move_allowed(CaseStatus::new_, CaseStatus::open));
  CHECK(status_move_allowed(CaseStatus::open, CaseStatus::pending_customer));
  CHECK(status_move_allowed(CaseStatus::pending_customer, CaseStatus::open));
  CHECK(status_move_allowed(CaseStatus::handed_off, CaseStatus::open));
  CHECK(status_move_allowed(CaseStatus::resolved, CaseStatus::open));
  CHECK(status_move_allowed(CaseStatus::resolved, CaseStatus::closed));
  CHECK_FALSE(status_move_allowed(CaseStatus::closed, CaseStatus::open));
  CHECK_FALSE(status_move_allowed(CaseStatus::new_, CaseStatus::closed));
  CHECK_FALSE(status_move_allowed(CaseStatus::open, CaseStatus::new_));
  CHECK_FALSE(status_move_allowed(CaseStatus::open, CaseStatus::open));
}

TEST_CASE("move_status records an event, needs a reason to resolve, refuses bad moves") {
  Case c;
  c.id = "x:brand:1";
  c.status = CaseStatus::open;
  c.source = "{...}";
  auto no_reason = move_status(c, CaseStatus::resolved, "2026-11-20T08:00:00Z", "sam", "");
  REQUIRE_FALSE(no_reason.ok());
  CHECK(no_reason.error().message.find("reason") != std::string::npos);
  CHECK(c.status == CaseStatus::open);
  REQUIRE(move_status(c, CaseStatus::resolved, "2026-11-20T08:00:00Z", "sam", "fixed", "answered").ok());
  CHECK(c.status == CaseStatus::resolved);
  REQUIRE(c.resolution);
  CHECK(c.resolution->reason == "answered");
  CHECK(c.source.empty());
  REQUIRE(c.events.size() == 1);
  CHECK(c.events[0].what == "status open -> resolved: fixed");
  CHECK(c.events[0].by == "sam");
  auto bad = move_status(c, CaseStatus::new_, "2026-11-20T08:01:00Z", "sam", "");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == Exit::data);
  CHECK(bad.error().message.find("cannot move from resolved to new") != std::string::npos);
  REQUIRE(move_status(c, CaseStatus::open, "2026-11-20T09:00:00Z", "sam", "").ok());
  CHECK_FALSE(c.resolution);
}

TEST_CASE("thread key, last message time and next due") {
  Case c;
  c.channel = "bluesky";
  c.account = "brand.bsky.social";
  c.id = "bluesky:brand.bsky.social:at://did:plc:abc/app.bsky.feed.post/3k";
  CHECK(thread_key(c) == "at://did:plc:abc/app.bsky.feed.post/3k");
  c.messages.push_back(Message{"1", Dir::in, "2026-11-20T07:00:00Z", "a", "t", true, {}, {}, false, false, {}, {}, {}});
  c.messages.push_back(Message{"2", Dir::in, "2026-11-20T09:00:00Z", "a", "t", true, {}, {}, false, false, {}, {}, {}});
  CHECK(last_message_at(c) == "2026-11-20T09:00:00Z");
  c.status = CaseStatus::open;
  c.sla.first_response_due = "2026-11-20T10:00:00Z";
  c.sla.resolution_due = "2026-11-20T08:30:00Z";
  CHECK(next_due(c) == "2026-11-20T08:30:00Z");
  c.status = CaseStatus::resolved;
  CHECK(next_due(c).empty());
}
