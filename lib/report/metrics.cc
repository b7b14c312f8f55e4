#include "lib/report/metrics.h"

#include <algorithm>

#include "lib/handoff/followup.h"
#include "lib/timefmt.h"

namespace socq::report {
namespace {

bool is_backlog(CaseStatus s) {
  return s == CaseStatus::new_ || s == CaseStatus::open || s == CaseStatus::pending_customer ||
         s == CaseStatus::handed_off;
}

const std::string& or_dash(const OptString& s) {
  static const std::string dash = "-";
  return s ? *s : dash;
}

std::optional<int64_t> ms_of(const OptString& s) { return s ? parse_rfc3339_utc(*s) : std::nullopt; }

bool breached_named(const Case& c, std::string_view clock) {
  for (const std::string_view b : c.sla.breached)
    if (b.substr(0, clock.size()) == clock && (b.size() == clock.size() || b.substr(clock.size()) == "_due"))
      return true;
  return false;
}

SlaCount& sla_count(GroupStats& g, std::string_view policy, std::string_view clock) {
  const std::pair<std::string_view, std::string_view> key{policy, clock};
  auto it = g.sla.find(key);
  if (it == g.sla.end()) it = g.sla.emplace(std::pair<std::string, std::string>(policy, clock), SlaCount{}).first;
  return it->second;
}

}  // namespace

std::optional<GroupBy> parse_group_by(const std::string& s) {
  for (GroupBy g : {GroupBy::channel, GroupBy::account, GroupBy::team, GroupBy::owner, GroupBy::category,
                    GroupBy::day, GroupBy::week})
    if (s == to_string(g)) return g;
  return std::nullopt;
}

const char* to_string(GroupBy g) {
  switch (g) {
    case GroupBy::none: return "none";
    case GroupBy::channel: return "channel";
    case GroupBy::account: return "account";
    case GroupBy::team: return "team";
    case GroupBy::owner: return "owner";
    case GroupBy::category: return "category";
    case GroupBy::day: return "day";
    case GroupBy::week: return "week";
  }
  return "none";
}

Result<Where> parse_where(const std::string& arg) {
  static const char* const fields[] = {"channel", "account", "team", "owner", "category", "priority", "status", "tag"};
  const size_t eq = arg.find('=');
  if (eq == std::string::npos || eq == 0)
    return Error{Exit::usage, "--where wants FIELD=VALUE, not \"" + arg + "\""};
  Where w{arg.substr(0, eq), arg.substr(eq + 1)};
  if (std::find_if(std::begin(fields), std::end(fields), [&](const char* f) { return w.field == f; }) == std::end(fields))
    return Error{Exit::usage, "--where: no field \"" + w.field +
                                  "\" (fields: channel, account, team, owner, category, priority, status, tag)"};
  if (w.field == "status" && !parse_status(w.value))
    return Error{Exit::usage, "--where: no status \"" + w.value + "\""};
  return w;
}

namespace {
bool field_matches(const Where& w, const Case& c) {
  const auto opt_eq = [&](const OptString& s) { return w.value == "-" ? !s : (s && *s == w.value); };
  if (w.field == "channel") return c.channel == w.value;
  if (w.field == "account") return c.account == w.value;
  if (w.field == "team") return opt_eq(c.team);
  if (w.field == "owner") return opt_eq(c.owner);
  if (w.field == "category") return opt_eq(c.category);
  if (w.field == "priority") return opt_eq(c.priority);
  if (w.field == "status") return to_string(c.status) == w.value;
  if (w.field == "tag") {
    if (w.value == "-") return c.tags.empty();
    return std::find(c.tags.begin(), c.tags.end(), w.value) != c.tags.end();
  }
  return false;
}
}  // namespace

bool matches_where(const std::vector<Where>& where, const Case& c) {
  // Any of the values of one field; all fields.
  for (size_t i = 0; i < where.size(); ++i) {
    bool seen_before = false, any = false;
    for (size_t j = 0; j < where.size(); ++j) {
      if (where[j].field != where[i].field) continue;
      if (j < i) seen_before = true;
      any = any || field_matches(where[j], c);
    }
    if (!seen_before && !any) return false;
  }
  return true;
}

size_t follower_bucket(std::optional<int64_t> f) {
  if (!f) return 5;
  if (*f < 100) return 0;
  if (*f < 1000) return 1;
  if (*f < 10000) return 2;
  if (*f < 100000) return 3;
  return 4;
}

void TopK::add(Weighty w) {
  const auto greater = [](const Weighty& a, const Weighty& b) { return a.value_ms > b.value_ms; };
  if (!wants(w.value_ms)) return;
  if (items_.size() == k_) std::pop_heap(items_.begin(), items_.end(), greater), items_.pop_back();
  items_.push_back(std::move(w));
  std::push_heap(items_.begin(), items_.end(), greater);
}

void TopK::merge(const TopK& other) {
  for (const auto& w : other.items_) add(w);
}

namespace {
void merge_response(ResponseStats& a, const ResponseStats& b) {
  a.calendar.merge(b.calendar);
  a.business.merge(b.business);
  a.unanswered += b.unanswered;
}

template <class Map>
void add_counts(Map& a, const Map& b) {
  for (const auto& [k, n] : b) a[k] += n;
}
}  // namespace

void GroupStats::merge(const GroupStats& o) {
  cases += o.cases, conversations += o.conversations, answered += o.answered;
  messages_in += o.messages_in, messages_out += o.messages_out, messages_out_auto += o.messages_out_auto;
  merge_response(first, o.first);
  merge_response(next, o.next);
  resolution.merge(o.resolution);
  unresolved += o.unresolved;
  for (const auto& [k, n] : o.sla) {
    SlaCount& mine = sla[k];
    mine.met += n.met, mine.breached += n.breached, mine.running += n.running;
  }
  add_counts(backlog_by_status, o.backlog_by_status);
  backlog_age.merge(o.backlog_age);
  for (size_t d = 0; d < inbound_week.size(); ++d)
    for (size_t h = 0; h < inbound_week[d].size(); ++h) inbound_week[d][h] += o.inbound_week[d][h];
  inbound_duty_known += o.inbound_duty_known, inbound_off_duty += o.inbound_off_duty;
  off_duty_wait.merge(o.off_duty_wait);
  add_counts(categories, o.categories);
  add_counts(tags, o.tags);
  terms.merge(o.terms);
  for (size_t i = 0; i < by_followers.size(); ++i) merge_response(by_followers[i], o.by_followers[i]);
  handoffs_made += o.handoffs_made, handoffs_completed += o.handoffs_completed, handoffs_stalled += o.handoffs_stalled;
  slow_first.merge(o.slow_first), slow_next.merge(o.slow_next), slow_resolution.merge(o.slow_resolution);
  old_backlog.merge(o.old_backlog), stalled.merge(o.stalled);
}

void Report::merge(const Report& other) {
  seen_ += other.seen_;
  total_.merge(other.total_);
  for (const auto& [key, g] : other.groups_) groups_[key].merge(g);
}

std::vector<Weighty> TopK::sorted() const {
  auto v = items_;
  std::sort(v.begin(), v.end(), [](const Weighty& a, const Weighty& b) {
    return a.value_ms != b.value_ms ? a.value_ms > b.value_ms : a.id < b.id;
  });
  return v;
}

Report::Report(ReportConfig cfg, LocalTime tz, std::unique_ptr<DutyHours> duty)
    : cfg_(std::move(cfg)), tz_(std::move(tz)), duty_(std::move(duty)) {
  if (!duty_) duty_ = std::make_unique<NoCalendars>();
  calendars_ = duty_->configured();
  now_text_ = format_rfc3339_utc(cfg_.now_ms);
  const size_t k = cfg_.explain_top;
  total_.slow_first = TopK(k), total_.slow_next = TopK(k), total_.slow_resolution = TopK(k);
  total_.old_backlog = TopK(k), total_.stalled = TopK(k);
}

std::string Report::group_key(const Case& c, std::optional<int64_t> first_in) const {
  switch (cfg_.by) {
    case GroupBy::none: return "";
    case GroupBy::channel: return c.channel;
    case GroupBy::account: return c.account;
    case GroupBy::team: return or_dash(c.team);
    case GroupBy::owner: return or_dash(c.owner);
    case GroupBy::category: return or_dash(c.category);
    case GroupBy::day: return first_in ? tz_.day_key(*first_in) : "-";
    case GroupBy::week: return first_in ? tz_.week_key(*first_in) : "-";
  }
  return "";
}

bool Report::add(const Case& c) {
  ++seen_;
  if (!matches_where(cfg_.where, c)) return false;
  response_clocks(c, order_, clocks_);
  // The case's time: its first inbound message, else its first message.
  std::optional<int64_t> first_in;
  for (const auto& t : order_)
    if (c.messages[t.index].dir == Dir::in) {
      first_in = t.ms;
      break;
    }
  const std::optional<int64_t> when = first_in ? first_in : (order_.empty() ? std::nullopt : std::optional(order_[0].ms));
  const std::string key = group_key(c, when);
  GroupStats* group = cfg_.by == GroupBy::none ? nullptr : &groups_[key];
  // Rising terms look at their own two periods, whatever --since says.
  count_terms(c, group);
  if (cfg_.since_ms && (!when || *when < *cfg_.since_ms)) return false;
  if (cfg_.until_ms && (!when || *when >= *cfg_.until_ms)) return false;
  add_to(total_, c, when, cfg_.explain_top > 0);
  if (group) add_to(*group, c, when, false);
  return true;
}

void Report::count_terms(const Case& c, GroupStats* group) {
  const int64_t len = cfg_.terms_to_ms - cfg_.terms_from_ms;
  if (len <= 0) return;
  const int64_t before = cfg_.terms_from_ms - len;
  for (const auto& t : order_) {
    const Message& m = c.messages[t.index];
    if (m.dir != Dir::in || t.ms < before || t.ms >= cfg_.terms_to_ms) continue;
    const bool now = t.ms >= cfg_.terms_from_ms;
    splitter_.split(m.text);
    total_.terms.add_terms(splitter_, now);
    if (group) group->terms.add_terms(splitter_, now);
  }
}

// SLA outcomes from the case's own sla fields (as socq triage wrote them).
void Report::case_sla(GroupStats& g, const Case& c, std::string_view policy, std::optional<int64_t> resolved_at) {
  const int64_t now = cfg_.now_ms;
  const auto sla_clock = [&](std::string_view clock, std::optional<int64_t> due, std::optional<int64_t> stop) {
    const bool named = breached_named(c, clock);
    if (!due && !named) return;
    SlaCount& s = sla_count(g, policy, clock);
    if (named || (stop && due && *stop > *due) || (!stop && due && now > *due)) ++s.breached;
    else if (stop) ++s.met;
    else ++s.running;
  };
  std::optional<int64_t> first_stop, next_stop;
  for (const ResponseClock& k : clocks_) (k.first ? first_stop : next_stop) = k.stop_ms;
  if (!first_stop) first_stop = ms_of(c.sla.first_response_at);
  sla_clock("first_response", ms_of(c.sla.first_response_due), first_stop);
  sla_clock("next_response", ms_of(c.sla.next_response_due), clocks_.size() > 1 ? next_stop : std::nullopt);
  sla_clock("resolution", ms_of(c.sla.resolution_due), resolved_at);

}

void Report::add_to(GroupStats& g, const Case& c, std::optional<int64_t> first_in, bool explain) {
  const int64_t now = cfg_.now_ms;
  ++g.cases;
  const auto weighty = [&](int64_t v, std::optional<int64_t> a, std::optional<int64_t> b) {
    return Weighty{v, c.id, or_dash(c.owner), a ? format_rfc3339_utc(*a) : "", b ? format_rfc3339_utc(*b) : "", c.number};
  };

  // Volume and inbound by weekday x hour (and duty).
  bool any_in = false;
  for (const auto& t : order_) {
    const Message& m = c.messages[t.index];
    if (m.dir == Dir::out) {
      ++(m.is_auto ? g.messages_out_auto : g.messages_out);
      continue;
    }
    any_in = true;
    ++g.messages_in;
    const LocalParts p = tz_.parts(t.ms);
    ++g.inbound_week[static_cast<size_t>(p.weekday)][static_cast<size_t>(p.hour)];
    if (calendars_)
      if (auto on = duty_->any_team_on_duty(t.ms)) ++g.inbound_duty_known, g.inbound_off_duty += !*on;
  }
  if (any_in) ++g.conversations;

  // First and next response clocks.
  ResponseStats& bucket = g.by_followers[follower_bucket(c.customer.followers)];
  for (const ResponseClock& k : clocks_) {
    ResponseStats& rs = k.first ? g.first : g.next;
    if (!k.stop_ms) {
      ++rs.unanswered;
      if (k.first) ++bucket.unanswered;
      continue;
    }
    const int64_t wait = *k.stop_ms - k.start_ms;
    rs.calendar.add(wait);
    if (calendars_)
      if (auto b = duty_->business_ms(c, k.start_ms, *k.stop_ms)) rs.business.add(*b);
    if (calendars_)
      if (auto on = duty_->any_team_on_duty(k.start_ms); on && !*on) g.off_duty_wait.add(wait);
    if (k.first) {
      ++g.answered;
      bucket.calendar.add(wait);
    }
    if (explain) {
      TopK& top = k.first ? g.slow_first : g.slow_next;
      if (top.wants(wait)) top.add(weighty(wait, k.start_ms, k.stop_ms));
    }
  }

  // Resolution time: first inbound (else first message) to resolution.at.
  const auto resolved_at = c.resolution ? parse_rfc3339_utc(c.resolution->at) : std::nullopt;
  if (resolved_at && first_in && *resolved_at >= *first_in) {
    g.resolution.add(*resolved_at - *first_in);
    if (explain && g.slow_resolution.wants(*resolved_at - *first_in))
      g.slow_resolution.add(weighty(*resolved_at - *first_in, first_in, resolved_at));
  } else if (c.status != CaseStatus::resolved && c.status != CaseStatus::closed) {
    ++g.unresolved;
  }

  // SLA attainment per policy (the case's priority) and clock.
  const std::string_view policy = c.priority ? std::string_view(*c.priority) : std::string_view("none");
  if (duty_->sla_outcomes(c, now_text_, sla_)) {
    for (const SlaOutcome& o : sla_) {
      SlaCount& s = sla_count(g, policy, o.clock);
      ++(o.kind == SlaOutcome::met ? s.met : o.kind == SlaOutcome::breached ? s.breached : s.running);
    }
  } else {
    case_sla(g, c, policy, resolved_at);
  }

  // Backlog: open cases now, and their age since the first inbound message.
  if (is_backlog(c.status)) {
    ++g.backlog_by_status[std::string(to_string(c.status))];
    if (first_in) {
      g.backlog_age.add(now - *first_in);
      if (explain && g.old_backlog.wants(now - *first_in)) g.old_backlog.add(weighty(now - *first_in, first_in, {}));
    }
  }

  if (c.category) ++g.categories[*c.category];
  for (const auto& t : c.tags) ++g.tags[t];

  // Handoffs, as socq handoff and the queue see them (lib/handoff/followup.h):
  // completed = completed_at set or a reply to the customer since the
  // handoff; stalled = follow-up due passed, not completed.
  if (c.handoff) {
    ++g.handoffs_made;
    if (handoff::handoff_completed(c)) {
      ++g.handoffs_completed;
    } else if (handoff::is_stalled(c, now)) {
      ++g.handoffs_stalled;
      const auto due = ms_of(c.handoff->follow_up_due);
      if (explain && due && g.stalled.wants(now - *due)) g.stalled.add(weighty(now - *due, parse_rfc3339_utc(c.handoff->at), due));
    }
  }
}

}  // namespace socq::report
