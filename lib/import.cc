#include "lib/import.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <set>
#include <unordered_map>
#include <nlohmann/json.hpp>
#include <simdjson.h>

#include "lib/case_json.h"
#include "lib/csv.h"
#include "lib/input_file.h"
#include "lib/message_spill.h"
#include "lib/record_sort.h"
#include "lib/toml_file.h"
#include "lib/timefmt.h"

namespace socq {
namespace {

constexpr std::array<const char*, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// Records a bad record: an error, or with skip_bad a count by reason.
Status bad_record(const ImportOptions& opts, ImportStats& stats, const std::string& where, const std::string& problem) {
  if (!opts.skip_bad) return Error{Exit::data, where + problem};
  if (stats.skipped++ == 0) stats.first_skip = where + problem;
  ++stats.skip_reasons[problem.substr(0, problem.find(':'))];
  return ok_status();
}

std::string strip_at(std::string s) { return !s.empty() && s[0] == '@' ? s.substr(1) : s; }

const std::vector<std::string> kTwcsColumns{"tweet_id", "author_id", "inbound", "created_at", "text",
                                            "response_tweet_id", "in_response_to_tweet_id"};

// The TWCS header, with or without the unnamed index column pandas adds.
int twcs_offset(const std::vector<std::string>& header) {
  for (int offset : {0, 1}) {
    if (header.size() != kTwcsColumns.size() + static_cast<size_t>(offset)) continue;
    if (offset == 1 && !header[0].empty()) continue;
    if (std::equal(kTwcsColumns.begin(), kTwcsColumns.end(), header.begin() + offset)) return offset;
  }
  return -1;
}

// The byte offset of the first byte that is not UTF-8, or npos. The store
// holds JSON, which is UTF-8 only: such text is refused, not repaired.
size_t invalid_utf8_at(std::string_view s) {
  if (simdjson::validate_utf8(s.data(), s.size())) return std::string_view::npos;
  // Rare path (a bad row): find the byte to name it.
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    const size_t n = b < 0x80 ? 1 : b >= 0xC2 && b <= 0xDF ? 2 : b >= 0xE0 && b <= 0xEF ? 3 : b >= 0xF0 && b <= 0xF4 ? 4 : 0;
    if (n == 0 || i + n > s.size() || !simdjson::validate_utf8(s.data() + i, n)) return i;
    i += n;
  }
  return 0;
}

// "" when every field is UTF-8 text, else "<column>: not UTF-8 text ...".
std::string utf8_problem(const std::vector<std::string>& fields, const std::vector<std::string>& names) {
  for (size_t i = 0; i < fields.size(); ++i) {
    const size_t at = invalid_utf8_at(fields[i]);
    if (at == std::string_view::npos) continue;
    const std::string name = i < names.size() && !names[i].empty() ? names[i] : "column " + std::to_string(i + 1);
    return name + ": not UTF-8 text (bad byte at offset " + std::to_string(at) + ")";
  }
  return "";
}

Result<std::string> in_range_time(int64_t ms, const std::string& value) {
  if (!time_in_range(ms)) return Error{Exit::data, "time outside the years 0000-9999: \"" + value + "\""};
  return format_rfc3339_utc(ms);
}

Result<std::string> parse_time(const std::string& value, const std::string& format) {
  if (format == "rfc3339") {
    if (auto ms = parse_rfc3339_utc(value)) return format_rfc3339_utc(*ms);
  } else if (format == "twitter") {
    if (auto t = parse_twitter_time(value)) return *t;
  } else if (format == "epoch" || format == "epoch_ms") {
    if (all_digits(value)) {
      if (auto ms = parse_epoch_ms(value, format == "epoch")) return format_rfc3339_utc(*ms);
      return Error{Exit::data, "time outside the years 0000-9999: \"" + value + "\""};
    }
  } else {
    std::tm tm{};
    const char* end = strptime(value.c_str(), format.c_str(), &tm);
    // Times are UTC unless the format reads an offset (%z fills tm_gmtoff).
    if (end && *end == '\0') {
      const int64_t offset = tm.tm_gmtoff;  // read first: timegm() resets it
      const int64_t seconds = static_cast<int64_t>(timegm(&tm)) - offset;
      if (seconds < kMinTimeMs / 1000 || seconds > kMaxTimeMs / 1000 || tm.tm_year > 9999 - 1900)
        return Error{Exit::data, "time outside the years 0000-9999: \"" + value + "\""};
      return in_range_time(seconds * 1000, value);
    }
  }
  return Error{Exit::data, "not a time in format " + format + ": \"" + value + "\""};
}

int two_digits(std::string_view s) { return (s[0] - '0') * 10 + (s[1] - '0'); }

}  // namespace

