#include "lib/report/render.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "lib/csv.h"
#include "lib/report/definitions.h"
#include "lib/term.h"
#include "lib/timefmt.h"

namespace socq::report {
namespace {

constexpr const char* kWeekdays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};

// Rounds to `per` parts of a unit (1000: three decimals); dividing last keeps
// the printed form short (7.8583, not 7.858300000000001).
double round_to(double x, double per) { return std::round(x * per) / per; }

// n, then each statistic in minutes and in seconds (null when n is 0).
ojson stats_json(Samples& samples) {
  const Summary s = samples.summarize();
  ojson j;
  j["n"] = s.n;
  const std::pair<const char*, double> values[] = {
      {"p50", s.p50_ms}, {"p90", s.p90_ms}, {"p95", s.p95_ms}, {"mean", s.mean_ms}, {"max", double(s.max_ms)}};
  for (const auto& [name, ms] : values) j[std::string(name) + "_min"] = s.n ? ojson(round_to(ms / 60000.0, 1e4)) : ojson();
  for (const auto& [name, ms] : values) j[std::string(name) + "_s"] = s.n ? ojson(round_to(ms / 1000.0, 1e3)) : ojson();
  return j;
}

ojson share(int64_t part, int64_t whole) {
  return whole ? ojson(round_to(double(part) / double(whole), 1e4)) : ojson();
}

ojson response_json(ResponseStats& r, bool calendars) {
  ojson j;
  j["calendar"] = stats_json(r.calendar);
  j["business"] = calendars ? stats_json(r.business) : ojson();
  j["unanswered"] = r.unanswered;
  return j;
}

ojson top_json(const std::unordered_map<std::string, int64_t>& counts, size_t limit) {
  std::vector<std::pair<std::string, int64_t>> v(counts.begin(), counts.end());
  std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; });
  if (v.size() > limit) v.resize(limit);
  ojson a = ojson::array();
  for (const auto& [name, n] : v) a.push_back({{"name", name}, {"cases", n}});
  return a;
}

ojson group_json(GroupStats& g, bool calendars) {
  ojson j;
  j["volume"] = {{"cases", g.cases},
                 {"conversations", g.conversations},
                 {"messages_in", g.messages_in},
                 {"messages_out", g.messages_out},
                 {"messages_out_auto", g.messages_out_auto}};
  j["first_response"] = response_json(g.first, calendars);
  j["next_response"] = response_json(g.next, calendars);
  j["resolution"] = {{"calendar", stats_json(g.resolution)}, {"unresolved", g.unresolved}};
  j["answered"] = {{"conversations", g.conversations}, {"answered", g.answered}, {"share", share(g.answered, g.conversations)}};
  ojson sla = ojson::array();
  for (const auto& [key, s] : g.sla)
    sla.push_back({{"policy", key.first},
                   {"clock", key.second},
                   {"met", s.met},
                   {"breached", s.breached},
                   {"running", s.running},
                   {"attainment", share(s.met, s.met + s.breached)}});
  j["sla"] = sla;
  int64_t open = 0;
  ojson by_status = ojson::object();
  for (const char* st : {"new", "open", "pending_customer", "handed_off"}) {
    const auto it = g.backlog_by_status.find(st);
    const int64_t n = it == g.backlog_by_status.end() ? 0 : it->second;
    by_status[st] = n, open += n;
  }
  j["backlog"] = {{"open", open}, {"by_status", by_status}, {"age", stats_json(g.backlog_age)}};
  ojson week = ojson::object();
  for (size_t d = 0; d < 7; ++d) week[kWeekdays[d]] = g.inbound_week[d];
  ojson off;
  if (calendars)
    off = {{"inbound", g.inbound_off_duty},
           {"share", share(g.inbound_off_duty, g.inbound_duty_known)},
           {"wait", stats_json(g.off_duty_wait)}};
  j["inbound_hours"] = {{"weekdays", week}, {"off_duty", off}};
  j["top_categories"] = top_json(g.categories, 10);
  j["top_tags"] = top_json(g.tags, 10);
  ojson terms = ojson::array();
  for (const auto& t : g.terms.rising(10))
    terms.push_back({{"term", t.term}, {"this", t.now}, {"previous", t.before}, {"score", round_to(t.score, 1e4)}});
  j["rising_terms"] = terms;
  ojson fair = ojson::array();
  for (size_t b = 0; b < kFollowerBuckets.size(); ++b)
    fair.push_back({{"bucket", kFollowerBuckets[b]},
                    {"first_response", stats_json(g.by_followers[b].calendar)},
                    {"unanswered", g.by_followers[b].unanswered}});
  j["fairness"] = fair;
  j["handoffs"] = {{"made", g.handoffs_made}, {"completed", g.handoffs_completed}, {"stalled", g.handoffs_stalled}};
  return j;
}

