// The channel of the brand account a case belongs to, for a DM handoff.
#pragma once
#include <functional>
#include <string>

#include "lib/config.h"
#include "lib/handoff/handoff.h"

namespace socq::handoff {

// The configured account whose channel and handle match the case (an
// account without a handle matches when it is its channel's only one).
Result<AccountConfig> account_for(const Config& cfg, const Case& c);

// That account's channel over a new libcurl client with fetch's retry
// policy; `log` gets one masked line per request.
Result<ChannelHandle> open_channel(const Config& cfg, const Case& c, const std::string& store_path,
                                   std::function<void(const std::string&)> log, EnvFn env = process_env);

}  // namespace socq::handoff