std::optional<std::string> parse_twitter_time(std::string_view s) {
  // Www Mmm dd hh:mm:ss +zzzz yyyy
  if (s.size() != 30 || s[3] != ' ' || s[7] != ' ' || s[10] != ' ' || s[19] != ' ' || s[25] != ' ') return std::nullopt;
  const auto month = std::find(kMonths.begin(), kMonths.end(), s.substr(4, 3));
  if (month == kMonths.end()) return std::nullopt;
  const std::string iso = std::string(s.substr(26, 4)) + "-" + (month - kMonths.begin() < 9 ? "0" : "") +
                          std::to_string(month - kMonths.begin() + 1) + "-" + std::string(s.substr(8, 2)) + "T" +
                          std::string(s.substr(11, 8)) + "Z";
  auto ms = parse_rfc3339_utc(iso);
  const std::string_view zone = s.substr(20, 5);
  if (!ms || (zone[0] != '+' && zone[0] != '-') || !all_digits(zone.substr(1))) return std::nullopt;
  const int offset_min = two_digits(zone.substr(1, 2)) * 60 + two_digits(zone.substr(3, 2));
  const int64_t utc = *ms - (zone[0] == '+' ? 1 : -1) * int64_t{offset_min} * 60000;
  if (!time_in_range(utc)) return std::nullopt;  // e.g. Dec 31 9999 at -0100 is year 10000 in UTC
  return format_rfc3339_utc(utc);
}

std::string time_from_tweet_id(uint64_t id) {
  return format_rfc3339_utc(static_cast<int64_t>(id >> 22) + 1288834974657);
}

std::optional<std::string> integer_id(std::string_view s) {
  const auto dot = s.find('.');
  const std::string_view whole = s.substr(0, dot);
  if (!all_digits(whole)) return std::nullopt;
  if (dot != std::string_view::npos) {
    const std::string_view frac = s.substr(dot + 1);
    if (frac.empty() || !std::all_of(frac.begin(), frac.end(), [](char c) { return c == '0'; })) return std::nullopt;
  }
  return std::string(whole);
}

Status set_mapping(CsvMapping& m, const std::string& key, const std::string& value) {
  std::map<std::string, std::string*> fields{
      {"id", &m.id},           {"author", &m.author},         {"at", &m.at},
      {"text", &m.text},       {"inbound", &m.inbound},       {"parent", &m.parent},
      {"channel", &m.channel}, {"account", &m.account},       {"name", &m.name},
      {"channel_name", &m.channel_name}, {"account_name", &m.account_name}, {"time_format", &m.time_format}};
  if (key == "inbound_values") {
    m.inbound_values.clear();
    size_t start = 0;
    for (size_t comma; (comma = value.find(',', start)) != std::string::npos; start = comma + 1)
      m.inbound_values.push_back(lower(value.substr(start, comma - start)));
    m.inbound_values.push_back(lower(value.substr(start)));
    return ok_status();
  }
  auto it = fields.find(key);
  if (it == fields.end())
    return Error{Exit::usage, "unknown mapping key \"" + key +
                                  "\" (id, author, at, text, inbound, parent, channel, account, name, channel_name, "
                                  "account_name, time_format, inbound_values)"};
  *it->second = value;
  return ok_status();
}

