// A handoff to a ticketing system: a JSON request built from the
// [webhooks.NAME] template, sent through an HttpClient, and the ticket id
// read from the answer by a JSON pointer.
#pragma once
#include <map>
#include <string>

#include "lib/handoff/config.h"
#include "lib/http.h"
#include "lib/result.h"

namespace socq::handoff {

using Vars = std::map<std::string, std::string>;

// Replaces each {name} of `vars` in the template by its JSON-escaped value
// (without quotes: placeholders stand inside JSON strings). An unknown
// {name} is an error naming it; the result must be valid JSON.
Result<std::string> expand_template(const std::string& body, const Vars& vars, const std::string& where);

// The request: headers with {secret} filled in, the idempotency header
// with `key` when the target supports one.
HttpRequest webhook_request(const WebhookConfig& w, const std::string& body, const std::string& secret,
                            const std::string& key);

// What the target answered: the ticket reference (by ref_pointer; a number
// becomes its decimal text) and the answer's JSON. A 2xx without the
// pointer is Exit::data; 5xx and 429 Exit::unavailable (retry later); 401
// and 403 Exit::no_perm; other 4xx Exit::data (refused for good).
struct WebhookAnswer {
  std::string ref;
  int status = 0;
};
Result<WebhookAnswer> read_webhook_answer(const WebhookConfig& w, const HttpResponse& resp);

// Whole-value text of a JSON pointer in `body`, or nullopt.
std::optional<std::string> pointer_text(const std::string& body, const std::string& pointer);

}  // namespace socq::handoff
