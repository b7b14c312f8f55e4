// Writes N synthetic but valid cases as JSON Lines to stdout, for
// benchmarks and the memory test: socq-gen-cases N [SEED]
// With --twcs N: N rows in the layout of "Customer Support on Twitter".
#include <cstdio>
#include <cstdlib>
#include <string>

#include "lib/case_json.h"
#include "lib/timefmt.h"

namespace {
// Threads of four tweets: customer, brand reply, customer, brand; ids count
// down in time as in the data set.
int write_twcs(long long rows) {
  const char* brands[] = {"sprintcare", "AmazonHelp", "AppleSupport", "Uber_Support"};
  std::printf(",tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n");
  for (long long i = 0; i < rows; ++i) {
    const long long thread = i / 4, pos = i % 4, id = i + 1;
    const bool inbound = pos % 2 == 0;
    const std::string author = inbound ? std::to_string(100000 + thread) : brands[thread % 4];
    const std::string parent = pos == 0 ? "" : std::to_string(id - 1) + ".0";
    const std::string response = pos == 3 ? "" : std::to_string(id + 1);
    std::printf("%lld,%lld,%s,%s,Tue Oct 31 %02lld:%02lld:%02lld +0000 2017,\"@%s thanks, \"\"really\"\" helpful %lld\",%s,%s\n", i, id,
                author.c_str(), inbound ? "True" : "False", thread % 24, pos * 10, thread % 60,
                inbound ? brands[thread % 4] : author.c_str(), i, response.c_str(), parent.c_str());
  }
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc >= 3 && std::string(argv[1]) == "--twcs") return write_twcs(std::atoll(argv[2]));
  if (argc < 2) {
    std::fprintf(stderr, "usage: socq-gen-cases N [SEED]\n");
    return 2;
  }
  const long long n = std::atoll(argv[1]);
  unsigned seed = argc > 2 ? static_cast<unsigned>(std::atoi(argv[2])) : 1u;
  auto rnd = [&] { return seed = seed * 1103515245u + 12345u, (seed >> 8) & 0xFFFFFF; };
  const char* channels[] = {"mastodon", "bluesky", "x", "facebook"};
  const char* texts[] = {
      "Train 7:32 cancelled again, no info at the station. \"Why?\" \u00e9\u00e8 \U0001F620",
      "My meter reading was ignored and the bill doubled, can someone call me back please",
      "Still waiting for a refund after 3 weeks, this is the fourth time I ask",
      "Thanks for the quick help earlier, all sorted now"};
  std::string out;
  const int64_t base = 1795000000000;  // 2026-11-18
  for (long long i = 0; i < n; ++i) {
    socq::Case c;
    c.channel = channels[rnd() % 4];
    c.account = "brand";
    c.id = c.channel + ":brand:" + std::to_string(100000000 + i);
    c.rev = 1 + rnd() % 5;
    c.customer.id = std::to_string(rnd());
    c.customer.handle = "@user" + c.customer.id;
    c.customer.followers = rnd() % 5000;
    const int64_t t = base + static_cast<int64_t>(rnd() % 86400) * 1000 * 3;
    for (int m = 0; m < 2; ++m) {
      socq::Message msg;
      msg.id = std::to_string(200000000 + i * 2 + m);
      msg.dir = m == 0 ? socq::Dir::in : socq::Dir::out;
      msg.at = socq::format_rfc3339_utc(t + m * 600000);
      msg.author = m == 0 ? *c.customer.handle : "@brand";
      msg.text = texts[rnd() % 4];
      if (m == 1) msg.reply_to = std::to_string(200000000 + i * 2);
      c.messages.push_back(msg);
    }
    c.status = socq::CaseStatus::open;
    c.priority = "p" + std::to_string(1 + rnd() % 4);
    c.tags = {"line:north"};
    c.sla.first_response_due = socq::format_rfc3339_utc(t + 1800000);
    c.events.push_back({socq::format_rfc3339_utc(t + 60000), "triage", "rule delay-keywords set priority", {}});
    c.updated_at = socq::format_rfc3339_utc(t + 600000);
    c.extra.emplace_back("x_annotation", "{\"score\": 0.5, \"labels\": [\"a\", \"b\"]}");
    out.clear();
    socq::write_case_canonical(out, c);
    out.push_back('\n');
    std::fwrite(out.data(), 1, out.size(), stdout);
  }
  return 0;
}
