// socq-fake PLATFORM [--port N] [--fixtures DIR] [--token T]... [--rate-limit N]
// Serves a fake platform on 127.0.0.1, prints the bound port alone on the
// first line of stdout, and serves until SIGTERM or SIGINT (then exits 0).
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "tests/fakes/facebook.h"
#include "tests/fakes/bluesky.h"
#include "tests/fakes/mastodon.h"
#include "tests/fakes/x.h"

namespace {

const char* kUsage =
    "usage: socq-fake mastodon|x|facebook|bluesky [--port N] [--fixtures DIR] [--token TOKEN]... [--rate-limit N]\n"
    "  --port N        port on 127.0.0.1 (default 0: any free port; printed on stdout)\n"
    "  --fixtures DIR  fixture directory (default: the source tree's tests/fakes/fixtures/PLATFORM)\n"
    "  --token TOKEN   an accepted bearer token, besides those in DIR/tokens (repeatable)\n"
    "  --rate-limit N  requests per 5-minute window (default 300)\n"
    "bluesky: --rate-limit is createSession calls per 5-minute window (default 30).\n";

int usage_error(const std::string& message) {
  std::cerr << "socq-fake: " << message << "\n" << kUsage;
  return 2;
}

bool parse_int(const std::string& s, int* out) {
  char* end = nullptr;
  long v = std::strtol(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0' || v < 0 || v > 1000000) return false;
  *out = static_cast<int>(v);
  return true;
}

// The options every platform takes; 0, or the exit code of a usage error.
struct Common {
  int port = 0;
  std::string* fixtures;
  std::vector<std::string>* tokens;
  int* rate_limit;
};

int parse_options(int argc, char** argv, Common& c) {
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    if (i + 1 >= argc) return usage_error(arg + " needs a value");
    std::string value = argv[++i];
    if (arg == "--port") {
      if (!parse_int(value, &c.port) || c.port > 65535) return usage_error("--port: not a port number: " + value);
    } else if (arg == "--fixtures") {
      *c.fixtures = value;
    } else if (arg == "--token") {
      c.tokens->push_back(value);
    } else if (arg == "--rate-limit") {
      if (!parse_int(value, c.rate_limit)) return usage_error("--rate-limit: not a count: " + value);
    } else {
      return usage_error("unknown option: " + arg);
    }
  }
  return 0;
}

// Loads, binds, prints the port and serves until SIGTERM or SIGINT.
template <class Fake>
int serve(Fake& fake, int port, const sigset_t& stop_signals) {
  std::string error;
  if (!fake.load(&error)) {
    std::cerr << "socq-fake: " << error << "\n";
    return 66;
  }
  if (!fake.start(port, &error)) {
    std::cerr << "socq-fake: " << error << "\n";
    return 69;
  }
  std::cout << fake.port() << std::endl;
  int sig = 0;
  sigwait(&stop_signals, &sig);
  fake.stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage_error("a platform is required");
  std::string platform = argv[1];
  if (platform == "-h" || platform == "--help") {
    std::cout << kUsage;
    return 0;
  }
  if (platform != "mastodon" && platform != "x" && platform != "facebook" && platform != "bluesky") return usage_error("unknown platform: " + platform);

  // Block the stop signals in every thread; the main thread waits for them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  if (platform == "mastodon") {
    socq::fake::MastodonOptions options;
    options.fixtures = socq::fake::default_mastodon_fixtures();
    Common c{0, &options.fixtures, &options.tokens, &options.rate_limit};
    if (int bad = parse_options(argc, argv, c)) return bad;
    socq::fake::MastodonFake fake(options);
    return serve(fake, c.port, stop_signals);
  }
  if (platform == "facebook") {
    socq::fake::FacebookOptions options;
    options.fixtures = socq::fake::default_facebook_fixtures();
    Common c{0, &options.fixtures, &options.tokens, &options.rate_limit};
    if (int bad = parse_options(argc, argv, c)) return bad;
    socq::fake::FacebookFake fake(options);
    return serve(fake, c.port, stop_signals);
  }
  if (platform == "bluesky") {
    socq::fake::BlueskyOptions options;
    options.fixtures = socq::fake::default_bluesky_fixtures();
    std::vector<std::string> tokens;  // unused: Bluesky logs in with the password in account.json
    Common c{0, &options.fixtures, &tokens, &options.session_limit};  // --rate-limit: createSession calls a window
    if (int bad = parse_options(argc, argv, c)) return bad;
    socq::fake::BlueskyFake fake(options);
    return serve(fake, c.port, stop_signals);
  }
  socq::fake::XOptions options;
  options.fixtures = socq::fake::default_x_fixtures();
  Common c{0, &options.fixtures, &options.tokens, &options.rate_limit};
  if (int bad = parse_options(argc, argv, c)) return bad;
  socq::fake::XFake fake(options);
  return serve(fake, c.port, stop_signals);
}
