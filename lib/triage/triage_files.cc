#include "lib/triage/triage_files.h"

#include "lib/case_blocks.h"

namespace socq {
namespace {

class TriageWorker final : public CaseWorker {
 public:
  TriageWorker(const TriageSetup& setup, const std::string& now) : triager_(setup, now) {
    parser_.keep_source(false);  // an unchanged case goes out as the line read
  }
  size_t changed() const { return changed_; }

 protected:
  Status on_case(Case&& c, const LineRead& line, std::string& out) override {
    if (!triager_.triage(c)) {
      out.append(line.text);
      if (!line.with_newline) out.push_back('\n');
      return ok_status();
    }
    ++changed_;
    write_case_canonical(out, c);
    out.push_back('\n');
    return ok_status();
  }

 private:
  Triager triager_;
  size_t changed_ = 0;
};

}  // namespace

Status triage_files(const TriageSetup& setup, const std::string& now, const std::vector<std::string>& files,
                    std::FILE* out, TriageCount& count) {
  TriageWorker first(setup, now), second(setup, now);
  Status st = ok_status();
  for (const auto& f : files) {
    st = run_line_workers(f, {}, count.read, first, two_threads() ? &second : nullptr, out);
    if (!st) break;
  }
  count.changed = first.changed() + second.changed();
  return st;
}

}  // namespace socq
