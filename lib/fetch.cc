#include "lib/fetch.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "lib/channels/bluesky.h"
#include "lib/channels/facebook.h"
#include "lib/channels/mastodon.h"
#include "lib/channels/x.h"
#include "lib/http_curl.h"
#include "lib/http_log.h"
#include "lib/spelling.h"
#include "lib/timefmt.h"

namespace socq {
namespace {

// The one thread that touches the store runs jobs the account threads
// queue, and each account thread waits for its job's answer.
class StoreWriter {
 public:
  explicit StoreWriter(size_t workers) : workers_(workers) {}

  template <class T>
  T call(std::function<T(Store&)> job) {
    std::promise<T> done;
    auto answer = done.get_future();
    {
      std::lock_guard lock(m_);
      jobs_.push_back([&](Store& s) { done.set_value(job(s)); });
    }
    cv_.notify_one();
    return answer.get();
  }

  void worker_done() {
    {
      std::lock_guard lock(m_);
      --workers_;
    }
    cv_.notify_one();
  }

  // Runs jobs until every worker is done.
  void serve(Store* store) {
    std::unique_lock lock(m_);
    for (;;) {
      cv_.wait(lock, [&] { return !jobs_.empty() || workers_ == 0; });
      if (jobs_.empty()) return;
      auto job = std::move(jobs_.front());
      jobs_.pop_front();
      lock.unlock();
      job(*store);
      lock.lock();
    }
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<std::function<void(Store&)>> jobs_;
  size_t workers_;
};

std::string cursor_key(const std::string& handle, const std::string& stream) { return handle + "/" + stream; }

Result<MergeStats> commit_page(Store& s, FetchPage& page, const Channel& ch, const std::string& handle,
                               const FetchSettings& settings) {
  auto batch = s.begin_merge(settings.now, settings.by);
  if (!batch) return batch.error();
  for (auto& c : page.cases)
    if (auto st = (*batch)->add(std::move(c)); !st) return st.error();
  if (!page.cursor.empty()) {
    const std::string key = cursor_key(handle, page.stream);
    auto stored = s.cursor(ch.name(), key);
    if (!stored) return stored.error();
    // Never back: another run may have gone further meanwhile.
    if (!stored->has_value() || ch.cursor_after(page.cursor, **stored))
      if (auto st = (*batch)->set_cursor(ch.name(), key, page.cursor); !st) return st.error();
  }
  return (*batch)->commit();
}

Status save_limits(Store& s, const Channel& ch, const std::string& handle, const Limits& l, const FetchSettings& settings) {
  auto batch = s.begin_merge(settings.now, settings.by);
  if (!batch) return batch.error();
  const nlohmann::json j = {{"max_chars", l.max_chars}, {"chars_per_url", l.chars_per_url}, {"unit", l.unit}};
  if (auto st = (*batch)->set_cursor(ch.name(), cursor_key(handle, "limits"), j.dump()); !st) return st;
  auto done = (*batch)->commit();
  if (!done) return done.error();
  return ok_status();
}

class AccountRun {
 public:
  AccountRun(const AccountConfig& a, const FetchSettings& settings, const FetchHooks& hooks, StoreWriter& writer,
             AccountResult& result, EnvFn env)
      : a_(a), settings_(settings), hooks_(hooks), writer_(writer), result_(result), env_(env) {}

  Status run() {
    if (a_.base_url.empty())
      return Error{Exit::config, a_.source + ": accounts." + a_.name + ": base_url is needed to fetch from the API"};
    auto token = read_token(a_, env_);
    if (!token) return token.error();
    token_ = *token;
    auto transport = hooks_.transport ? hooks_.transport(a_.name) : make_curl_client(CurlOptions{settings_.connect_timeout_ms, log_fn()});
    SystemClock system_clock;
    ThreadSleeper thread_sleeper;
    PolicyClient http(*transport, hooks_.clock ? *hooks_.clock : system_clock, hooks_.sleeper ? *hooks_.sleeper : thread_sleeper,
                      settings_.policy, log_fn());
    auto st = with_channel(http);
    result_.http = http.stats();
    return st;
  }

 private:
  std::function<void(const std::string&)> log_fn() {
    return [this](const std::string& line) {
      if (hooks_.log) hooks_.log(a_.name, mask_secrets(line, {token_}));
    };
  }

  Status with_channel(HttpClient& http) {
    auto ch = make_channel(a_, http, token_, settings_.timeout_ms, log_fn(), settings_.store_path);
    if (!ch) return ch.error();
    Channel& channel = **ch;
    auto me = channel.whoami();
    if (!me) return me.error();
    result_.handle = me->handle;
    if (settings_.check_only) return ok_status();
    if (auto limits = channel.limits(); !limits) {
      log_fn()("post limits unknown: " + limits.error().message);
    } else {
      auto saved = writer_.call<Status>([&](Store& s) { return save_limits(s, channel, me->handle, *limits, settings_); });
      if (!saved) return saved;
    }
    for (const auto& stream : channel.streams())
      if (auto st = fetch_stream(channel, me->handle, stream); !st) return st;
    return ok_status();
  }

