// socq handoff: not built yet. It says so and exits 69 rather than pretend.
#include "cmd/commands.h"

namespace socq {

Runner setup_handoff(CLI::App* sub, Context& ctx) {
  sub->allow_extras();
  return [&ctx] { return not_implemented(ctx, "socq handoff (to a team, private channel, e-mail or ticketing system)"); };
}

}  // namespace socq
