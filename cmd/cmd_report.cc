// socq report: not built yet. It says so and exits 69 rather than pretend.
#include "cmd/commands.h"

namespace socq {

Runner setup_report(CLI::App* sub, Context& ctx) {
  sub->allow_extras();
  return [&ctx] { return not_implemented(ctx, "socq report (response times, SLA attainment, coverage, top issues)"); };
}

}  // namespace socq
