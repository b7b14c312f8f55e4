// socq triage: not built yet. It says so and exits 69 rather than pretend.
#include "cmd/commands.h"

namespace socq {

Runner setup_triage(CLI::App* sub, Context& ctx) {
  sub->allow_extras();
  return [&ctx] { return not_implemented(ctx, "socq triage (rules, business hours, SLA clocks, PII and incident detection)"); };
}

}  // namespace socq
