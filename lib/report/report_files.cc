#include "lib/report/report_files.h"

#include <optional>

#include "lib/case_blocks.h"

namespace socq::report {
namespace {

class ReportWorker final : public CaseWorker {
 public:
  explicit ReportWorker(Report& rep) : rep_(rep) { parser_.keep_source(false); }  // writes no case
  int64_t counted = 0;

 protected:
  Status on_case(Case&& c, const LineRead&, std::string&) override {
    counted += rep_.add(c);
    return ok_status();
  }

 private:
  Report& rep_;
};

}  // namespace

Status add_files(Report& rep, Report* spare, const std::vector<std::string>& files, int64_t& counted) {
  ReportWorker first(rep);
  std::optional<ReportWorker> second;
  if (spare && two_threads()) second.emplace(*spare);
  ReadStats stats;
  for (const auto& f : files)
    if (auto st = run_line_workers(f, {}, stats, first, second ? &*second : nullptr, nullptr); !st) return st;
  counted += first.counted;
  if (second) {
    counted += second->counted;
    rep.merge(*spare);
  }
  return ok_status();
}

}  // namespace socq::report