ojson opt_time(const std::optional<int64_t>& ms) { return ms ? ojson(format_rfc3339_utc(*ms)) : ojson(); }

}  // namespace

ojson report_json(Report& r, const RenderInfo& info) {
  const ReportConfig& cfg = r.config();
  ojson doc;
  doc["version"] = 1;
  doc["generated_at"] = info.generated_at;
  doc["tz"] = r.tz().name();
  doc["by"] = cfg.by == GroupBy::none ? ojson() : ojson(to_string(cfg.by));
  doc["filters"] = {{"since", opt_time(cfg.since_ms)}, {"until", opt_time(cfg.until_ms)}, {"where", info.where}};
  doc["calendars"] = r.calendars() ? "configured" : "no calendar configured";
  const int64_t len = cfg.terms_to_ms - cfg.terms_from_ms;
  doc["terms_periods"] = {
      {"this", {{"from", format_rfc3339_utc(cfg.terms_from_ms)}, {"to", format_rfc3339_utc(cfg.terms_to_ms)}}},
      {"previous", {{"from", format_rfc3339_utc(cfg.terms_from_ms - len)}, {"to", format_rfc3339_utc(cfg.terms_from_ms)}}}};
  doc["cases_read"] = r.cases_seen();
  doc["total"] = group_json(r.total(), r.calendars());
  ojson groups = ojson::array();
  for (auto& [key, g] : r.groups()) {
    if (!g.cases) continue;  // seen only for rising terms
    ojson gj = {{"key", key}};
    gj.update(group_json(g, r.calendars()));
    groups.push_back(std::move(gj));
  }
  doc["groups"] = groups;
  return doc;
}

std::string render_json(const ojson& doc) { return doc.dump(2) + "\n"; }

namespace {

std::string scalar_text(const ojson& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

// The key naming one element of an array of objects: sla "p2.first_response",
// else the first string member (name, term, bucket).
std::string element_key(const ojson& e, size_t i) {
  if (!e.is_object()) return std::to_string(i);
  if (e.contains("policy") && e.contains("clock"))
    return e["policy"].get<std::string>() + "." + e["clock"].get<std::string>();
  for (const auto& [k, v] : e.items())
    if (v.is_string()) return v.get<std::string>();
  return std::to_string(i);
}

void flatten(const ojson& v, const std::string& path, std::vector<std::pair<std::string, std::string>>& out) {
  if (v.is_object()) {
    for (const auto& [k, x] : v.items()) {
      if (path.empty() && k == "key") continue;
      flatten(x, path.empty() ? k : path + "." + k, out);
    }
  } else if (v.is_array()) {
    if (v.empty()) out.emplace_back(path, "");  // the metric is there, with nothing in it
    for (size_t i = 0; i < v.size(); ++i) {
      const std::string key = element_key(v[i], i);
      if (v[i].is_object()) {
        for (const auto& [k, x] : v[i].items())
          if (!(x.is_string() && x.get<std::string>() == key) && k != "policy" && k != "clock")
            flatten(x, path + "." + key + "." + k, out);
      } else {
        flatten(v[i], path + "." + key, out);
      }
    }
  } else {
    out.emplace_back(path, scalar_text(v));
  }
}

}  // namespace

std::string render_csv(const ojson& doc) {
  std::string out = csv_record({"group", "metric", "value"});
  const auto emit = [&](const std::string& group, const ojson& g) {
    std::vector<std::pair<std::string, std::string>> rows;
    flatten(g, "", rows);
    for (const auto& [metric, value] : rows) out += csv_record({group, metric, value});
  };
  emit("all", doc["total"]);
  for (const auto& g : doc["groups"]) emit(g["key"].get<std::string>(), g);
  return out;
}

namespace {

// Customer-given text (categories, tags, ids, owners) for a terminal or a
// digest: C0 and C1 control characters as \xNN.
std::string safe(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x20 || b == 0x7f) out += fmt::format("\\x{:02x}", b);
    else if (b == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
             static_cast<unsigned char>(s[i + 1]) <= 0x9f)
      out += fmt::format("\\u{:04x}", static_cast<unsigned char>(s[++i]));
    else out.push_back(s[i]);
  }
  return out;
}
std::string safe(const ojson& v) { return safe(v.get<std::string>()); }