  Status fetch_stream(Channel& channel, const std::string& handle, const std::string& stream) {
    auto cursor = writer_.call<Result<std::optional<std::string>>>(
        [&](Store& s) { return s.cursor(channel.name(), cursor_key(handle, stream)); });
    if (!cursor) return cursor.error();
    FetchRequest req{stream, *cursor, settings_.since_ms};
    log_fn()(stream + (*cursor ? ": new since " + **cursor : ": first run, back to " + format_rfc3339_utc(settings_.since_ms)));
    return channel.fetch(req, [&](FetchPage&& page) -> Status {
      result_.pages += page.pages;
      result_.items += page.items;
      auto merged = writer_.call<Result<MergeStats>>([&](Store& s) { return commit_page(s, page, channel, handle, settings_); });
      if (!merged) return merged.error();
      result_.new_messages += merged->new_messages;
      result_.new_cases += merged->created;
      result_.updated_cases += merged->updated;
      if (hooks_.progress) hooks_.progress(result_);
      return ok_status();
    });
  }

  const AccountConfig& a_;
  const FetchSettings& settings_;
  const FetchHooks& hooks_;
  StoreWriter& writer_;
  AccountResult& result_;
  EnvFn env_;
  std::string token_;
};

}  // namespace

Result<std::unique_ptr<Channel>> make_channel(const AccountConfig& a, HttpClient& http, const std::string& token,
                                              int timeout_ms, std::function<void(const std::string&)> note,
                                              const std::string& store_path) {
  if (auto st = check_base_url(a); !st) return st.error();  // not at the first connect
  if (a.channel == "mastodon")
    return make_mastodon_channel(http, MastodonOptions{a.base_url, token, a.handle, timeout_ms, std::move(note)});
  if (a.channel == "bluesky") {
    BlueskyOptions o;
    o.base_url = a.base_url;
    o.identifier = a.identifier.empty() ? a.handle : a.identifier;
    o.password = token;
    o.handle = a.handle;
    o.session_file = store_path.empty() ? "" : bluesky_session_path(store_path, a.name);
    o.timeout_ms = timeout_ms;
    o.note = std::move(note);
    return make_bluesky_channel(http, std::move(o));
  }
  if (a.channel == "x") return make_x_channel(http, XOptions{a.base_url, token, a.handle, timeout_ms, std::move(note)});
  if (a.channel == "facebook")
    return make_facebook_channel(http, FacebookOptions{a.base_url, token, a.page_id, a.handle, timeout_ms, std::move(note), {}});
  return Error{Exit::unavailable, "not implemented yet: fetching from " + a.channel + " (account " + a.name + ")"};
}

std::vector<AccountResult> fetch_accounts(Store* store, const std::vector<AccountConfig>& accounts,
                                          const FetchSettings& settings, const FetchHooks& hooks, EnvFn env) {
  std::vector<AccountResult> results(accounts.size());
  StoreWriter writer(accounts.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < accounts.size(); ++i) {
    results[i].name = accounts[i].name;
    results[i].channel = accounts[i].channel;
    results[i].handle = accounts[i].handle;
    threads.emplace_back([&, i] {
      try {
        AccountRun run(accounts[i], settings, hooks, writer, results[i], env);
        if (auto st = run.run(); !st) results[i].error = st.error();
      } catch (const std::exception& e) {
        results[i].error = Error{Exit::internal, std::string("internal error (please report): ") + e.what()};
      }
      writer.worker_done();
    });
  }
  writer.serve(store);
  for (auto& t : threads) t.join();
  return results;
}

Result<std::vector<AccountConfig>> select_accounts(const std::vector<AccountConfig>& configured,
                                                   const std::vector<std::string>& names) {
  if (configured.empty())
    return Error{Exit::config, "no accounts configured: add an [accounts.NAME] table (channel, base_url, token_env or token_file) to the config"};
  if (names.empty()) return configured;
  std::vector<AccountConfig> out;
  for (const auto& n : names) {
    auto it = std::find_if(configured.begin(), configured.end(), [&](const AccountConfig& a) { return a.name == n; });
    if (it != configured.end()) {
      if (std::none_of(out.begin(), out.end(), [&](const AccountConfig& a) { return a.name == n; })) out.push_back(*it);
      continue;
    }
    std::string known, nearest;
    size_t best = 3;
    for (const auto& a : configured) {
      known += (known.empty() ? "" : ", ") + a.name;
      if (size_t d = edit_distance(n, a.name); d < best) best = d, nearest = a.name;
    }
    return Error{Exit::usage, "no account \"" + n + "\" in the config" + (nearest.empty() ? "" : "; did you mean \"" + nearest + "\"?") +
                                  " (configured: " + known + ")"};
  }
  return out;
}

Result<int64_t> parse_since(const std::string& s, int64_t now_ms) {
  if (auto d = parse_duration_ms(s); d && s.find_first_not_of("0123456789") != std::string::npos) return now_ms - *d;
  if (auto t = parse_rfc3339_utc(s)) return *t;
  if (s.size() == 10)
    if (auto t = parse_rfc3339_utc(s + "T00:00:00Z")) return *t;
  return Error{Exit::usage, "--since \"" + s + "\": want a date (2026-11-20), an RFC 3339 time (2026-11-20T08:00:00Z) or a duration back from now (7d, 36h, 90m)"};
}

}  // namespace socq
