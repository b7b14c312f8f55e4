// socq report --format html: one self-contained page (inline CSS and SVG,
// no script, no external request) rendered from the same JSON document as
// every other format. Every figure cell carries data-m, the JSON pointer of
// the number it shows, and shows that number's JSON text, so the page and
// --format json cannot disagree (tests/e2e/report_html.sh checks each).
#include <fmt/format.h>

#include <algorithm>

#include "lib/report/render.h"

namespace socq::report {
namespace {

constexpr const char* kStyle = R"css(
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;padding:0 1em;color:#1d2430;background:#fff}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #d8dde6;padding-bottom:.2em}
.meta{color:#5b6575}.cards{display:flex;flex-wrap:wrap;gap:.8em;margin:1em 0}
.card{border:1px solid #d8dde6;border-radius:6px;padding:.5em .9em;min-width:8em}.card b{display:block;font-size:1.4em}
table{border-collapse:collapse;margin:.6em 0}th,td{padding:.25em .7em;border-bottom:1px solid #eceff4;text-align:left}
th{background:#f4f6f9;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
svg{display:block;margin:.6em 0}svg text{font:12px system-ui,sans-serif;fill:#1d2430}
.p50{fill:#2f6fde}.p90{fill:#9dbbf0}.p95{fill:#d5e2f8}.ok{fill:#2e9d5b}.bad{fill:#d2463c}.heat{fill:#2f6fde}
.legend span{display:inline-block;width:.9em;height:.9em;margin:0 .3em 0 1em;vertical-align:middle}
)css";

// Text for HTML: the five characters that could open markup or end an
// attribute, escaped. Customers write handles, brands write categories.
std::string esc(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}
std::string esc(const ojson& v) { return esc(v.is_string() ? v.get<std::string>() : v.dump()); }

// A JSON pointer token (RFC 6901).
std::string token(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
  return out;
}

// A figure cell: the number's JSON text, and where it comes from.
std::string fig(const ojson& doc, const std::string& pointer) {
  const ojson& v = doc.at(ojson::json_pointer(pointer));
  return "<td class=\"n\" data-m=\"" + esc(pointer) + "\">" + (v.is_null() ? "–" : esc(v.dump())) + "</td>";
}

double number_or(const ojson& v, double fallback) { return v.is_number() ? v.get<double>() : fallback; }

void stats_row(std::string& out, const ojson& doc, const std::string& name, const std::string& at) {
  out += "<tr><th>" + esc(name) + "</th>";
  for (const char* k : {"n", "p50_min", "p90_min", "p95_min", "mean_min", "max_min"}) out += fig(doc, at + "/" + k);
  out += "</tr>\n";
}

void times_section(std::string& out, const ojson& doc) {
  const ojson& g = doc["total"];
  out += "<h2>Response times (minutes)</h2>\n<table><tr><th>time</th><th>n</th><th>p50</th><th>p90</th><th>p95</th>"
         "<th>mean</th><th>max</th></tr>\n";
  stats_row(out, doc, "first response", "/total/first_response/calendar");
  stats_row(out, doc, "next response", "/total/next_response/calendar");
  if (!g["first_response"]["business"].is_null()) {
    stats_row(out, doc, "first response (business time)", "/total/first_response/business");
    stats_row(out, doc, "next response (business time)", "/total/next_response/business");
  }
  stats_row(out, doc, "resolution", "/total/resolution/calendar");
  stats_row(out, doc, "backlog age", "/total/backlog/age");
  out += "</table>\n";
  out += "<p>Answered: <span data-m=\"/total/answered/answered\">" + esc(g["answered"]["answered"]) + "</span> of " +
         "<span data-m=\"/total/answered/conversations\">" + esc(g["answered"]["conversations"]) + "</span> conversations " +
         "(share <span data-m=\"/total/answered/share\">" + esc(g["answered"]["share"]) + "</span>)." +
         (g["first_response"]["business"].is_null() ? " Business time: " + esc(doc["calendars"]) + "." : "") + "</p>\n";
}

// Horizontal bars of first response p50/p90/p95 per group (per brand with --by account).
void group_chart(std::string& out, const ojson& doc) {
  const ojson& groups = doc["groups"];
  double max = 0;
  for (const auto& g : groups) max = std::max(max, number_or(g["first_response"]["calendar"]["p95_min"], 0));
  const int label = 200, width = 640, row = 26;
  out += fmt::format("<svg role=\"img\" aria-label=\"first response minutes by group\" width=\"{}\" height=\"{}\">\n",
                     label + width + 90, row * int(groups.size()) + 10);
  for (size_t i = 0; i < groups.size(); ++i) {
    const ojson& s = groups[i]["first_response"]["calendar"];
    const int y = 5 + row * int(i);
    out += fmt::format("<text x=\"0\" y=\"{}\">{}</text>\n", y + 16, esc(groups[i]["key"]));
    for (const char* q : {"p95", "p90", "p50"}) {
      const double v = number_or(s[std::string(q) + "_min"], 0);
      const int w = max > 0 ? int(v / max * width + 0.5) : 0;
      out += fmt::format("<rect class=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"20\"><title>{} {}: {} min</title></rect>\n",
                         q, label, y, w, esc(groups[i]["key"]), q, esc(s[std::string(q) + "_min"]));
    }
    out += fmt::format("<text x=\"{}\" y=\"{}\">{}</text>\n", label + width + 6, y + 16,
                       s["p50_min"].is_null() ? "–" : fmt::format("p50 {:.1f}m", s["p50_min"].get<double>()));
  }
  out += "</svg>\n<p class=\"legend\"><span style=\"background:#2f6fde\"></span>p50"
         "<span style=\"background:#9dbbf0\"></span>p90<span style=\"background:#d5e2f8\"></span>p95 "
         "(first response, minutes; the longest bar is the largest p95)</p>\n";
}

void groups_section(std::string& out, const ojson& doc) {
  const ojson& groups = doc["groups"];
  if (groups.empty()) return;
  out += "<h2>By " + esc(doc["by"]) + "</h2>\n";
  group_chart(out, doc);
  out += "<table><tr><th>" + esc(doc["by"]) + "</th><th>cases</th><th>in</th><th>out</th><th>first response p50</th>"
         "<th>p90</th><th>p95</th><th>next response p50</th><th>answered share</th><th>backlog</th><th>stalled handoffs</th></tr>\n";
  for (size_t i = 0; i < groups.size(); ++i) {
    const std::string at = "/groups/" + std::to_string(i);
    out += "<tr><th>" + esc(groups[i]["key"]) + "</th>" + fig(doc, at + "/volume/cases") + fig(doc, at + "/volume/messages_in") +
           fig(doc, at + "/volume/messages_out") + fig(doc, at + "/first_response/calendar/p50_min") +
           fig(doc, at + "/first_response/calendar/p90_min") + fig(doc, at + "/first_response/calendar/p95_min") +
           fig(doc, at + "/next_response/calendar/p50_min") + fig(doc, at + "/answered/share") + fig(doc, at + "/backlog/open") +
           fig(doc, at + "/handoffs/stalled") + "</tr>\n";
  }
  out += "</table>\n";
}

void sla_section(std::string& out, const ojson& doc) {
  const ojson& sla = doc["total"]["sla"];
  out += "<h2>SLA attainment</h2>\n";
  if (sla.empty()) {
    out += "<p>No SLA clocks on these cases (socq triage sets them).</p>\n";
    return;
  }
  const int label = 240, width = 500, row = 26;
  out += fmt::format("<svg role=\"img\" aria-label=\"SLA attainment\" width=\"{}\" height=\"{}\">\n", label + width + 70,
                     row * int(sla.size()) + 10);
  for (size_t i = 0; i < sla.size(); ++i) {
    const ojson& s = sla[i];
    const std::string name = s["policy"].get<std::string>() + " " + s["clock"].get<std::string>();
    const int y = 5 + row * int(i);
    const double a = number_or(s["attainment"], 0);
    const int met = int(a * width + 0.5);
    out += fmt::format("<text x=\"0\" y=\"{}\">{}</text>\n", y + 16, esc(name));
    if (!s["attainment"].is_null())
      out += fmt::format("<rect class=\"bad\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"20\"/>"
                         "<rect class=\"ok\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"20\"><title>{}: {} met</title></rect>\n",
                         label, y, width, label, y, met, esc(name), esc(s["attainment"]));
    out += fmt::format("<text x=\"{}\" y=\"{}\">{}</text>\n", label + width + 6, y + 16,
                       s["attainment"].is_null() ? "–" : fmt::format("{:.1f}%", a * 100));
  }
  out += "</svg>\n<table><tr><th>policy</th><th>clock</th><th>met</th><th>breached</th><th>running</th><th>attainment</th></tr>\n";
  for (size_t i = 0; i < sla.size(); ++i) {
    const std::string at = "/total/sla/" + std::to_string(i);
    out += "<tr><td>" + esc(sla[i]["policy"]) + "</td><td>" + esc(sla[i]["clock"]) + "</td>" + fig(doc, at + "/met") +
           fig(doc, at + "/breached") + fig(doc, at + "/running") + fig(doc, at + "/attainment") + "</tr>\n";
  }
  out += "</table>\n";
}

// Inbound messages by weekday x local hour: a heat map, darker = busier.
void hours_section(std::string& out, const ojson& doc) {
  const ojson& week = doc["total"]["inbound_hours"]["weekdays"];
  out += "<h2>Inbound by weekday and hour (" + esc(doc["tz"]) + ")</h2>\n";
  int64_t max = 0;
  for (const auto& [d, hours] : week.items())
    for (const auto& h : hours) max = std::max(max, h.get<int64_t>());
  const int cell = 24, left = 40;
  out += fmt::format("<svg role=\"img\" aria-label=\"inbound by weekday and hour\" width=\"{}\" height=\"{}\">\n",
                     left + 24 * cell + 10, 7 * cell + 24);
  for (int h = 0; h < 24; h += 3) out += fmt::format("<text x=\"{}\" y=\"12\">{:02}</text>\n", left + h * cell + 2, h);
  int row = 0;
  for (const auto& [d, hours] : week.items()) {
    const int y = 18 + row++ * cell;
    out += fmt::format("<text x=\"0\" y=\"{}\">{}</text>\n", y + 16, esc(d));
    for (size_t h = 0; h < hours.size(); ++h) {
      const int64_t n = hours[h].get<int64_t>();
      const double level = max ? 0.08 + 0.92 * double(n) / double(max) : 0;
      out += fmt::format("<rect class=\"heat\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill-opacity=\"{:.2f}\">"
                         "<title>{} {:02}:00 {}</title></rect>\n",
                         left + int(h) * cell, y, cell - 2, cell - 2, n ? level : 0.03, esc(d), h, n);
    }
  }
  out += "</svg>\n";
  const ojson& off = doc["total"]["inbound_hours"]["off_duty"];
  if (off.is_null()) out += "<p>Off duty: " + esc(doc["calendars"]) + ".</p>\n";
  else
    out += "<p>Off duty: <span data-m=\"/total/inbound_hours/off_duty/inbound\">" + esc(off["inbound"]) +
           "</span> inbound (share <span data-m=\"/total/inbound_hours/off_duty/share\">" + esc(off["share"]) +
           "</span>); waited p50 <span data-m=\"/total/inbound_hours/off_duty/wait/p50_min\">" + esc(off["wait"]["p50_min"]) +
           "</span> min.</p>\n";
}

void fairness_section(std::string& out, const ojson& doc) {
  out += "<h2>First response by follower count (fairness)</h2>\n<table><tr><th>followers</th><th>n</th><th>p50</th>"
         "<th>p90</th><th>unanswered</th></tr>\n";
  const ojson& fair = doc["total"]["fairness"];
  for (size_t i = 0; i < fair.size(); ++i) {
    const std::string at = "/total/fairness/" + std::to_string(i);
    out += "<tr><th>" + esc(fair[i]["bucket"]) + "</th>" + fig(doc, at + "/first_response/n") +
           fig(doc, at + "/first_response/p50_min") + fig(doc, at + "/first_response/p90_min") + fig(doc, at + "/unanswered") +
           "</tr>\n";
  }
  out += "</table>\n";
}

void counts_section(std::string& out, const ojson& doc, const char* member, const char* title) {
  out += std::string("<h2>") + title + "</h2>\n";
  const ojson& items = doc["total"][member];
  if (items.empty()) {
    out += "<p>None.</p>\n";
    return;
  }
  out += "<table><tr><th>name</th><th>cases</th></tr>\n";
  for (size_t i = 0; i < items.size(); ++i)
    out += "<tr><td>" + esc(items[i]["name"]) + "</td>" + fig(doc, "/total/" + std::string(member) + "/" + std::to_string(i) + "/cases") +
           "</tr>\n";
  out += "</table>\n";
}

void terms_section(std::string& out, const ojson& doc) {
  const ojson& p = doc["terms_periods"];
  out += "<h2>Rising terms</h2>\n<p class=\"meta\">" + esc(p["this"]["from"]) + " to " + esc(p["this"]["to"]) +
         " against the period before.</p>\n";
  const ojson& terms = doc["total"]["rising_terms"];
  if (terms.empty()) {
    out += "<p>None (no term seen twice this period).</p>\n";
    return;
  }
  out += "<table><tr><th>term</th><th>this period</th><th>before</th><th>score</th></tr>\n";
  for (size_t i = 0; i < terms.size(); ++i) {
    const std::string at = "/total/rising_terms/" + std::to_string(i);
    out += "<tr><td>" + esc(terms[i]["term"]) + "</td>" + fig(doc, at + "/this") + fig(doc, at + "/previous") +
           fig(doc, at + "/score") + "</tr>\n";
  }
  out += "</table>\n";
}

void backlog_section(std::string& out, const ojson& doc) {
  out += "<h2>Backlog and handoffs</h2>\n<table><tr><th>open</th>";
  for (const auto& [st, n] : doc["total"]["backlog"]["by_status"].items()) out += "<th>" + esc(st) + "</th>";
  out += "<th>handoffs made</th><th>completed</th><th>stalled</th></tr>\n<tr>" + fig(doc, "/total/backlog/open");
  for (const auto& [st, n] : doc["total"]["backlog"]["by_status"].items()) out += fig(doc, "/total/backlog/by_status/" + token(st));
  out += fig(doc, "/total/handoffs/made") + fig(doc, "/total/handoffs/completed") + fig(doc, "/total/handoffs/stalled") +
         "</tr></table>\n";
}

}  // namespace

std::string render_html(const ojson& doc) {
  const ojson& f = doc["filters"];
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                    "<title>socq report " + esc(doc["generated_at"]) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n";
  out += "<h1>Customer service report</h1>\n<p class=\"meta\">Generated " + esc(doc["generated_at"]) + "; time zone " +
         esc(doc["tz"]) + "; cases from " + (f["since"].is_null() ? "the start" : esc(f["since"])) + " to " +
         (f["until"].is_null() ? "now" : esc(f["until"]));
  for (const auto& w : f["where"]) out += "; where " + esc(w);
  out += "; <span data-m=\"/cases_read\">" + esc(doc["cases_read"]) + "</span> cases read.</p>\n<div class=\"cards\">\n";
  for (const auto& [name, at] : std::initializer_list<std::pair<const char*, const char*>>{
           {"cases", "/total/volume/cases"},
           {"conversations", "/total/volume/conversations"},
           {"messages in", "/total/volume/messages_in"},
           {"replies", "/total/volume/messages_out"},
           {"automatic replies", "/total/volume/messages_out_auto"},
           {"open now", "/total/backlog/open"}})
    out += std::string("<div class=\"card\"><b data-m=\"") + at + "\">" + esc(doc.at(ojson::json_pointer(at))) + "</b>" + name +
           "</div>\n";
  out += "</div>\n";
  times_section(out, doc);
  groups_section(out, doc);
  sla_section(out, doc);
  hours_section(out, doc);
  fairness_section(out, doc);
  counts_section(out, doc, "top_categories", "Top categories");
  counts_section(out, doc, "top_tags", "Top tags");
  terms_section(out, doc);
  backlog_section(out, doc);
  out += "<p class=\"meta\">Definitions of every metric: man socq-report (NOTES), or socq report --explain METRIC.</p>\n"
         "</body>\n</html>\n";
  return out;
}

}  // namespace socq::report