// "42m", "3h 05m", "2d 04h" from minutes; "-" for null.
std::string human_min(const ojson& v) {
  if (v.is_null()) return "-";
  const double m = v.get<double>();
  if (m < 1) return fmt::format("{:.0f}s", m * 60);
  if (m < 60) return fmt::format("{:.1f}m", m);
  if (m < 1440) return fmt::format("{}h {:02}m", int64_t(m) / 60, int64_t(m) % 60);
  return fmt::format("{}d {:02}h", int64_t(m) / 1440, (int64_t(m) % 1440) / 60);
}

std::string pct(const ojson& v) { return v.is_null() ? "-" : fmt::format("{:.1f}%", v.get<double>() * 100); }

std::string bar(double value, double max, size_t width) {
  static const char* const eighths[] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
  if (max <= 0 || value <= 0) return "";
  const double cells = value / max * double(width);
  std::string s;
  for (size_t i = 0; i < size_t(cells); ++i) s += "█";
  s += eighths[size_t((cells - std::floor(cells)) * 8)];
  return s;
}

std::string spark(const ojson& counts, int64_t max) {
  static const char* const levels[] = {"·", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
  std::string s;
  for (const auto& c : counts) {
    const int64_t n = c.get<int64_t>();
    s += n == 0 || max == 0 ? levels[0] : levels[std::min<int64_t>(8, (n * 8 + max - 1) / max)];  // the busiest hour: █
  }
  return s;
}

std::vector<std::string> stat_row(const std::string& name, const ojson& s) {
  return {name, std::to_string(s["n"].get<int64_t>()), human_min(s["p50_min"]), human_min(s["p90_min"]),
          human_min(s["p95_min"]), human_min(s["mean_min"])};
}

void times_table(std::string& out, const ojson& g, bool colour, const std::string& calendars) {
  Table t{{"TIME", "N", "P50", "P90", "P95", "MEAN"}, {}, {}};
  t.rows.push_back(stat_row("first response", g["first_response"]["calendar"]));
  t.rows.push_back(stat_row("next response", g["next_response"]["calendar"]));
  if (!g["first_response"]["business"].is_null()) {
    t.rows.push_back(stat_row("first response (business)", g["first_response"]["business"]));
    t.rows.push_back(stat_row("next response (business)", g["next_response"]["business"]));
  }
  t.rows.push_back(stat_row("resolution", g["resolution"]["calendar"]));
  t.rows.push_back(stat_row("backlog age", g["backlog"]["age"]));
  if (!g["inbound_hours"]["off_duty"].is_null()) t.rows.push_back(stat_row("off-duty wait", g["inbound_hours"]["off_duty"]["wait"]));
  out += render_table(t, colour);
  if (g["first_response"]["business"].is_null()) out += "business time: " + calendars + "\n";
}

}  // namespace

