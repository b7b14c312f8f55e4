// Reads a JSON Lines file of cases and rewrites it three times: the
// pass-through of `fetch --from` (copy_cases: validated, no Case built),
// unchanged cases read into Cases (byte-identical, after full parsing) and
// forced canonical re-serialisation; prints MB/s for each and the CPU
// seconds (user + system, all threads: steadier than wall time on a busy
// machine).
// socq-bench-jsonl FILE OUT
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "lib/jsonl.h"

namespace {
double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  const auto secs = [](timeval t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return secs(u.ru_utime) + secs(u.ru_stime);
}

double run(const char* in, const char* out_path, bool canonical) {
  const auto t0 = std::chrono::steady_clock::now();
  std::FILE* out = std::fopen(out_path, "wb");
  if (!out) return -1;
  {
    socq::JsonlWriter w(out);
    socq::ReadStats stats;
    auto st = socq::read_cases(in, {}, stats, [&](socq::Case&& c) {
      if (canonical) c.touched();
      w.write(c);
      return socq::ok_status();
    });
    if (!st) {
      std::fprintf(stderr, "%s\n", st.error().message.c_str());
      return -1;
    }
  }
  std::fclose(out);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
double copy(const char* in, const char* out_path) {
  const auto t0 = std::chrono::steady_clock::now();
  std::FILE* out = std::fopen(out_path, "wb");
  if (!out) return -1;
  socq::ReadStats stats;
  auto st = socq::copy_cases(in, {}, stats, out);
  std::fclose(out);
  if (!st) {
    std::fprintf(stderr, "%s\n", st.error().message.c_str());
    return -1;
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: socq-bench-jsonl FILE OUT\n");
    return 2;
  }
  const double mb = static_cast<double>(std::filesystem::file_size(argv[1])) / 1e6;
  double cpu[4];
  cpu[0] = cpu_seconds();
  const double through = copy(argv[1], argv[2]);
  cpu[1] = cpu_seconds();
  const double pass = run(argv[1], argv[2], false);
  cpu[2] = cpu_seconds();
  const double canon = run(argv[1], argv[2], true);
  cpu[3] = cpu_seconds();
  if (through < 0 || pass < 0 || canon < 0) return 1;
  std::printf("validate+copy:     %.1f s, %.0f MB/s, %.2f s CPU\n", through, mb / through, cpu[1] - cpu[0]);
  std::printf("parse+passthrough: %.1f s, %.0f MB/s, %.2f s CPU\n", pass, mb / pass, cpu[2] - cpu[1]);
  std::printf("parse+canonical:   %.1f s, %.0f MB/s, %.2f s CPU\n", canon, mb / canon, cpu[3] - cpu[2]);
  return 0;
}
