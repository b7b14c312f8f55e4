// Away agents marked in the store with `socq case away`: they join the
// config's and rules files' [[away]] wherever triage and the queue ask who is
// away, so marking someone away needs no config edit on every machine.
#pragma once
#include <string>

#include "lib/result.h"
#include "lib/store.h"
#include "lib/triage/teams.h"

namespace socq {

// Adds the store's away marks to env.away (source "store").
Status add_store_away(TriageEnv& env, Store& store);

// A time given to `socq case away --from/--until`: RFC 3339 UTC
// (2026-12-24T09:00:00Z), a date (2026-12-24: its start, UTC), "now", or a
// duration from now (8h, 7d). Returns RFC 3339 UTC, or a usage error naming
// the flag.
Result<std::string> parse_away_time(const std::string& text, int64_t now_ms, const std::string& flag);

}  // namespace socq