std::string render_table(const ojson& doc, bool colour) {
  const auto head = [&](const std::string& s) { return "\n" + (colour ? "\033[1m" + s + "\033[0m" : s) + "\n"; };
  const ojson& g = doc["total"];
  const ojson& v = g["volume"];
  std::string out;
  out += fmt::format("{} cases ({} conversations), {} messages in, {} out (+{} auto); tz {}\n", v["cases"].get<int64_t>(),
                     v["conversations"].get<int64_t>(), v["messages_in"].get<int64_t>(), v["messages_out"].get<int64_t>(),
                     v["messages_out_auto"].get<int64_t>(), doc["tz"].get<std::string>());
  if (!doc["groups"].empty()) {
    out += head("By " + doc["by"].get<std::string>());
    Table t{{"GROUP", "CASES", "IN", "OUT", "FRT P50", "FRT P90", "NRT P50", "ANSWERED", "BACKLOG", "STALLED"}, {}, {32}};
    for (const auto& x : doc["groups"])
      t.rows.push_back({safe(x["key"]), std::to_string(x["volume"]["cases"].get<int64_t>()),
                        std::to_string(x["volume"]["messages_in"].get<int64_t>()),
                        std::to_string(x["volume"]["messages_out"].get<int64_t>()),
                        human_min(x["first_response"]["calendar"]["p50_min"]),
                        human_min(x["first_response"]["calendar"]["p90_min"]),
                        human_min(x["next_response"]["calendar"]["p50_min"]), pct(x["answered"]["share"]),
                        std::to_string(x["backlog"]["open"].get<int64_t>()),
                        std::to_string(x["handoffs"]["stalled"].get<int64_t>())});
    out += render_table(t, colour);
  }
  out += head("Response times (all)");
  times_table(out, g, colour, doc["calendars"].get<std::string>());
  out += fmt::format("answered: {} of {} conversations ({}); unanswered first responses {}, next responses {}\n",
                     g["answered"]["answered"].get<int64_t>(), g["answered"]["conversations"].get<int64_t>(),
                     pct(g["answered"]["share"]), g["first_response"]["unanswered"].get<int64_t>(),
                     g["next_response"]["unanswered"].get<int64_t>());

  out += head("SLA attainment");
  if (g["sla"].empty()) out += "no SLA clocks on these cases (socq triage sets them)\n";
  else {
    Table t{{"POLICY", "CLOCK", "MET", "BREACHED", "RUNNING", "ATTAINMENT"}, {}, {}};
    for (const auto& s : g["sla"])
      t.rows.push_back({s["policy"].get<std::string>(), s["clock"].get<std::string>(), std::to_string(s["met"].get<int64_t>()),
                        std::to_string(s["breached"].get<int64_t>()), std::to_string(s["running"].get<int64_t>()),
                        pct(s["attainment"])});
    out += render_table(t, colour);
  }

  out += head("Backlog");
  out += fmt::format("{} open now:", g["backlog"]["open"].get<int64_t>());
  for (const auto& [st, n] : g["backlog"]["by_status"].items()) out += fmt::format(" {} {}", st, n.get<int64_t>());
  out += "\n";

  out += head("Inbound by weekday x hour (" + doc["tz"].get<std::string>() + ")");
  int64_t max = 0;
  for (const auto& [d, hours] : g["inbound_hours"]["weekdays"].items())
    for (const auto& h : hours) max = std::max(max, h.get<int64_t>());
  out += "     0     6     12    18   \n";
  for (const auto& [d, hours] : g["inbound_hours"]["weekdays"].items()) {
    int64_t sum = 0;
    for (const auto& h : hours) sum += h.get<int64_t>();
    out += fmt::format("{}  {} {}\n", d, spark(hours, max), sum);
  }
  const ojson& off = g["inbound_hours"]["off_duty"];
  if (off.is_null()) out += "off duty: " + doc["calendars"].get<std::string>() + "\n";
  else
    out += fmt::format("off duty: {} inbound ({}); waited p50 {}\n", off["inbound"].get<int64_t>(), pct(off["share"]),
                       human_min(off["wait"]["p50_min"]));

  out += head("First response by follower count (fairness)");
  {
    double fmax = 0;
    for (const auto& b : g["fairness"])
      if (!b["first_response"]["p50_min"].is_null()) fmax = std::max(fmax, b["first_response"]["p50_min"].get<double>());
    Table t{{"FOLLOWERS", "N", "P50", "P90", "UNANSWERED", ""}, {}, {}};
    for (const auto& b : g["fairness"]) {
      const ojson& s = b["first_response"];
      t.rows.push_back({b["bucket"].get<std::string>(), std::to_string(s["n"].get<int64_t>()), human_min(s["p50_min"]),
                        human_min(s["p90_min"]), std::to_string(b["unanswered"].get<int64_t>()),
                        s["p50_min"].is_null() ? "" : bar(s["p50_min"].get<double>(), fmax, 20)});
    }
    out += render_table(t, colour);
  }

  for (const char* which : {"top_categories", "top_tags"}) {
    out += head(std::string(which) == "top_categories" ? "Top categories" : "Top tags");
    if (g[which].empty()) out += "none\n";
    const int64_t top = g[which].empty() ? 0 : g[which][0]["cases"].get<int64_t>();
    for (const auto& c : g[which])
      out += fmt::format("{:<24} {:>7} {}\n", truncate_to(safe(c["name"]), 24), c["cases"].get<int64_t>(),
                         bar(double(c["cases"].get<int64_t>()), double(top), 20));
  }
  out += head(fmt::format("Rising terms ({} .. {} against the period before)", doc["terms_periods"]["this"]["from"].get<std::string>().substr(0, 10),
                          doc["terms_periods"]["this"]["to"].get<std::string>().substr(0, 10)));
  if (g["rising_terms"].empty()) out += "none (no term seen twice this period)\n";
  for (const auto& t : g["rising_terms"])
    out += fmt::format("{:<24} {:>6} {:>6}  x{:.2f}\n", truncate_to(t["term"].get<std::string>(), 24), t["this"].get<int64_t>(),
                       t["previous"].get<int64_t>(), t["score"].get<double>());
  out += head("Handoffs");
  out += fmt::format("made {}, completed {}, stalled {}\n", g["handoffs"]["made"].get<int64_t>(),
                     g["handoffs"]["completed"].get<int64_t>(), g["handoffs"]["stalled"].get<int64_t>());
  return out;
}

