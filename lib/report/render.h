// Renderers of a finished report. Everything renders from one JSON document
// (report_json), so each format shows the same metrics with the same
// figures: json (the documented shape, "version": 1, docs/report.md), csv
// (one row per group x metric), md (a weekly digest) and a terminal table.
#pragma once
#include <nlohmann/json.hpp>

#include <string>

#include "lib/report/metrics.h"

namespace socq::report {

using ojson = nlohmann::ordered_json;

struct RenderInfo {
  std::string generated_at;  // RFC 3339
  std::vector<std::string> where;  // as given
};

// Sorts the samples (once) and builds the document.
ojson report_json(Report& r, const RenderInfo& info);

std::string render_json(const ojson& doc);
// RFC 4180: group,metric,value; metric is the JSON path below the group.
std::string render_csv(const ojson& doc);
std::string render_markdown(const ojson& doc);
std::string render_table(const ojson& doc, bool colour);
// One self-contained HTML page (inline CSS and SVG charts, no script, no
// external request); every figure is tagged with its JSON pointer (data-m).
std::string render_html(const ojson& doc);

// --explain METRIC: the definition and the cases that weigh most. Empty
// string when the metric is unknown.
std::string render_explain(Report& r, const std::string& metric);

}  // namespace socq::report