Status load_mapping(const std::string& path, CsvMapping& m) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return Error{Exit::io, path + ": is a directory, not a mapping file"};
  if (std::ifstream probe(path); !probe)  // toml++ would say "line 0"
    return Error{Exit::no_input, path + ": cannot read the mapping file: " + std::strerror(errno)};
  auto parsed = parse_toml_file(path);
  if (!parsed) return parsed.error();
  const toml::table& table = *parsed;
  for (const auto& [key, node] : table) {
    const std::string where = toml_where(path, node) + ": ";
    const auto* s = node.as_string();
    if (!s) return Error{Exit::config, where + "\"" + std::string(key.str()) + "\" must be a string"};
    if (auto st = set_mapping(m, std::string(key.str()), s->get()); !st)
      return Error{Exit::config, where + st.error().message};
  }
  return ok_status();
}

Result<ImportFormat> parse_format(const std::string& name) {
  if (name == "jsonl") return ImportFormat::jsonl;
  if (name == "twcs") return ImportFormat::twcs;
  if (name == "ibm-cc") return ImportFormat::ibm_cc;
  if (name == "csv") return ImportFormat::csv;
  return Error{Exit::usage, "unknown format \"" + name + "\" (auto, jsonl, twcs, ibm-cc, csv)"};
}