std::string render_markdown(const ojson& doc) {
  const ojson& g = doc["total"];
  std::string out = "# Customer service digest\n\n";
  const auto& f = doc["filters"];
  out += fmt::format("Cases from {} to {} (time zone {}), generated {}.\n\n", f["since"].is_null() ? "the start" : f["since"].get<std::string>(),
                     f["until"].is_null() ? "now" : f["until"].get<std::string>(), doc["tz"].get<std::string>(),
                     doc["generated_at"].get<std::string>());
  const ojson& v = g["volume"];
  out += "## Volume\n\n";
  out += fmt::format("- {} cases ({} conversations)\n- {} messages from customers, {} replies (+{} automatic)\n\n",
                     v["cases"].get<int64_t>(), v["conversations"].get<int64_t>(), v["messages_in"].get<int64_t>(),
                     v["messages_out"].get<int64_t>(), v["messages_out_auto"].get<int64_t>());
  out += "## Response times\n\n| time | n | p50 | p90 | p95 | mean |\n|---|---:|---:|---:|---:|---:|\n";
  const auto row = [&](const std::string& name, const ojson& s) {
    out += fmt::format("| {} | {} | {} | {} | {} | {} |\n", name, s["n"].get<int64_t>(), human_min(s["p50_min"]),
                       human_min(s["p90_min"]), human_min(s["p95_min"]), human_min(s["mean_min"]));
  };
  row("first response", g["first_response"]["calendar"]);
  row("next response", g["next_response"]["calendar"]);
  if (!g["first_response"]["business"].is_null()) {
    row("first response (business hours)", g["first_response"]["business"]);
    row("next response (business hours)", g["next_response"]["business"]);
  }
  row("resolution", g["resolution"]["calendar"]);
  row("backlog age", g["backlog"]["age"]);
  out += fmt::format("\nAnswered: {} of {} conversations ({}).", g["answered"]["answered"].get<int64_t>(),
                     g["answered"]["conversations"].get<int64_t>(), pct(g["answered"]["share"]));
  if (g["first_response"]["business"].is_null()) out += " Business time: " + doc["calendars"].get<std::string>() + ".";
  out += "\n\n";
  if (!doc["groups"].empty()) {
    out += "## By " + doc["by"].get<std::string>() + "\n\n| " + doc["by"].get<std::string>() +
           " | cases | first response p50 | p90 | answered | backlog |\n|---|---:|---:|---:|---:|---:|\n";
    for (const auto& x : doc["groups"])
      out += fmt::format("| {} | {} | {} | {} | {} | {} |\n", safe(x["key"]), x["volume"]["cases"].get<int64_t>(),
                         human_min(x["first_response"]["calendar"]["p50_min"]), human_min(x["first_response"]["calendar"]["p90_min"]),
                         pct(x["answered"]["share"]), x["backlog"]["open"].get<int64_t>());
    out += "\n";
  }
  out += "## SLA attainment\n\n";
  if (g["sla"].empty()) out += "No SLA clocks on these cases.\n\n";
  else {
    out += "| policy | clock | met | breached | running | attainment |\n|---|---|---:|---:|---:|---:|\n";
    for (const auto& s : g["sla"])
      out += fmt::format("| {} | {} | {} | {} | {} | {} |\n", s["policy"].get<std::string>(), s["clock"].get<std::string>(),
                         s["met"].get<int64_t>(), s["breached"].get<int64_t>(), s["running"].get<int64_t>(), pct(s["attainment"]));
    out += "\n";
  }
  out += fmt::format("## Backlog\n\n{} cases open now", g["backlog"]["open"].get<int64_t>());
  for (const auto& [st, n] : g["backlog"]["by_status"].items()) out += fmt::format(", {} {}", st, n.get<int64_t>());
  out += fmt::format("; median age {}.\n\n", human_min(g["backlog"]["age"]["p50_min"]));
  out += "## When customers write (" + doc["tz"].get<std::string>() + ")\n\n| day | messages | busiest hour |\n|---|---:|---:|\n";
  for (const auto& [d, hours] : g["inbound_hours"]["weekdays"].items()) {
    int64_t sum = 0, best = 0;
    size_t best_h = 0;
    for (size_t h = 0; h < hours.size(); ++h) {
      sum += hours[h].get<int64_t>();
      if (hours[h].get<int64_t>() > best) best = hours[h].get<int64_t>(), best_h = h;
    }
    out += fmt::format("| {} | {} | {} |\n", d, sum, best ? fmt::format("{:02}:00", best_h) : "-");
  }
  const ojson& off = g["inbound_hours"]["off_duty"];
  out += off.is_null() ? "\nOff duty: " + doc["calendars"].get<std::string>() + ".\n\n"
                       : fmt::format("\nOff duty: {} messages ({}) arrived while no team was on duty; they waited {} (median).\n\n",
                                     off["inbound"].get<int64_t>(), pct(off["share"]), human_min(off["wait"]["p50_min"]));
  out += "## What customers write about\n\n";
  const auto list = [&](const char* title, const ojson& items) {
    out += std::string("**") + title + ":** ";
    if (items.empty()) out += "none";
    for (size_t i = 0; i < items.size(); ++i)
      out += fmt::format("{}{} ({})", i ? ", " : "", safe(items[i]["name"]), items[i]["cases"].get<int64_t>());
    out += "\n\n";
  };
  list("Top categories", g["top_categories"]);
  list("Top tags", g["top_tags"]);
  out += "**Rising terms** (this period against the one before): ";
  if (g["rising_terms"].empty()) out += "none";
  for (size_t i = 0; i < g["rising_terms"].size(); ++i) {
    const auto& t = g["rising_terms"][i];
    out += fmt::format("{}{} ({} vs {})", i ? ", " : "", t["term"].get<std::string>(), t["this"].get<int64_t>(), t["previous"].get<int64_t>());
  }
  out += "\n\n## Fairness: first response by follower count\n\n| followers | n | p50 | p90 | unanswered |\n|---|---:|---:|---:|---:|\n";
  for (const auto& b : g["fairness"])
    out += fmt::format("| {} | {} | {} | {} | {} |\n", b["bucket"].get<std::string>(), b["first_response"]["n"].get<int64_t>(),
                       human_min(b["first_response"]["p50_min"]), human_min(b["first_response"]["p90_min"]), b["unanswered"].get<int64_t>());
  out += fmt::format("\n## Handoffs\n\n{} made, {} completed, {} stalled.\n", g["handoffs"]["made"].get<int64_t>(),
                     g["handoffs"]["completed"].get<int64_t>(), g["handoffs"]["stalled"].get<int64_t>());
  return out;
}

