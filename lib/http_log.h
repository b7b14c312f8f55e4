// What may be said about a request: URLs with secret query values masked,
// and any known secret masked wherever it appears in a line.
#pragma once
#include <string>
#include <vector>

namespace socq {

// Masks the values of query parameters whose names suggest a secret
// (access_token, token, key, secret, password, signature, code, auth...)
// and any user:password@ part: "...?access_token=***&limit=80".
std::string redact_url(const std::string& url);
// Replaces every occurrence of each non-empty secret in text with "***".
std::string mask_secrets(std::string text, const std::vector<std::string>& secrets);

}  // namespace socq