Result<ImportFormat> detect_format(const std::string& path) {
  if (path == "-") return ImportFormat::jsonl;
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return Error{Exit::io, path + ": read error: Is a directory"};
  const auto ends = [&](const char* suffix) { return path.ends_with(suffix); };
  if (ends(".jsonl") || ends(".ndjson")) return ImportFormat::jsonl;
  if (ends(".csv")) {
    CsvReader r(path);
    if (!r.error().empty()) return Error{Exit::no_input, r.error()};
    std::vector<std::string> header;
    if (r.next(header) && twcs_offset(header) >= 0) return ImportFormat::twcs;
    return ImportFormat::csv;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{Exit::no_input, path + ": " + std::strerror(errno)};
  char c = 0;
  while (in.get(c) && std::isspace(static_cast<unsigned char>(c))) {
  }
  if (c == '[') return ImportFormat::ibm_cc;
  if (c == '{') return ImportFormat::jsonl;
  return Error{Exit::usage, path + ": cannot tell the format; name it with --format (jsonl, twcs, ibm-cc, csv)"};
}

namespace {

// Reads the n messages of a spill file from the start, calling
// on_message(i, m) for each; stops at the first error either returns.
Status each_spilled(SpillFile& spill, uint32_t n, const std::function<Status(uint32_t, ImportMessage&)>& on_message) {
  if (auto st = spill.rewind(); !st) return st;
  ImportMessage m;
  for (uint32_t i = 0; i < n; ++i) {
    auto got = spill.read(m);
    if (!got) return got.error();
    if (!*got) return Error{Exit::io, "the import's temporary file ended early"};
    if (auto st = on_message(i, m); !st) return st;
  }
  return ok_status();
}

// Threads are the groups of rows linked by reply_to (build_cases' roots),
// found without holding an index of every id: a pass over the rows writes
// (id, row) and (parent id, row) records to temporary files; sorted by id
// on disk, they give each reply its parent's row (the first row with that
// id; later ones are repeats, skipped as build_cases keeps the first) as a
// link, kept at both of its rows: (later row, earlier row) says where the
// two threads meet, (earlier, later) how long the earlier row's thread stays
// open. A last pass over the rows in file order (sweep_threads) then holds
// only the threads still open.
struct IdRecord {
  uint64_t key;
  uint32_t row;
  uint32_t brand;  // ids: the author's number among outbound authors, or kNoBrand
};
struct Link {
  uint32_t at, other;
};
constexpr uint32_t kNoBrand = UINT32_MAX;

bool by_key_then_row(const IdRecord& a, const IdRecord& b) { return a.key != b.key ? a.key < b.key : a.row < b.row; }
bool by_row_then_other(const Link& a, const Link& b) { return a.at != b.at ? a.at < b.at : a.other < b.other; }

// What pass 1 leaves besides the spilled rows.
struct TwcsRecords {
  RecordFile<IdRecord> ids, parents;
  IdKeys keys;
  std::unordered_map<std::string, uint32_t> author_number;  // outbound authors
  std::vector<std::string> authors;
};

struct ThreadPlan {
  std::vector<bool> repeat;      // the row's id came before: the row is skipped
  std::set<std::string> brands;  // every outbound author of a kept row: the id scheme asks about the whole file
  std::optional<RecordFile<Link>> links;  // sorted by row
};

// Marks repeated ids and collects the brands from the ids sorted by id.
Status mark_repeats(RecordFile<IdRecord>& ids, const TwcsRecords& rec, ThreadPlan& plan, ThreadStats& stats) {
  IdRecord r{}, prev{};
  for (bool first = true;; first = false) {
    auto got = ids.get(r);
    if (!got) return got.error();
    if (!*got) return ok_status();
    if (!first && r.key == prev.key) {
      plan.repeat[r.row] = true;
      ++stats.duplicates;
      continue;
    }
    if (r.brand != kNoBrand) plan.brands.insert(rec.authors[r.brand]);
    prev = r;
  }
}

// Joins the parents sorted by id to the ids sorted by id: a link for each
// kept reply whose parent is in the file (and not the reply itself).
Status link_replies(RecordFile<IdRecord>& ids, RecordFile<IdRecord>& parents, const ThreadPlan& plan,
                    RecordFile<Link>& links) {
  if (auto st = ids.rewind(); !st) return st;
  IdRecord id{}, reply{};
  auto have_id = ids.get(id);
  if (!have_id) return have_id.error();
  for (;;) {
    auto got = parents.get(reply);
    if (!got) return got.error();
    if (!*got) return ok_status();
    while (*have_id && id.key < reply.key) {
      const uint64_t key = id.key;
      while (*have_id && id.key == key)  // the rest of this id's rows are repeats
        if (have_id = ids.get(id); !have_id) return have_id.error();
    }
    if (!*have_id || id.key != reply.key || plan.repeat[reply.row] || id.row == reply.row) continue;
    const uint32_t a = std::min(id.row, reply.row), b = std::max(id.row, reply.row);
    if (auto st = links.put({b, a}); !st) return st;
    if (auto st = links.put({a, b}); !st) return st;
  }
}

Result<ThreadPlan> plan_threads(TwcsRecords& rec, uint32_t n, ThreadStats& stats) {
  ThreadPlan plan;
  plan.repeat.assign(n, false);
  auto ids = sort_records(rec.ids, by_key_then_row);
  if (!ids) return ids.error();
  rec.ids = std::move(*ids);
  if (auto st = mark_repeats(rec.ids, rec, plan, stats); !st) return st.error();
  auto parents = sort_records(rec.parents, by_key_then_row);
  if (!parents) return parents.error();
  auto links = RecordFile<Link>::create();
  if (!links) return links.error();
  if (auto st = link_replies(rec.ids, *parents, plan, *links); !st) return st.error();
  auto sorted = sort_records(*links, by_row_then_other);
  if (!sorted) return sorted.error();
  plan.links.emplace(std::move(*sorted));
  return plan;
}

// The threads still open in the last pass, by a key of their own: their
// rows (with their row numbers) and the last row any of them links to.
struct OpenThreads {
  struct Thread {
    std::vector<std::pair<uint32_t, ImportMessage>> rows;
    uint32_t last;
  };
  std::unordered_map<uint32_t, Thread> threads;
  std::unordered_map<uint32_t, uint32_t> thread_of;  // row -> key, for the rows of open threads

  // The two threads as one (the smaller moved into the larger); its key.
  uint32_t join(uint32_t a, uint32_t b) {
    if (threads[a].rows.size() < threads[b].rows.size()) std::swap(a, b);
    Thread& big = threads[a];
    Thread& small = threads[b];
    for (auto& r : small.rows) {
      thread_of[r.first] = a;
      big.rows.push_back(std::move(r));
    }
    big.last = std::max(big.last, small.last);
    threads.erase(b);
    return a;
  }
  // The thread's messages in file order, forgotten here.
  std::vector<ImportMessage> close(uint32_t key) {
    auto& rows = threads[key].rows;
    std::sort(rows.begin(), rows.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    std::vector<ImportMessage> out;
    out.reserve(rows.size());
    for (auto& r : rows) {
      thread_of.erase(r.first);
      out.push_back(std::move(r.second));
    }
    threads.erase(key);
    return out;
  }
};

// Reads the spill file once more with the links sorted by row. At row t a
// link (t, earlier) joins t's thread to the earlier row's, a link (t, later)
// keeps it open until that later row; a thread whose last linked row is t
// is complete there (no row after it links to it) and goes to build_cases.
Status sweep_threads(SpillFile& spill, uint32_t n, ThreadPlan& plan, ThreadStats& stats,
                     const std::function<Status(Case&&)>& emit) {
  RecordFile<Link>& links = *plan.links;
  Link link{};
  auto have = links.get(link);
  if (!have) return have.error();
  OpenThreads open;
  std::vector<uint32_t> earlier;
  return each_spilled(spill, n, [&](uint32_t t, ImportMessage& m) -> Status {
    if (plan.repeat[t]) return ok_status();
    uint32_t last = t;
    earlier.clear();
    for (; *have && link.at == t; have = links.get(link)) {
      if (link.other < t) earlier.push_back(link.other);
      else last = std::max(last, link.other);
    }
    if (!have) return have.error();
    std::vector<ImportMessage> thread;
    if (earlier.empty() && last == t) {
      thread.push_back(std::move(m));  // a thread of one
      return build_cases(std::move(thread), "x", stats, emit, &plan.brands);
    }
    uint32_t key = t;
    open.threads[t].rows.emplace_back(t, std::move(m));
    open.threads[t].last = last;
    open.thread_of[t] = t;
    for (uint32_t e : earlier) {
      auto it = open.thread_of.find(e);
      if (it == open.thread_of.end()) return Error{Exit::internal, "TWCS import: row " + std::to_string(e) + " closed early"};
      if (it->second != key) key = open.join(key, it->second);
    }
    if (open.threads[key].last != t) return ok_status();
    return build_cases(open.close(key), "x", stats, emit, &plan.brands);
  });
}

// Reads a TWCS file's rows, checked, handing each good one to `on_row`.
Status for_each_twcs_row(const std::string& path, const ImportOptions& opts, ImportStats& stats,
                         const std::function<void(ImportMessage&&)>& on_row) {
  CsvReader r(path);
  if (!r.error().empty()) return Error{Exit::no_input, r.error()};
  std::vector<std::string> f;
  if (!r.next(f)) return Error{r.read_failed() ? Exit::io : Exit::data, r.error().empty() ? r.path() + ": empty file" : r.error()};
  const int off = twcs_offset(f);
  if (off < 0) return Error{Exit::data, r.path() + ":1: not the Customer Support on Twitter header (" +
                                            "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id)"};
  const size_t width = kTwcsColumns.size() + static_cast<size_t>(off);
  const std::vector<std::string> names = f;
  while (r.next(f)) {
    if (++stats.rows % 65536 == 0 && opts.progress) opts.progress(r.bytes_read());
    const std::string where = r.path() + ":" + std::to_string(r.record_line()) + ": ";
    if (f.size() != width) {
      if (auto st = bad_record(opts, stats, where, "expected " + std::to_string(width) + " fields, found " +
                                                       std::to_string(f.size()));
          !st)
        return st;
      continue;
    }
    const auto col = [&](int i) -> const std::string& { return f[static_cast<size_t>(i + off)]; };
    ImportMessage m;
    std::string problem;
    auto id = integer_id(col(0));
    auto at = parse_twitter_time(col(3));
    if (!id) problem = "tweet_id: not a tweet id: \"" + col(0) + "\"";
    else if (col(1).empty()) problem = "author_id: empty";
    else if (col(2) != "True" && col(2) != "False") problem = "inbound: must be True or False, not \"" + col(2) + "\"";
    else if (!at) problem = "created_at: not a Twitter time (years 0000-9999) like \"Tue Oct 31 22:10:47 +0000 2017\": \"" + col(3) + "\"";
    if (problem.empty()) problem = utf8_problem(f, names);
    if (problem.empty() && !col(6).empty()) {
      if (auto parent = integer_id(col(6))) m.reply_to = *parent;
      else problem = "in_response_to_tweet_id: not a tweet id: \"" + col(6) + "\"";
    }
    if (!problem.empty()) {
      if (auto st = bad_record(opts, stats, where, problem); !st) return st;
      continue;
    }
    m.id = *id;
    m.author = col(1);
    m.inbound = col(2) == "True";
    m.at = *at;
    m.text = col(4);
    on_row(std::move(m));
  }
  if (!r.error().empty()) return Error{r.read_failed() ? Exit::io : Exit::data, r.error()};
  return ok_status();
}

}  // namespace

Status read_twcs(const std::string& path, const ImportOptions& opts, ImportStats& stats,
                 std::vector<ImportMessage>& out) {
  return for_each_twcs_row(path, opts, stats, [&](ImportMessage&& m) { out.push_back(std::move(m)); });
}

Status import_twcs(const std::string& path, const ImportOptions& opts, ImportStats& stats, ThreadStats& threads,
                   const std::function<Status(Case&&)>& emit) {
  auto made = SpillFile::create();
  if (!made) return made.error();
  SpillFile& spill = **made;
  auto ids = RecordFile<IdRecord>::create();
  if (!ids) return ids.error();
  auto parents = RecordFile<IdRecord>::create();
  if (!parents) return parents.error();
  TwcsRecords rec{std::move(*ids), std::move(*parents), {}, {}, {}};
  constexpr size_t kMaxRows = UINT32_MAX - 1;
  size_t n = 0;
  Status written = ok_status();
  auto read = for_each_twcs_row(path, opts, stats, [&](ImportMessage&& m) {
    if (!written || n >= kMaxRows) return;
    const auto row = static_cast<uint32_t>(n++);
    uint32_t brand = kNoBrand;
    if (!m.inbound) {
      auto [it, added] = rec.author_number.emplace(m.author, static_cast<uint32_t>(rec.authors.size()));
      if (added) rec.authors.push_back(m.author);
      brand = it->second;
    }
    written = spill.write(m);
    if (written) written = rec.ids.put({rec.keys.key(m.id), row, brand});
    if (written && m.reply_to) written = rec.parents.put({rec.keys.key(*m.reply_to), row, kNoBrand});
  });
  if (!read) return read;
  if (!written) return written;
  if (n >= kMaxRows) return Error{Exit::data, input_name(path) + ": more than 4 billion rows"};
  auto plan = plan_threads(rec, static_cast<uint32_t>(n), threads);
  if (!plan) return plan.error();
  return sweep_threads(spill, static_cast<uint32_t>(n), *plan, threads, emit);
}

namespace {

using nlohmann::json;

// One IBM conversation to messages; problems name the field.
// The conversation's sessionID for an error message, or "" (the header may
// be of any shape: json_pointer lookups throw on an array).
std::string ibm_session_id(const json& conv) {
  if (!conv.is_object()) return {};
  auto header = conv.find("dialogHeader");
  if (header == conv.end() || !header->is_object()) return {};
  auto id = header->find("sessionID");
  return id != header->end() && id->is_string() ? id->get<std::string>() : std::string();
}

std::string ibm_conversation(const json& conv, std::vector<ImportMessage>& out) {
  if (!conv.is_object()) return "not an object";
  const auto str = [](const json& o, const char* key) -> const std::string* {
    auto it = o.find(key);
    return it != o.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
  };
  auto header = conv.find("dialogHeader");
  if (header == conv.end() || !header->is_object()) return "dialogHeader: missing";
  const std::string* company = str(*header, "company");
  if (!company || company->empty()) return "dialogHeader.company: missing";
  auto content = conv.find("dialogContent");
  if (content == conv.end() || !content->is_array()) return "dialogContent: missing";
  std::vector<ImportMessage> msgs;
  OptString previous;
  for (size_t i = 0; i < content->size(); ++i) {
    const json& turn = (*content)[i];
    const std::string p = "dialogContent[" + std::to_string(i) + "]";
    if (!turn.is_object()) return p + ": not an object";
    ImportMessage m;
    const std::string* who = str(turn, "client");
    if (!who) who = str(turn, "client1");  // a second customer in the thread
    if (!who) {
      who = str(turn, "agent");
      m.inbound = false;
    }
    if (!who) return p + ": no client, client1 or agent";
    const std::string *id = str(turn, "tweet_ID"), *at = str(turn, "datetime"), *text = str(turn, "message");
    if (!id || !all_digits(*id)) return p + ".tweet_ID: not a tweet id";
    if (!text) return p + ".message: missing";
    auto ms = at ? parse_rfc3339_utc(*at) : std::nullopt;
    if (!ms) return p + ".datetime: not an RFC 3339 UTC time";
    m.id = *id;
    m.author = *who;
    m.brand = *company;
    m.at = format_rfc3339_utc(*ms);
    m.text = *text;
    m.reply_to = previous;  // the data set has no reply links: each turn answers the one before
    previous = m.id;
    msgs.push_back(std::move(m));
  }
  auto url = conv.find("agentURL");
  if (url == conv.end() || !url->is_object()) return "agentURL: missing";
  const std::string *id = str(*url, "tweet_ID"), *text = str(*url, "url_utterance");
  if (!id || !all_digits(*id) || id->size() > 19) return "agentURL.tweet_ID: not a tweet id";
  if (!text) return "agentURL.url_utterance: missing";
  ImportMessage last;
  last.id = *id;
  last.author = *company;
  last.brand = *company;
  last.inbound = false;
  uint64_t snowflake = 0;
  std::from_chars(id->data(), id->data() + id->size(), snowflake);  // checked above: at most 19 digits
  last.at = time_from_tweet_id(snowflake);  // no datetime: the id holds it
  last.text = *text;
  last.reply_to = previous;
  msgs.push_back(std::move(last));
  for (auto& m : msgs) out.push_back(std::move(m));
  return "";
}

}  // namespace

Status read_ibm_cc(const std::string& path, const ImportOptions& opts, ImportStats& stats,
                   std::vector<ImportMessage>& out) {
  InputFile in(path);
  if (!in.error().empty()) return Error{Exit::no_input, in.error()};
  std::string text;
  char buf[1 << 16];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, in.get())) > 0;) text.append(buf, n);
  if (std::ferror(in.get())) return Error{Exit::io, in.name() + ": read error: " + std::strerror(errno)};
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    const size_t upto = std::min(e.byte, text.size());
    const auto line = 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(upto), '\n');
    std::string what = e.what();
    if (auto pos = what.find("syntax error"); pos != std::string::npos) what = what.substr(pos);
    return Error{Exit::data, in.name() + ":" + std::to_string(line) + ": invalid JSON: " + what};
  } catch (const json::exception& e) {  // out_of_range: a number too large for a double (1e888888)
    std::string what = e.what();
    if (auto pos = what.find("] "); pos != std::string::npos) what = what.substr(pos + 2);
    return Error{Exit::data, in.name() + ": invalid JSON: " + what};
  }
  if (!doc.is_array()) return Error{Exit::data, in.name() + ": expected a JSON array of conversations"};
  for (size_t i = 0; i < doc.size(); ++i) {
    ++stats.rows;
    const std::string problem = ibm_conversation(doc[i], out);
    if (problem.empty()) continue;
    std::string where = in.name() + ": conversation " + std::to_string(i + 1);
    if (doc[i].is_object())
      if (auto session = ibm_session_id(doc[i]); !session.empty()) where += " (sessionID " + session + ")";
    if (auto st = bad_record(opts, stats, where + ": ", problem); !st) return st;
  }
  return ok_status();
}

