// socq reply: not built yet. It says so and exits 69 rather than pretend.
#include "cmd/commands.h"

namespace socq {

Runner setup_reply(CLI::App* sub, Context& ctx) {
  sub->allow_extras();
  return [&ctx] { return not_implemented(ctx, "socq reply (threaded replies with length, style, PII and repetition checks)"); };
}

}  // namespace socq
