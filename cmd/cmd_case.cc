// socq case: what a person needs between the automated steps.
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <set>

#include "cmd/commands.h"
#include "lib/csv.h"
#include "lib/jsonl.h"
#include "lib/term.h"
#include "lib/timefmt.h"
#include "lib/triage/away_store.h"
#include "lib/triage/queue.h"

namespace socq {
namespace {

struct ListOptions {
  std::vector<std::string> files;
  std::string status, channel, account, owner, team;
  size_t limit = 0;
  std::string format = "auto";
  std::string within;  // `case due`: clocks due within this duration
  bool stalled = false;  // only stalled handoffs (lib/handoff/followup.h)
};

struct ShowOptions {
  std::string id;
  std::vector<std::string> files;
  std::string format = "auto";
};

struct AwayOptions {
  std::string name, from = "now", until, clear;
  bool list = false;
};

struct EditOptions {
  std::string id;
  std::string owner;
  std::string team;
  std::string reason;
  std::string note;
  int64_t if_rev = -1;
};

OptString opt(const std::string& s) { return s.empty() ? OptString{} : OptString{s}; }

bool want_table(const std::string& format, std::FILE* out) {
  return format == "table" || (format == "auto" && is_tty(out));
}

// "30m", "2h", "1d", "90s" -> milliseconds.
std::optional<int64_t> parse_duration_ms(const std::string& s) {
  if (s.size() < 2) return std::nullopt;
  const std::string digits = s.substr(0, s.size() - 1);
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
  int64_t n = 0;
  if (std::from_chars(digits.data(), digits.data() + digits.size(), n).ec != std::errc()) return std::nullopt;
  int64_t unit = 0;
  switch (s.back()) {
    case 's': unit = 1000; break;
    case 'm': unit = 60000; break;
    case 'h': unit = 3600000; break;
    case 'd': unit = 86400000; break;
    default: return std::nullopt;
  }
  if (n > (kMaxTimeMs - kMinTimeMs) / unit) return std::nullopt;  // beyond any time a case can hold
  return n * unit;
}

// Cases from the named files, or from the store when none is named.
Status each_case(Context& ctx, const std::vector<std::string>& files, const CaseFilter& filter,
                 const std::function<Status(Case&&)>& on_case) {
  if (files.empty()) {
    auto store = ctx.open_store(true);
    if (!store) return store.error();
    return (*store)->list(filter, on_case);
  }
  ReadStats stats;
  size_t n = 0;
  for (const auto& f : files) {
    auto st = read_cases(f, {}, stats, [&](Case&& c) {
      if (!case_matches(filter, c) || (filter.limit && n >= filter.limit)) return ok_status();
      ++n;
      return on_case(std::move(c));
    });
    if (!st) return st;
  }
  return ok_status();
}

std::string short_time(const std::string& rfc3339) {
  // 2026-11-20T07:41:09Z -> 2026-11-20 07:41
  return rfc3339.size() >= 16 ? rfc3339.substr(0, 10) + " " + rfc3339.substr(11, 5) : rfc3339;
}

const Message* last_inbound(const Case& c) {
  for (auto it = c.messages.rbegin(); it != c.messages.rend(); ++it)
    if (it->dir == Dir::in) return &*it;
  return c.messages.empty() ? nullptr : &c.messages.back();
}

// The short number people type (#42), "-" for a case read from a file.
std::string number_text(const Case& c) { return c.number ? std::to_string(c.number) : "-"; }

std::vector<std::string> table_row(const QueueItem& item, int64_t now_ms) {
  const Case& c = item.c;
  const Message* last = last_inbound(c);
  const std::string due = next_due(c);
  return {number_text(c),
          c.id,
          std::string(to_string(c.status)),
          c.priority.value_or("-"),
          due.empty() ? "-" : short_time(due),
          due_in_text(item.due_ms, now_ms),
          c.customer.handle.value_or(c.customer.id),
          std::to_string(c.messages.size()),
          short_time(last_message_at(c)),
          owner_text(item),
          last ? last->text : ""};
}

// One CSV row a case, for spreadsheets: the columns people sort and count by.
const std::vector<std::string> kCsvColumns{"id",   "channel", "account",  "status", "priority", "category", "team",
                                           "owner", "customer", "messages", "first_at", "last_at", "next_due",
                                           "updated_at"};

std::vector<std::string> csv_row(const Case& c) {
  return {c.id,
          c.channel,
          c.account,
          std::string(to_string(c.status)),
          c.priority.value_or(""),
          c.category.value_or(""),
          c.team.value_or(""),
          c.owner.value_or(""),
          c.customer.handle.value_or(c.customer.id),
          std::to_string(c.messages.size()),
          c.messages.empty() ? "" : c.messages.front().at,
          last_message_at(c),
          next_due(c),
          c.updated_at};
}

// A full page may cut its last due band short; a case needing a new owner
// later in that band still comes before the rest of the band. Such cases
// are found by the indexed owner column: the away agents' cases, and the
// unowned ones (all of them in the overdue band are past half their clock,
// so there the first `limit` suffice). They join the page in due order.
Status add_band_rest(Context& ctx, const TriageEnv& env, const CaseFilter& filter, int64_t now, std::vector<Case>& page) {
  const std::string last_due = next_due(page.back());
  const DueBand band = due_band(last_due.empty() ? std::nullopt : parse_rfc3339_utc(last_due), now);
  const auto end = band_end_ms(band, now);
  if (!end) return ok_status();
  std::set<std::string> seen;
  for (const auto& c : page) seen.insert(c.id);
  auto add = [&](Case&& c) {
    if (seen.insert(c.id).second) page.push_back(std::move(c));
    return ok_status();
  };
  CaseFilter more = filter;
  more.due_by_ms = std::min(filter.due_by_ms.value_or(INT64_MAX), *end - 1);
  const auto now_tp = std::chrono::sys_seconds(std::chrono::seconds(now / 1000));
  std::set<std::string> away;
  for (const auto& a : env.away)
    if ((!filter.owner || filter.owner == a.name) && env.is_away(a.name, now_tp)) away.insert(a.name);
  for (const auto& name : away) {
    more.owner = name;
    if (auto st = each_case(ctx, {}, more, add); !st) return st;
  }
  if (!filter.owner) {
    more.owner.reset();
    more.unowned = true;
    more.limit = band == DueBand::overdue ? filter.limit : 0;
    if (auto st = each_case(ctx, {}, more, add); !st) return st;
  }
  auto due_ms = [](const Case& c) {
    const std::string d = next_due(c);
    return d.empty() ? INT64_MAX : parse_rfc3339_utc(d).value_or(INT64_MAX);
  };
  std::stable_sort(page.begin(), page.end(), [&](const Case& a, const Case& b) { return due_ms(a) < due_ms(b); });
  return ok_status();
}

// Cases in queue order (lib/triage/queue.h): soonest SLA due first, cases
// needing a new owner first within their due band.
Status each_queued(Context& ctx, const ListOptions& o, const CaseFilter& filter,
                   const std::function<Status(QueueItem&&)>& on_item) {
  if (o.stalled) {  // computed, not stored: the queue is read whole, stalled cases kept, then the limit
    ListOptions every = o;
    every.stalled = false;
    CaseFilter unlimited = filter;
    unlimited.limit = 0;
    size_t n = 0;
    return each_queued(ctx, every, unlimited, [&](QueueItem&& item) {
      if (!item.stalled || (filter.limit && n >= filter.limit)) return ok_status();
      ++n;
      return on_item(std::move(item));
    });
  }
  auto env = load_triage_env_from_config(ctx.config());
  if (!env) return env.error();
  if (o.files.empty()) {  // the store's away agents (socq case away) join the config's
    auto store = ctx.open_store(true);
    if (!store) return store.error();
    if (auto st = add_store_away(*env, **store); !st) return st;
  }
  const int64_t now = ctx.clock->now_ms();
  QueueOrder order(*env, now, filter.limit, on_item);
  auto push = [&](Case&& c) { return order.push(std::move(c)); };
  if (!filter.limit || !o.files.empty()) {
    CaseFilter all = filter;
    all.limit = 0;  // from files, QueueOrder keeps the limit
    if (auto st = each_case(ctx, o.files, all, push); !st) return st;
    return order.finish();
  }
  std::vector<Case> page;
  if (auto st = each_case(ctx, o.files, filter, [&](Case&& c) {
        page.push_back(std::move(c));
        return ok_status();
      });
      !st)
    return st;
  if (page.size() == filter.limit)
    if (auto st = add_band_rest(ctx, *env, filter, now, page); !st) return st;
  for (auto& c : page)
    if (auto st = push(std::move(c)); !st) return st;
  return order.finish();
}

// The store's cases as JSON Lines in queue order: each case's stored text
// copied out (Store::list_json), none parsed. Returns how many.
Result<size_t> store_jsonl(Context& ctx, const CaseFilter& filter) {
  auto env = load_triage_env_from_config(ctx.config());
  if (!env) return env.error();
  auto store = ctx.open_store(true);
  if (!store) return store.error();
  if (auto st = add_store_away(*env, **store); !st) return st.error();
  const int64_t now = ctx.clock->now_ms();
  std::string buf;
  size_t n = 0;
  auto write_out = [&]() -> Status {
    if (!buf.empty() && std::fwrite(buf.data(), 1, buf.size(), ctx.out) != buf.size())
      return Error{Exit::io, std::string("write error: ") + std::strerror(errno)};
    buf.clear();
    return ok_status();
  };
  auto st = (*store)->list_json(
      filter, [&](const CaseColumns& col) { return queue_group(col, *env, now); },
      [&](std::string_view json, int64_t) {
        buf.append(json).push_back('\n');
        ++n;
        return buf.size() >= (1 << 20) ? write_out() : ok_status();
      });
  if (!st) return st.error();
  if (auto w = write_out(); !w) return w.error();
  if (std::fflush(ctx.out) != 0) return Error{Exit::io, std::string("write error: ") + std::strerror(errno)};
  return n;
}

// Lists cases; returns how many through `shown`, and counts them by team
// into `counts` when given.
int run_list(Context& ctx, const ListOptions& o, size_t* shown = nullptr, DueCounts* counts = nullptr) {
  CaseFilter filter{opt(o.status), opt(o.channel), opt(o.account), opt(o.owner), opt(o.team), o.limit, {}, false};
  if (!o.within.empty()) {
    auto ms = parse_duration_ms(o.within);
    if (!ms) return ctx.fail(Error{Exit::usage, "--within wants a duration like 30m, 2h or 1d, not \"" + o.within + "\""});
    filter.due_by_ms = ctx.clock->now_ms() + *ms;
  }
  const int64_t now = ctx.clock->now_ms();
  if (o.format == "csv") {
    fmt::print(ctx.out, "{}", csv_record(kCsvColumns));
    size_t n = 0;
    auto st = each_queued(ctx, o, filter, [&](QueueItem&& item) {
      if (counts) counts->add(item, now);
      fmt::print(ctx.out, "{}", csv_record(csv_row(item.c)));
      ++n;
      return ok_status();
    });
    if (shown) *shown = n;
    return st ? 0 : ctx.fail(st.error());
  }
  if (!want_table(o.format, ctx.out) && o.files.empty() && !o.stalled && !counts && !filter.limit) {
    auto n = store_jsonl(ctx, filter);
    if (!n) return ctx.fail(n.error());
    if (shown) *shown = *n;
    return 0;
  }
  if (!want_table(o.format, ctx.out)) {
    JsonlWriter out(ctx.out);
    size_t n = 0;
    auto st = each_queued(ctx, o, filter, [&](QueueItem&& item) {
      if (counts) counts->add(item, now);
      out.write(item.c);
      ++n;
      return ok_status();
    });
    if (shown) *shown = n;
    if (auto fl = out.flush(); st && !fl) return ctx.fail(fl.error());
    return st ? 0 : ctx.fail(st.error());
  }
  Table t{{"#", "ID", "STATUS", "PRIO", "DUE", "DUE IN", "CUSTOMER", "MSGS", "LAST", "OWNER", "LATEST FROM CUSTOMER"}, {},
          {0, 0, 0, 0, 0, 0, 24, 0, 0, 24, 48}};
  auto st = each_queued(ctx, o, filter, [&](QueueItem&& item) {
    if (counts) counts->add(item, now);
    t.rows.push_back(table_row(item, now));
    return ok_status();
  });
  if (!st) return ctx.fail(st.error());
  t.fit_to = terminal_columns(ctx.out);  // on a terminal: cut to its width, never wrapped
  fmt::print(ctx.out, "{}", render_table(t, use_colour(ctx.out)));
  ctx.note(fmt::format("{} case{}", t.rows.size(), t.rows.size() == 1 ? "" : "s"));
  if (shown) *shown = t.rows.size();
  return 0;
}

// Monitoring: the open cases with a clock (first response, next response,
// resolution, handoff follow-up) due within the window, overdue included;
// exit 4 when there is any, so a cron job or a check can alert.
// Breached means past due now; at risk, due within the window.
int run_due(Context& ctx, const ListOptions& o) {
  size_t shown = 0;
  DueCounts counts;
  if (const int rc = run_list(ctx, o, &shown, &counts); rc != 0) return rc;
  for (const auto& line : counts.lines()) ctx.note(line);
  return shown ? as_int(Exit::sla_at_risk) : 0;
}

// "3d 4h", "25m": a duration for people.
std::string humanize(int64_t ms) {
  const int64_t minutes = ms / 60000, hours = minutes / 60, days = hours / 24;
  if (days > 0) return fmt::format("{}d {}h", days, hours % 24);
  if (hours > 0) return fmt::format("{}h {}m", hours, minutes % 60);
  return fmt::format("{}m", minutes);
}

// "2026-11-20T18:55:40Z (overdue by 2d 14h)" or "(in 25m)".
std::string due_for_people(const std::string& due, int64_t now_ms) {
  const auto due_ms = parse_rfc3339_utc(due);
  if (!due_ms) return due;
  return due + (*due_ms < now_ms ? " (overdue by " + humanize(now_ms - *due_ms) + ")"
                                  : " (in " + humanize(*due_ms - now_ms) + ")");
}

// Who saw a message, when not everyone: an agent answering a followers-only
// post should know before writing.
const char* audience_note(const Message& m) {
  if (!m.is_public) return " (private)";
  if (m.visibility == "private") return " (followers only)";
  if (m.visibility == "unlisted") return " (unlisted)";
  return "";
}

void print_case(std::FILE* out, const Case& c, bool colour, int64_t now_ms) {
  const auto bold = [&](const std::string& s) { return colour ? "\033[1m" + s + "\033[0m" : s; };
  // Every stored string may be a stranger's: escaped before the terminal sees it.
  const auto safe = [](const std::string& s) { return terminal_safe_line(s); };
  fmt::print(out, "{}\n", bold((c.number ? "#" + std::to_string(c.number) + "  " : std::string()) + safe(c.id)));
  fmt::print(out, "  status    {}   priority {}   rev {}\n", to_string(c.status), safe(c.priority.value_or("-")), c.rev);
  fmt::print(out, "  customer  {}{}\n", safe(c.customer.handle.value_or(c.customer.id)),
             c.customer.name ? " (" + safe(*c.customer.name) + ")" : "");
  fmt::print(out, "  category  {}   team {}   owner {}\n", safe(c.category.value_or("-")), safe(c.team.value_or("-")),
             safe(c.owner.value_or("-")));
  if (!c.tags.empty()) fmt::print(out, "  tags      {}\n", safe(fmt::format("{}", fmt::join(c.tags, ", "))));
  if (auto due = next_due(c); !due.empty()) fmt::print(out, "  next due  {}\n", due_for_people(due, now_ms));
  if (c.handoff)
    fmt::print(out, "  handoff   to {} at {}{}\n", safe(c.handoff->to), c.handoff->at,
               c.handoff->follow_up_due ? ", follow up by " + *c.handoff->follow_up_due : "");
  if (c.resolution) fmt::print(out, "  resolved  {} at {} by {}\n", c.resolution->reason, c.resolution->at, safe(c.resolution->by));
  for (const auto& l : c.links) fmt::print(out, "  link      {} {}\n", safe(l.rel), safe(l.ref));
  fmt::print(out, "\n{}\n", bold("Messages"));
  for (const auto& m : c.messages)
    fmt::print(out, "  {} {} {}{}\n    {}\n", short_time(m.at), m.dir == Dir::in ? "<-" : "->", safe(m.author),
               audience_note(m), terminal_safe(m.text));
  fmt::print(out, "\n{}\n", bold("Events"));
  for (const auto& e : c.events) fmt::print(out, "  {}  {}: {}\n", short_time(e.at), safe(e.by), safe(e.what));
}

int run_show(Context& ctx, const ShowOptions& o) {
  std::optional<Case> found;
  if (o.files.empty()) {
    auto store = ctx.open_store(true);
    if (!store) return ctx.fail(store.error());
    auto c = (*store)->get(o.id);
    if (!c) return ctx.fail(c.error());
    found = std::move(c).value();
  } else {
    auto st = each_case(ctx, o.files, {}, [&](Case&& c) {
      if (c.id == o.id) found = std::move(c);  // files hold no short numbers
      return ok_status();
    });
    if (!st) return ctx.fail(st.error());
  }
  if (!found) return ctx.fail(Error{Exit::data, "no case " + o.id});
  if (want_table(o.format, ctx.out)) {
    print_case(ctx.out, *found, use_colour(ctx.out), ctx.clock->now_ms());
  } else {
    JsonlWriter out(ctx.out);
    out.write(*found);
    if (auto st = out.flush(); !st) return ctx.fail(st.error());
  }
  return 0;
}

// Reads a case from the store, applies `edit`, and writes it back checked
// against the rev it was read at (or --if-rev, the rev the caller saw).
int edit_case(Context& ctx, const EditOptions& o, const std::function<Result<bool>(Case&)>& edit) {
  auto store = ctx.open_store(true);
  if (!store) return ctx.fail(store.error());
  auto found = (*store)->get(o.id);
  if (!found) return ctx.fail(found.error());
  if (!found->has_value()) return ctx.fail(Error{Exit::data, "no case " + o.id + " in " + ctx.store_path()});
  Case c = std::move(**found);
  if (o.if_rev >= 0 && o.if_rev != c.rev) {
    Case mine = c;
    mine.rev = o.if_rev;
    return ctx.fail(conflict_error(mine, c));
  }
  auto changed = edit(c);
  if (!changed) return ctx.fail(changed.error());
  if (!*changed) {
    ctx.note(fmt::format("case {}: nothing to change", c.id));
    return 0;
  }
  c.updated_at = ctx.now();
  c.touched();
  if (auto st = (*store)->update(c); !st) return ctx.fail(st.error());
  ctx.note(fmt::format("case {}: {} (rev {})", c.id, c.events.back().what, c.rev));
  return 0;
}

int run_assign(Context& ctx, const EditOptions& o) {
  const std::string who = ctx.user(), now = ctx.now();
  return edit_case(ctx, o, [&](Case& c) -> Result<bool> {
    const bool same_owner = c.owner == o.owner, same_team = o.team.empty() || c.team == o.team;
    if (same_owner && same_team) return false;
    c.owner = o.owner;
    std::string what = "assigned to " + o.owner;
    if (!o.team.empty()) c.team = o.team, what += " (team " + o.team + ")";
    if (c.status == CaseStatus::new_) (void)move_status(c, CaseStatus::open, now, who, "");
    c.events.push_back(Event{now, who, what + (o.note.empty() ? "" : ": " + o.note), {}});
    return true;
  });
}

int run_resolve(Context& ctx, const EditOptions& o) {
  const std::string who = ctx.user(), now = ctx.now();
  return edit_case(ctx, o, [&](Case& c) -> Result<bool> {
    if (auto st = move_status(c, CaseStatus::resolved, now, who, o.note, o.reason); !st) return st.error();
    return true;
  });
}

// Every away mark: the config's and the store's, one line each (tab-separated
// name, from, until, where it comes from), and whether it holds now.
int list_away(Context& ctx) {
  auto env = load_triage_env_from_config(ctx.config());
  if (!env) return ctx.fail(env.error());
  if (std::filesystem::exists(ctx.store_path())) {
    auto store = ctx.open_store(true);
    if (!store) return ctx.fail(store.error());
    if (auto st = add_store_away(*env, **store); !st) return ctx.fail(st.error());
  }
  const auto now = parse_rfc3339_utc(ctx.now()).value_or(0);
  Table t{{"NAME", "FROM", "UNTIL", "NOW", "SET IN"}, {}, {24, 0, 0, 0, 0}};
  for (const auto& a : env->away) {
    const bool holds = parse_rfc3339_utc(a.from).value_or(INT64_MAX) <= now && now < parse_rfc3339_utc(a.until).value_or(0);
    t.rows.push_back({a.name, a.from, a.until, holds ? "away" : "-", a.source});
  }
  if (t.rows.empty()) {
    ctx.note("nobody is marked away (socq case away NAME --until T, or [[away]] in the config)");
    return 0;
  }
  t.fit_to = terminal_columns(ctx.out);
  fmt::print(ctx.out, "{}", render_table(t, use_colour(ctx.out)));
  return 0;
}

// socq case away: marks kept in the store, listed beside the config's.
int run_away(Context& ctx, const AwayOptions& o) {
  const int given = !o.name.empty() + o.list + !o.clear.empty();
  if (given != 1) return ctx.fail(Error{Exit::usage, "case away wants one of: NAME --until T, --list, --clear NAME"});
  if (o.list) return list_away(ctx);
  auto store = ctx.open_store(!o.clear.empty());
  if (!store) return ctx.fail(store.error());
  if (!o.clear.empty()) {
    auto n = (*store)->clear_away(o.clear);
    if (!n) return ctx.fail(n.error());
    ctx.note(fmt::format("{}: {} away mark{} cleared", terminal_safe_line(o.clear), *n, *n == 1 ? "" : "s"));
    return 0;
  }
  if (o.until.empty()) return ctx.fail(Error{Exit::usage, "case away NAME wants --until (a time, date or duration such as 7d)"});
  const int64_t now = ctx.clock->now_ms();
  auto from = parse_away_time(o.from, now, "--from");
  if (!from) return ctx.fail(from.error());
  auto until = parse_away_time(o.until, now, "--until");
  if (!until) return ctx.fail(until.error());
  if (*until <= *from) return ctx.fail(Error{Exit::usage, "--until (" + *until + ") must be after --from (" + *from + ")"});
  if (auto st = (*store)->set_away(AwayMark{o.name, *from, *until}); !st) return ctx.fail(st.error());
  ctx.note(fmt::format("{} away from {} until {}: no new cases from rules; their open cases need a new owner",
                       terminal_safe_line(o.name), *from, *until));
  return 0;
}

void add_edit_options(CLI::App* cmd, EditOptions& o) {
  cmd->add_option("--if-rev", o.if_rev, "fail with exit 3 unless the case is still at this rev")->type_name("REV");
  cmd->add_option("--note", o.note, "why, for the audit trail")->type_name("TEXT");
}

}  // namespace

Runner setup_case(CLI::App* sub, Context& ctx) {
  sub->require_subcommand(1);
  auto lo = std::make_shared<ListOptions>();
  CLI::App* list = sub->add_subcommand("list", "list cases (a table on a terminal, JSON Lines otherwise)");
  list->add_option("files", lo->files, "read cases from these files ('-' for stdin) instead of the store");
  list->add_option("--status", lo->status, "only cases with this status")
      ->check(CLI::IsMember({"new", "open", "pending_customer", "handed_off", "resolved", "closed"}))
      ->type_name("STATUS");
  list->add_option("--channel", lo->channel, "only cases on this channel")->type_name("CHANNEL");
  list->add_option("--account", lo->account, "only cases of this brand account")->type_name("ACCOUNT");
  list->add_option("--owner", lo->owner, "only cases owned by this person")->type_name("OWNER");
  list->add_option("--team", lo->team, "only cases of this team")->type_name("TEAM");
  list->add_flag("--stalled", lo->stalled, "only stalled handoffs: past their follow-up, not completed, no reply to the customer since");
  list->add_option("--limit", lo->limit, "at most N cases")->type_name("N")->check(CLI::Range(0.0, 1e15).description(""));  // no -1 wrapping round
  list->add_option("--format", lo->format, "auto (a table on a terminal, else jsonl), table, jsonl or csv")
      ->check(CLI::IsMember({"auto", "table", "jsonl", "csv"}))->type_name("FORMAT");

  auto dop = std::make_shared<ListOptions>();
  dop->within = "1h";
  CLI::App* due = sub->add_subcommand("due", "cases with a clock due within a window, overdue first; exit 4 if any");
  due->add_option("files", dop->files, "read cases from these files ('-' for stdin) instead of the store");
  due->add_option("--within", dop->within, "the window: 30m, 2h, 1d (default 1h)")->type_name("DURATION")
      ->check(CLI::Validator([](std::string& s) { return s.empty() ? std::string("wants a duration like 30m, 2h or 1d") : std::string(); }, "", "non-empty"));
  due->add_option("--team", dop->team, "only cases of this team")->type_name("TEAM");
  due->add_option("--owner", dop->owner, "only cases owned by this person")->type_name("OWNER");
  due->add_option("--format", dop->format, "auto (a table on a terminal, else jsonl), table, jsonl or csv")
      ->check(CLI::IsMember({"auto", "table", "jsonl", "csv"}))->type_name("FORMAT");

  auto so = std::make_shared<ShowOptions>();
  CLI::App* show = sub->add_subcommand("show", "show one case: messages and audit trail");
  show->add_option("id", so->id, "the case id, or its number (42 or #42)")->required();
  show->add_option("files", so->files, "read cases from these files instead of the store");
  show->add_option("--format", so->format, "auto, table or jsonl")
      ->check(CLI::IsMember({"auto", "table", "jsonl"}))->type_name("FORMAT");

  auto ao = std::make_shared<EditOptions>();
  CLI::App* assign = sub->add_subcommand("assign", "give a case an owner (and a team)");
  assign->add_option("id", ao->id, "the case id, or its number (42 or #42)")->required();
  assign->add_option("owner", ao->owner, "who owns it from now on")->required();
  assign->add_option("--team", ao->team, "and move it to this team")->type_name("TEAM");
  add_edit_options(assign, *ao);

  auto ro = std::make_shared<EditOptions>();
  CLI::App* resolve = sub->add_subcommand("resolve", "resolve a case with a reason");
  resolve->add_option("id", ro->id, "the case id, or its number (42 or #42)")->required();
  resolve->add_option("--reason", ro->reason, "answered, no_reply_needed, spam or duplicate")
      ->required()->check(CLI::IsMember({"answered", "no_reply_needed", "spam", "duplicate"}))->type_name("REASON");
  add_edit_options(resolve, *ro);

  auto wo = std::make_shared<AwayOptions>();
  CLI::App* away = sub->add_subcommand("away", "mark an agent away (no new cases; their open cases need a new owner)");
  away->add_option("name", wo->name, "the agent, as in cases' owner")->type_name("NAME");
  away->add_option("--from", wo->from, "start: RFC 3339 UTC, a date, now (default) or a duration from now")->type_name("TIME");
  away->add_option("--until", wo->until, "end (not included): RFC 3339 UTC, a date, or a duration from now (7d)")->type_name("TIME");
  away->add_flag("--list", wo->list, "list every away mark: the store's and the config's [[away]]");
  away->add_option("--clear", wo->clear, "remove every away mark of NAME from the store")->type_name("NAME");

  return [&ctx, lo, dop, so, ao, ro, wo, list, due, show, assign, resolve, away] {
    if (away->parsed()) return run_away(ctx, *wo);
    if (list->parsed()) return run_list(ctx, *lo);
    if (due->parsed()) return run_due(ctx, *dop);
    if (show->parsed()) return run_show(ctx, *so);
    if (assign->parsed()) return run_assign(ctx, *ao);
    if (resolve->parsed()) return run_resolve(ctx, *ro);
    return as_int(Exit::usage);
  };
}

}  // namespace socq