Status read_mapped_csv(const std::string& path, const CsvMapping& mp, const ImportOptions& opts,
                       ImportStats& stats, std::map<std::string, std::vector<ImportMessage>>& by_channel) {
  for (const auto& [key, col] : {std::pair{"id", &mp.id}, {"author", &mp.author}, {"at", &mp.at}, {"text", &mp.text},
                                 {"inbound", &mp.inbound}})
    if (col->empty())
      return Error{Exit::usage, std::string("CSV import needs a column for \"") + key + "\" (--map " + key + "=COLUMN)"};
  if (mp.account.empty() && mp.account_name.empty())
    return Error{Exit::usage, "CSV import needs the brand account: --map account=COLUMN or --map account_name=NAME"};
  if (mp.channel.empty() && !valid_channel_name(mp.channel_name))
    return Error{Exit::usage, "channel_name must be a channel name like \"mastodon\" (lower-case letters, digits, _ and -), not \"" +
                                  mp.channel_name + "\""};
  CsvReader r(path);
  if (!r.error().empty()) return Error{Exit::no_input, r.error()};
  std::vector<std::string> header;
  if (!r.next(header)) return Error{r.read_failed() ? Exit::io : Exit::data, r.error().empty() ? r.path() + ": empty file" : r.error()};
  std::map<std::string, size_t> columns;
  for (size_t i = 0; i < header.size(); ++i) columns.emplace(header[i], i);
  const auto column = [&](const std::string& name, const char* key) -> Result<size_t> {
    if (name.empty()) return static_cast<size_t>(-1);
    auto it = columns.find(name);
    if (it == columns.end())
      return Error{Exit::usage, r.path() + ":1: no column \"" + name + "\" (mapped to " + key + ")"};
    return it->second;
  };
  std::map<std::string, size_t> idx;
  for (const auto& [key, name] : std::map<std::string, const std::string*>{
           {"id", &mp.id}, {"author", &mp.author}, {"at", &mp.at}, {"text", &mp.text}, {"inbound", &mp.inbound},
           {"parent", &mp.parent}, {"channel", &mp.channel}, {"account", &mp.account}, {"name", &mp.name}}) {
    auto c = column(*name, key.c_str());
    if (!c) return c.error();
    idx[key] = *c;
  }
  std::vector<std::string> f;
  while (r.next(f)) {
    if (++stats.rows % 65536 == 0 && opts.progress) opts.progress(r.bytes_read());
    const std::string where = r.path() + ":" + std::to_string(r.record_line()) + ": ";
    const auto get = [&](const char* key) -> std::string {
      const size_t i = idx[key];
      return i < f.size() ? f[i] : std::string();
    };
    std::string problem;
    if (f.size() != header.size())
      problem = "expected " + std::to_string(header.size()) + " fields, found " + std::to_string(f.size());
    else problem = utf8_problem(f, header);
    ImportMessage m;
    m.id = get("id");
    m.author = strip_at(get("author"));
    m.text = get("text");
    const std::string inbound = lower(get("inbound"));
    m.inbound = std::find(mp.inbound_values.begin(), mp.inbound_values.end(), inbound) != mp.inbound_values.end();
    auto at = parse_time(get("at"), mp.time_format);
    if (problem.empty() && m.id.empty()) problem = mp.id + ": empty message id";
    if (problem.empty() && m.author.empty()) problem = mp.author + ": empty author";
    if (problem.empty() && !at) problem = mp.at + ": " + at.error().message;
    if (!problem.empty()) {
      if (auto st = bad_record(opts, stats, where, problem); !st) return st;
      continue;
    }
    m.at = *at;
    if (auto parent = get("parent"); !parent.empty()) m.reply_to = integer_id(parent).value_or(parent);
    if (auto name = get("name"); !name.empty()) m.name = name;
    std::string account = mp.account.empty() ? mp.account_name : strip_at(get("account"));
    if (!account.empty()) m.brand = account;
    const std::string channel = mp.channel.empty() ? mp.channel_name : lower(get("channel"));
    if (!valid_channel_name(channel)) {
      const std::string bad = mp.channel + ": not a channel name like \"mastodon\" (lower-case letters, digits, _ and -): \"" +
                              get("channel") + "\"";
      if (auto st = bad_record(opts, stats, where, bad); !st) return st;
      continue;
    }
    by_channel[channel].push_back(std::move(m));
  }
  if (!r.error().empty()) return Error{r.read_failed() ? Exit::io : Exit::data, r.error()};
  return ok_status();
}

}  // namespace socq
