#include "lib/reply/checks.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "lib/reply/length.h"
#include "lib/reply/similarity.h"
#include "lib/toml_file.h"
#include "lib/triage/pii.h"
#include "lib/triage/text_match.h"

namespace socq::reply {

// The policy's patterns, compiled once per policy.
struct CompiledPolicy {
  PatternSet avoid;        // index i: policy.avoid[i]
  PatternSet first_reply;  // index i: policy.first_reply_avoid[i]
  PiiDetector pii;
};

struct RecentIndex::Impl {
  struct Entry {
    std::string case_id, customer_id, at;
    Shingles shingles;
  };
  std::vector<Entry> entries;
};

const std::vector<std::string> kDefaultFirstReplyAvoid = {
    "dm us", "dm me", "dm your", "please dm", "send us a dm", "send me a dm", "send a dm", "drop us a dm",
    "shoot us a dm", "slide into our dms", "our dms", "pm us", "send us a pm", "private message", "direct message",
    "message us privately", "contact us privately", "via dm", "in dm", "by dm", "in a dm"};

namespace {

constexpr const char* kPolicyKeys = "avoid, first_reply_avoid, account_patterns, repetition, repetition_days, repetition_threshold";

Error config_error(const std::string& where, const std::string& what) { return Error{Exit::config, where + ": " + what}; }

bool read_only_elsewhere(std::string_view key) {
  return std::find(std::begin(kReplyKeysReadElsewhere), std::end(kReplyKeysReadElsewhere), key) != std::end(kReplyKeysReadElsewhere);
}

Result<std::vector<std::string>> string_list(const toml::node& node, const std::string& file, const std::string& key) {
  const auto* arr = node.as_array();
  if (!arr) return config_error(toml_where(file, node), "reply." + key + " must be a list of strings");
  std::vector<std::string> out;
  for (const auto& item : *arr) {
    const auto* s = item.as_string();
    if (!s || s->get().empty()) return config_error(toml_where(file, item), "reply." + key + ": each entry must be a non-empty string");
    out.push_back(s->get());
  }
  return out;
}

// avoid = ["it appears", { phrase = "we apologise for any inconvenience", instead = "sorry about this" }]
Result<std::vector<AvoidPhrase>> avoid_list(const toml::node& node, const std::string& file) {
  const auto* arr = node.as_array();
  if (!arr) return config_error(toml_where(file, node), "reply.avoid must be a list of phrases");
  std::vector<AvoidPhrase> out;
  for (const auto& item : *arr) {
    AvoidPhrase p;
    if (const auto* s = item.as_string()) {
      p.phrase = s->get();
    } else if (const auto* t = item.as_table()) {
      for (const auto& [k, v] : *t) {
        const std::string key(k.str());
        const auto* s = v.as_string();
        if ((key != "phrase" && key != "instead") || !s)
          return config_error(toml_where(file, v), "reply.avoid: an entry is { phrase = \"...\", instead = \"...\" } (got \"" + key + "\")");
        (key == "phrase" ? p.phrase : p.suggestion) = s->get();
      }
    } else {
      return config_error(toml_where(file, item), "reply.avoid: each entry is a phrase or { phrase = \"...\", instead = \"...\" }");
    }
    if (fold_text(p.phrase).find_first_not_of(' ') == std::string::npos)
      return config_error(toml_where(file, item), "reply.avoid: an empty phrase");
    out.push_back(std::move(p));
  }
  return out;
}

Status load_repetition(ReplyPolicy& p, const std::string& key, const toml::node& node, const std::string& file) {
  const std::string where = toml_where(file, node);
  if (key == "repetition") {
    const auto* s = node.as_string();
    if (!s) return config_error(where, "reply.repetition must be \"refuse\", \"warn\" or \"off\"");
    if (s->get() == "refuse") p.repetition = RepetitionMode::refuse;
    else if (s->get() == "warn") p.repetition = RepetitionMode::warn;
    else if (s->get() == "off") p.repetition = RepetitionMode::off;
    else return config_error(where, "reply.repetition must be \"refuse\", \"warn\" or \"off\" (got \"" + s->get() + "\")");
  } else if (key == "repetition_days") {
    const auto* i = node.as_integer();
    if (!i || i->get() < 1 || i->get() > 365) return config_error(where, "reply.repetition_days must be a whole number of days from 1 to 365");
    p.repetition_days = static_cast<int>(i->get());
  } else {
    const double v = node.is_integer() ? static_cast<double>(node.as_integer()->get()) : node.is_floating_point() ? node.as_floating_point()->get() : -1;
    if (!(v > 0 && v <= 1)) return config_error(where, "reply.repetition_threshold must be a number above 0 and at most 1 (0.8: 80% of 3-word shingles shared)");
    p.repetition_threshold = v;
  }
  return ok_status();
}

Status load_key(ReplyPolicy& p, const std::string& key, const toml::node& node, const std::string& file) {
  if (key == "avoid") {
    auto list = avoid_list(node, file);
    if (!list) return list.error();
    p.avoid = std::move(*list);
  } else if (key == "first_reply_avoid" || key == "account_patterns") {
    auto list = string_list(node, file, key);
    if (!list) return list.error();
    (key == "first_reply_avoid" ? p.first_reply_avoid : p.account_patterns) = std::move(*list);
    if (key == "account_patterns")
      for (size_t i = 0; i < p.account_patterns.size(); ++i) {
        std::string err;
        PiiDetector probe;
        if (!probe.add_account_pattern(p.account_patterns[i], &err))
          return config_error(toml_where(file, *node.as_array()->get(i)), "reply.account_patterns: bad regex \"" + p.account_patterns[i] + "\": " + err);
      }
  } else if (key == "repetition" || key == "repetition_days" || key == "repetition_threshold") {
    return load_repetition(p, key, node, file);
  } else {
    return config_error(toml_where(file, node), "unknown key \"reply." + key + "\" (" + kPolicyKeys + ")");
  }
  return ok_status();
}

std::string pii_words(const std::vector<std::string>& kinds) {
  std::string out;
  for (size_t i = 0; i < kinds.size(); ++i) {
    const std::string& k = kinds[i];
    if (i) out += i + 1 == kinds.size() ? " and " : ", ";
    out += k == "email" ? "an e-mail address" : k == "phone" ? "a phone number" : k == "card" ? "a payment card number" : "an account or reference number";
  }
  return out;
}

int percent(double v) { return static_cast<int>(std::floor(v * 100 + 1e-9)); }

// Applies an override flag or a warn-only mode to a failed verdict.
void settle(CheckVerdict& v, const std::set<std::string>& overrides, bool warn_mode) {
  if (v.passed) return;
  if (!v.override_flag.empty() && overrides.count(v.override_flag)) {
    v.overridden = v.warn_only = true;
    v.message += "; overridden by " + v.override_flag;
  } else if (warn_mode) {
    v.warn_only = true;
    v.message += " (warning only: repetition = \"warn\")";
  }
}

}  // namespace

Status compile_policy(ReplyPolicy& policy) {
  auto c = std::make_shared<CompiledPolicy>();
  for (const AvoidPhrase& p : policy.avoid) c->avoid.add_keyword(p.phrase);
  for (const std::string& p : policy.first_reply_avoid) c->first_reply.add_keyword(p);
  std::string err;
  if (!c->avoid.compile(&err) || !c->first_reply.compile(&err))
    return config_error(policy.source.empty() ? "[reply]" : policy.source, "phrases: " + err);
  for (const std::string& re : policy.account_patterns)
    if (!c->pii.add_account_pattern(re, &err))
      return config_error(policy.source.empty() ? "[reply]" : policy.source, "account_patterns: bad regex \"" + re + "\": " + err);
  policy.compiled = std::move(c);
  return ok_status();
}

Status load_reply_policy_into(ReplyPolicy& policy, const toml::table& root, const std::string& file) {
  const toml::node* reply = root.get("reply");
  if (!reply) return ok_status();
  const auto* table = reply->as_table();
  if (!table) return config_error(toml_where(file, *reply), "\"reply\" must be a table ([reply])");
  policy.source = toml_where(file, *reply);
  for (const auto& [k, node] : *table) {
    const std::string key(k.str());
    if (read_only_elsewhere(key)) continue;
    if (auto st = load_key(policy, key, node, file); !st) return st;
  }
  return ok_status();
}

Result<ReplyPolicy> load_reply_policy(const MapConfig& cfg) {
  ReplyPolicy policy;
  policy.first_reply_avoid = kDefaultFirstReplyAvoid;
  for (const std::string& file : cfg.files) {
    auto root = parse_toml_file(file);
    if (!root) return root.error();
    if (auto st = load_reply_policy_into(policy, *root, file); !st) return st.error();
  }
  if (auto st = compile_policy(policy); !st) return st.error();
  return policy;
}

Result<ReplyPolicy> load_reply_policy(const Config& cfg) {
  if (const auto* map = dynamic_cast<const MapConfig*>(&cfg)) return load_reply_policy(*map);
  ReplyPolicy policy;
  policy.first_reply_avoid = kDefaultFirstReplyAvoid;
  if (auto st = compile_policy(policy); !st) return st.error();
  return policy;
}

bool may_post(const std::vector<CheckVerdict>& verdicts) {
  return std::all_of(verdicts.begin(), verdicts.end(), [](const CheckVerdict& v) { return v.passed || v.warn_only; });
}

RecentIndex::RecentIndex(const std::vector<RecentReply>& recent) : impl_(std::make_unique<Impl>()) {
  impl_->entries.reserve(recent.size());
  for (const RecentReply& r : recent) impl_->entries.push_back({r.case_id, r.customer_id, r.at, shingles_of(r.text, r.customer_names)});
}
RecentIndex::~RecentIndex() = default;
RecentIndex::RecentIndex(RecentIndex&&) noexcept = default;
RecentIndex& RecentIndex::operator=(RecentIndex&&) noexcept = default;

CheckVerdict check_length(const ReplyDraft& draft) {
  CheckVerdict v{"length", true, false, "", "", false};
  const Limits limits = draft.limits.max_chars > 0 ? draft.limits : default_limits(draft.channel, draft.is_public);
  if (draft.text.find_first_not_of(" \t\r\n") == std::string::npos) {
    v.passed = false;
    v.message = "length: the reply is empty";
    return v;
  }
  const Measured m = measure(draft.text, draft.channel, limits);
  const std::string urls =
      m.urls && draft.channel == "mastodon" ? fmt::format(" (URLs count {} each)", limits.chars_per_url > 0 ? limits.chars_per_url : 23)
      : m.urls && draft.channel == "x"      ? std::string(" (URLs count 23 each)")
      : m.urls                              ? std::string(" (URLs count in full)")
                                            : std::string();
  if (limits.max_chars <= 0) {
    v.message = fmt::format("length: {} {}; no limit known for channel \"{}\"", m.length, m.unit, draft.channel);
    return v;
  }
  if (m.length > limits.max_chars) {
    v.passed = false;
    v.message = fmt::format("length: {} of {} {}{}; shorten by {} (the platform refuses longer posts)", m.length, limits.max_chars,
                            m.unit, urls, m.length - limits.max_chars);
  } else if (limits.max_bytes > 0 && m.bytes > limits.max_bytes) {
    v.passed = false;
    v.message = fmt::format("length: {} of {} bytes (UTF-8); shorten by {} bytes (the platform refuses longer posts)", m.bytes,
                            limits.max_bytes, m.bytes - limits.max_bytes);
  } else {
    v.message = fmt::format("length: {} of {} {}{}", m.length, limits.max_chars, m.unit, urls);
  }
  return v;
}

CheckVerdict check_style(const ReplyDraft& draft, const ReplyPolicy& policy) {
  CheckVerdict v{"style", true, false, "", kAllowStyle, false};
  const std::string folded = fold_text(draft.text);
  std::vector<std::string> found;
  std::vector<int> hits;
  if (policy.compiled) {
    policy.compiled->avoid.match(folded, hits);
    for (int i : hits) {
      const AvoidPhrase& p = policy.avoid[static_cast<size_t>(i)];
      found.push_back("\"" + p.phrase + "\"" + (p.suggestion.empty() ? "" : " (instead: \"" + p.suggestion + "\")"));
    }
    if (draft.first_reply && draft.is_public) {  // a private first reply has made the move already
      policy.compiled->first_reply.match(folded, hits);
      std::string dm;  // one item however many phrases say it ("please dm us": "please dm", "dm us")
      for (int i : hits) dm += (dm.empty() ? "\"" : ", \"") + policy.first_reply_avoid[static_cast<size_t>(i)] + "\"";
      if (!dm.empty()) found.push_back(dm + " in a first reply (answer in public first)");
    }
  }
  if (found.empty()) {
    v.message = "style: no phrase to avoid";
    return v;
  }
  v.passed = false;
  v.message = "style: avoid ";
  for (size_t i = 0; i < found.size(); ++i) v.message += (i ? ", " : "") + found[i];
  v.message += std::string("; rewrite it or pass ") + kAllowStyle;
  return v;
}

CheckVerdict check_pii(const ReplyDraft& draft, const ReplyPolicy& policy) {
  CheckVerdict v{"pii", true, false, "", kAllowPii, false};
  if (!draft.is_public) {
    v.message = "pii: a private reply: not checked";
    return v;
  }
  std::vector<std::string> kinds;
  if (policy.compiled) policy.compiled->pii.scan(draft.text, kinds);
  else PiiDetector().scan(draft.text, kinds);
  if (kinds.empty()) {
    v.message = "pii: no e-mail address, phone, card or account number";
    return v;
  }
  v.passed = false;
  v.message = "pii: the public reply holds " + pii_words(kinds) + "; remove it, reply with --private, or pass " + kAllowPii;
  return v;
}

CheckVerdict check_repetition(const ReplyDraft& draft, const ReplyPolicy& policy, const RecentIndex& recent) {
  CheckVerdict v{"repetition", true, false, "", kAllowRepeat, false};
  if (policy.repetition == RepetitionMode::off) {
    v.message = "repetition: not checked (repetition = \"off\")";
    return v;
  }
  // The very text we already sent on this case: a command run twice.
  for (const auto& [text, at] : draft.sent_on_case)
    if (text == draft.text) {
      v.passed = false;
      v.message = fmt::format("repetition: this case already has our message with this very text (at {}); pass {} to send "
                              "it again", at, kAllowRepeat);
      return v;
    }
  const Shingles mine = shingles_of(draft.text, draft.customer_names);
  if (mine.hashes.empty()) {
    v.message = fmt::format("repetition: too short to compare (fewer than {} words besides greeting and names)", kMinWords);
    return v;
  }
  const RecentIndex::Impl::Entry* best = nullptr;
  double best_score = 0;
  size_t compared = 0;
  const double need = policy.repetition_threshold;
  for (const auto& e : recent.impl().entries) {
    if (e.shingles.hashes.empty()) continue;
    if (!draft.customer_id.empty() && e.customer_id == draft.customer_id) continue;
    if (!draft.case_id.empty() && e.case_id == draft.case_id) continue;
    ++compared;
    // Jaccard is at most the smaller set over the larger: skip what cannot reach the best so far.
    const size_t lo = std::min(mine.hashes.size(), e.shingles.hashes.size());
    const size_t hi = std::max(mine.hashes.size(), e.shingles.hashes.size());
    if (static_cast<double>(lo) / static_cast<double>(hi) <= best_score) continue;
    const double score = jaccard(mine, e.shingles);
    if (score > best_score) best_score = score, best = &e;
  }
  if (compared == 0) {
    v.message = fmt::format("repetition: no reply to another customer in the last {} days to compare with", policy.repetition_days);
    return v;
  }
  if (!best || best_score + 1e-9 < need) {
    v.message = fmt::format("repetition: no reply to another customer in the last {} days is alike (most alike {}%, limit {}%)",
                            policy.repetition_days, percent(best_score), percent(need));
    return v;
  }
  v.passed = false;
  v.message = fmt::format("repetition: {}% the same as the reply to another customer in case {}{} (limit {}%); write it for this "
                          "customer or pass {}",
                          percent(best_score), best->case_id, best->at.empty() ? "" : " at " + best->at, percent(need), kAllowRepeat);
  return v;
}

std::vector<CheckVerdict> run_checks(const ReplyDraft& draft, const ReplyPolicy& policy, const RecentIndex& recent,
                                     const std::set<std::string>& overrides) {
  std::vector<CheckVerdict> out;
  out.push_back(check_length(draft));
  out.push_back(check_style(draft, policy));
  settle(out.back(), overrides, false);
  out.push_back(check_pii(draft, policy));
  settle(out.back(), overrides, false);
  out.push_back(check_repetition(draft, policy, recent));
  settle(out.back(), overrides, policy.repetition == RepetitionMode::warn);
  return out;
}

std::vector<CheckVerdict> run_checks(const ReplyDraft& draft, const ReplyPolicy& policy, const std::vector<RecentReply>& recent,
                                     const std::set<std::string>& overrides) {
  return run_checks(draft, policy, RecentIndex(recent), overrides);
}

const char* const kReplyChecks =
    "Before posting, every reply passes four checks; each prints a verdict naming the check. A failed check stops the "
    "post (exit 65) unless its override flag is given or it only warns.\n"
    "\n"
    "length (no override: the platform would refuse the post) counts as the platform does. Mastodon: the instance's "
    "limit (read by socq fetch; 500 until then) in graphemes, i.e. user-perceived characters (an emoji with skin "
    "tone, a ZWJ family, a flag, a letter with combining accents each count 1); every URL counts 23 (the instance's "
    "characters_reserved_per_url) whatever its length; a remote mention @user@domain counts as @user. Bluesky: 300 "
    "graphemes and 3000 UTF-8 bytes, URLs in full (a chat message: 1000 graphemes, 10000 bytes). X: 280 weighted after NFC normalisation (twitter-text config v3): "
    "code points U+0000-U+10FF, U+2000-U+200D, U+2010-U+201F and U+2032-U+2037 weigh 1, all others 2 (CJK, most "
    "symbols), an emoji sequence 2, every URL 23, including a bare domain such as example.com (a direct message: "
    "10000, unverified). Facebook: 8000 "
    "characters for a comment, 2000 for a Messenger message (unverified against Meta's documentation). A URL is "
    "http:// or https:// up to the next space, without trailing . , ; : ! ? ' \" > and an unmatched ) or ].\n"
    "\n"
    "style (--allow-style): phrases of [reply] avoid, matched case-insensitively on NFC case-folded text as whole "
    "words, each with its suggested wording if configured; and in a public first reply on a case (no reply of ours "
    "yet) a reflex move to private messages: the phrases of first_reply_avoid (default: \"dm us\", \"dm me\", "
    "\"dm your\", \"please dm\", \"send us a dm\", \"send me a dm\", \"send a dm\", \"drop us a dm\", \"shoot "
    "us a dm\", \"slide into our dms\", \"our dms\", \"pm us\", \"send us a pm\", \"private message\", \"direct "
    "message\", \"message us privately\", \"contact us privately\", \"via dm\", \"in dm\", \"by dm\", \"in a dm\").\n"
    "\n"
    "pii (--allow-pii): a public reply must hold no e-mail address, phone number, payment card number (Luhn-checked) "
    "or account/reference number ([reply] account_patterns), echoed from the customer or typed: the detectors of "
    "triage's PII scan, links included (a reference in a URL is public too). A --private reply is not checked.\n"
    "\n"
    "repetition (--allow-repeat): first, the very text of a message we already sent on this case (the same command "
    "run twice); then a reply near-identical to one we sent to another customer (another customer id and "
    "case) in the last repetition_days days. Measure: both replies NFC case-folded; URLs, @mentions and the "
    "customers' names and handles removed; every word holding a digit (a reference, a time, an amount) made the "
    "same word; a leading greeting dropped (\"Hi Sam,\", \"Thanks Sam!\", \"Dear Ms. "
    "Lee:\", a name alone before a comma); then the Jaccard similarity of their 3-word shingles (shared / all). At "
    "repetition_threshold (default 0.8) or above they are the same reply: a filled template sent to two customers "
    "is, a different greeting or name alone does not make it different. Replies of fewer than 5 words after that "
    "are not compared. repetition = \"refuse\" (default) stops the post, \"warn\" prints the verdict and posts, "
    "\"off\" skips the check.\n"
    "\n"
    "[reply] keys: avoid = [\"it appears\", { phrase = \"we apologise for any inconvenience\", instead = \"sorry "
    "about this\" }]; first_reply_avoid = [phrases] (replaces the defaults; [] turns it off); account_patterns = "
    "[RE2 regexes, on the original text]; repetition = \"refuse\" | \"warn\" | \"off\"; repetition_days = 14 "
    "(1-365); repetition_threshold = 0.8 (above 0, at most 1). A bad key or value refuses the config with file:line "
    "and exit 78.";

}  // namespace socq::reply
