// Each report metric defined once: what starts and stops its clock, with an
// example. The man page's NOTES, `--explain` and docs all print these.
#pragma once
#include <span>
#include <string>
#include <string_view>

namespace socq::report {

struct MetricDef {
  std::string_view name;  // as --explain takes it
  std::string_view text;
};

std::span<const MetricDef> metric_definitions();
const MetricDef* find_metric(std::string_view name);
// All definitions as the command's footer (paragraphs).
std::string definitions_text();

}  // namespace socq::report