std::string render_explain(Report& r, const std::string& metric) {
  const MetricDef* def = find_metric(metric);
  if (!def) return "";
  std::string out = std::string(def->text) + "\n";
  GroupStats& g = r.total();
  const TopK* top = nullptr;
  std::string title, value_name = "WAIT";
  if (metric == "first_response") top = &g.slow_first, title = "The slowest first responses";
  else if (metric == "next_response") top = &g.slow_next, title = "The slowest next responses";
  else if (metric == "resolution") top = &g.slow_resolution, title = "The slowest resolutions";
  else if (metric == "backlog") top = &g.old_backlog, title = "The oldest open cases", value_name = "AGE";
  else if (metric == "handoffs") top = &g.stalled, title = "Stalled handoffs, longest overdue first", value_name = "OVERDUE";
  if (!top) return out + "\nNo single cases weigh on this metric; see socq report --format json.\n";
  const auto items = top->sorted();
  out += fmt::format("\n{} ({}):\n", title, items.size());
  Table t{{"#", "CASE", value_name, "MINUTES", "FROM", "TO", "OWNER"}, {}, {}};
  for (const auto& w : items)
    t.rows.push_back({w.number ? std::to_string(w.number) : "-", safe(w.id), human_min(ojson(double(w.value_ms) / 60000.0)), fmt::format("{:.1f}", double(w.value_ms) / 60000.0),
                      w.start, w.stop, safe(w.owner)});
  out += render_table(t, false);
  if (!items.empty()) out += "Drill down: socq case show # (or ID)\n";
  return out;
}

}  // namespace socq::report
