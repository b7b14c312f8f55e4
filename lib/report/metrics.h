// The report's metrics, accumulated case by case in one streaming pass.
// Per case the cost is O(messages); what grows with the input is only the
// samples kept for exact quantiles (8 bytes per response, resolution or
// backlog age), counts per category, tag and term, and one entry per group.
// Every metric is defined once, in definitions.cc (the man page's NOTES).
#pragma once
#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "lib/case.h"
#include "lib/report/duty.h"
#include "lib/report/local_time.h"
#include "lib/report/quantiles.h"
#include "lib/report/response_clocks.h"
#include "lib/report/terms.h"

namespace socq::report {

enum class GroupBy { none, channel, account, team, owner, category, day, week };
std::optional<GroupBy> parse_group_by(const std::string& s);
const char* to_string(GroupBy g);

// --where FIELD=VALUE: the same field repeated means any of its values;
// different fields must all match. VALUE "-" matches an empty field.
struct Where {
  std::string field, value;
};
Result<Where> parse_where(const std::string& arg);
bool matches_where(const std::vector<Where>& where, const Case& c);

struct ReportConfig {
  GroupBy by = GroupBy::none;
  std::optional<int64_t> since_ms, until_ms;  // on the case's first inbound time
  std::vector<Where> where;
  int64_t now_ms = 0;
  // Rising terms compare [terms_from, terms_to) with the period of equal
  // length before it.
  int64_t terms_from_ms = 0, terms_to_ms = 0;
  size_t explain_top = 0;  // keep this many weightiest cases per metric for --explain
};

// The follower buckets for fairness, "unknown" last.
inline constexpr std::array<const char*, 6> kFollowerBuckets{"0-99",    "100-999", "1k-9.9k",
                                                             "10k-99k", "100k+",   "unknown"};
size_t follower_bucket(std::optional<int64_t> followers);

// One case that weighs on a metric, for --explain.
struct Weighty {
  int64_t value_ms = 0;
  std::string id, owner, start, stop;
  int64_t number = 0;  // the store's short number (#42), 0 from files
};

// The k largest values seen.
class TopK {
 public:
  explicit TopK(size_t k = 0) : k_(k) {}
  bool wants(int64_t v) const { return k_ && (items_.size() < k_ || v > items_.front().value_ms); }
  void add(Weighty w);
  void merge(const TopK& other);
  std::vector<Weighty> sorted() const;  // largest first

 private:
  size_t k_;
  std::vector<Weighty> items_;  // a min-heap on value_ms
};

struct SlaCount {
  int64_t met = 0, breached = 0, running = 0;
};

// Orders (policy, clock) keys as std::pair does, and finds them from
// string views: a case's lookups build no strings.
struct SlaKeyLess {
  using is_transparent = void;
  template <class A, class B>
  bool operator()(const A& a, const B& b) const {
    const int first = compare(a.first, b.first);
    return first != 0 ? first < 0 : compare(a.second, b.second) < 0;
  }
  // As std::string_view::compare, byte by byte: policies and clock names
  // are short and differ early, where memcmp's call cost more.
  static int compare(std::string_view a, std::string_view b) {
    const size_t n = std::min(a.size(), b.size());
    for (size_t i = 0; i < n; ++i)
      if (a[i] != b[i]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[i]) ? -1 : 1;
    return a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : 0;
  }
};

struct ResponseStats {
  Samples calendar, business;
  int64_t unanswered = 0;
};

struct GroupStats {
  int64_t cases = 0, conversations = 0, answered = 0;  // conversations: cases with an inbound message
  int64_t messages_in = 0, messages_out = 0, messages_out_auto = 0;
  ResponseStats first, next;
  Samples resolution;
  int64_t unresolved = 0;
  std::map<std::pair<std::string, std::string>, SlaCount, SlaKeyLess> sla;  // (policy, clock)
  std::map<std::string, int64_t> backlog_by_status;
  Samples backlog_age;
  std::array<std::array<int64_t, 24>, 7> inbound_week{};  // [weekday][hour]
  int64_t inbound_duty_known = 0, inbound_off_duty = 0;
  Samples off_duty_wait;
  std::unordered_map<std::string, int64_t> categories, tags;
  TermCounter terms;
  std::array<ResponseStats, kFollowerBuckets.size()> by_followers;
  int64_t handoffs_made = 0, handoffs_completed = 0, handoffs_stalled = 0;
  // For --explain (the total only).
  TopK slow_first, slow_next, slow_resolution, old_backlog, stalled;

  // Adds what `other` counted (a report run on two threads is two halves).
  void merge(const GroupStats& other);
};

class Report {
 public:
  Report(ReportConfig cfg, LocalTime tz, std::unique_ptr<DutyHours> duty);
  // Adds one case (filters applied here). Returns whether it was counted.
  bool add(const Case& c);
  const ReportConfig& config() const { return cfg_; }
  const LocalTime& tz() const { return tz_; }
  bool calendars() const { return calendars_; }
  GroupStats& total() { return total_; }
  std::map<std::string, GroupStats>& groups() { return groups_; }
  int64_t cases_seen() const { return seen_; }
  // Adds another report's cases (the same config) to this one: each figure
  // is the same as if one report had seen them all. Only --explain's ties
  // may depend on the order, so it is read on one thread.
  void merge(const Report& other);

 private:
  std::string group_key(const Case& c, std::optional<int64_t> first_in) const;
  void count_terms(const Case& c, GroupStats* group);
  void add_to(GroupStats& g, const Case& c, std::optional<int64_t> first_in, bool explain);
  void case_sla(GroupStats& g, const Case& c, std::string_view policy, std::optional<int64_t> resolved_at);

  ReportConfig cfg_;
  LocalTime tz_;
  std::unique_ptr<DutyHours> duty_;
  bool calendars_ = false;
  GroupStats total_;
  std::map<std::string, GroupStats> groups_;
  int64_t seen_ = 0;
  std::vector<MessageTime> order_;
  std::vector<ResponseClock> clocks_;
  std::vector<SlaOutcome> sla_;
  TermSplitter splitter_;
  std::string now_text_;
};

}  // namespace socq::report
