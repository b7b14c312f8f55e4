#include "lib/handoff/webhook.h"

#include <nlohmann/json.hpp>

#include <strings.h>

#include <fmt/format.h>

namespace socq::handoff {
namespace {

// A value as it goes inside a JSON string: dump's escaping without the quotes.
std::string json_escaped(const std::string& s) {
  const std::string q = nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return q.substr(1, q.size() - 2);
}

// The first 200 bytes of an answer, printable, for an error message.
std::string excerpt(const std::string& body) {
  std::string out;
  for (unsigned char ch : body.substr(0, 200)) out += ch < 0x20 || ch == 0x7f ? ' ' : static_cast<char>(ch);
  return out;
}

}  // namespace

Result<std::string> expand_template(const std::string& body, const Vars& vars, const std::string& where) {
  std::string out;
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] == '{') {
      const size_t close = body.find('}', i);
      const std::string name = close == std::string::npos ? "" : body.substr(i + 1, close - i - 1);
      if (!name.empty() && name.find_first_of("{}\" :,\n") == std::string::npos) {
        auto it = vars.find(name);
        if (it == vars.end()) return Error{Exit::config, where + ": unknown placeholder {" + name + "} in the body template"};
        out += json_escaped(it->second);
        i = close;
        continue;
      }
    }
    out += body[i];
  }
  if (!nlohmann::json::accept(out)) return Error{Exit::config, where + ": the body template does not make valid JSON"};
  return out;
}

HttpRequest webhook_request(const WebhookConfig& w, const std::string& body, const std::string& secret, const std::string& key) {
  HttpRequest r;
  r.method = w.method;
  r.url = w.url;
  r.body = body;
  r.timeout_ms = w.timeout_ms;
  bool has_type = false;
  for (const auto& [name, value] : w.headers) {
    std::string v = value;
    for (size_t p; (p = v.find("{secret}")) != std::string::npos;) v.replace(p, 8, secret);
    has_type |= strcasecmp(name.c_str(), "Content-Type") == 0;
    r.headers.emplace_back(name, v);
  }
  if (!has_type) r.headers.emplace_back("Content-Type", "application/json");
  r.headers.emplace_back("Accept", "application/json");
  if (!w.idempotency_header.empty()) r.headers.emplace_back(w.idempotency_header, key);
  return r;
}

std::optional<std::string> pointer_text(const std::string& body, const std::string& pointer) {
  auto doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded()) return std::nullopt;
  try {
    const auto& v = doc.at(nlohmann::json::json_pointer(pointer));
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number_integer() || v.is_number_unsigned()) return v.dump();
    return std::nullopt;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

Result<WebhookAnswer> read_webhook_answer(const WebhookConfig& w, const HttpResponse& resp) {
  const std::string where = fmt::format("webhook {}: {} {} -> HTTP {}", w.name, w.method, w.url, resp.status);
  if (resp.status == 401 || resp.status == 403)
    return Error{Exit::no_perm, where + ": the target refused our credentials (check secret_env/secret_file)"};
  if (resp.status == 429 || resp.status >= 500) return Error{Exit::unavailable, where + ": " + excerpt(resp.body)};
  if (resp.status < 200 || resp.status >= 300) return Error{Exit::data, where + ": refused: " + excerpt(resp.body)};
  WebhookAnswer a;
  a.status = resp.status;
  if (w.ref_pointer.empty()) return a;
  auto ref = pointer_text(resp.body, w.ref_pointer);
  if (!ref || ref->empty())
    return Error{Exit::data, where + ": the answer has no ticket id at " + w.ref_pointer + " (it began: " + excerpt(resp.body) + ")"};
  a.ref = *ref;
  return a;
}

}  // namespace socq::handoff
