#include "lib/exit_codes.h"

#include <array>

namespace socq {

std::span<const ExitCodeInfo> exit_code_table() {
  static constexpr std::array<ExitCodeInfo, 13> table{{
      {Exit::ok, "ok", "success"},
      {Exit::failure, "failure", "failure not described by another code"},
      {Exit::usage, "usage", "bad command line: unknown command or option, missing argument"},
      {Exit::conflict, "conflict", "the case was changed by someone else since it was read"},
      {Exit::sla_at_risk, "sla-at-risk", "a case will breach its SLA soon (monitoring)"},
      {Exit::data, "data", "bad input data: the message names file, line and field"},
      {Exit::no_input, "no-input", "an input file does not exist or cannot be read"},
      {Exit::unavailable, "unavailable", "a service is unavailable, or the feature is not implemented yet"},
      {Exit::internal, "internal", "internal error (a bug in socq: please report it)"},
      {Exit::io, "io", "reading or writing a file or the store failed"},
      {Exit::temp_fail, "temp-fail", "temporary failure (store locked, rate limited): retry later"},
      {Exit::no_perm, "no-permission", "no permission, or bad credentials"},
      {Exit::config, "config", "bad configuration, or a store file socq must not touch"},
  }};
  return table;
}

}  // namespace socq
