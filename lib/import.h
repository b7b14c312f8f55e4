// Importers for exports and public data sets: each turns a file into
// ImportMessages (threads.h builds the cases). Errors name file, line (or
// record) and field.
#pragma once
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lib/threads.h"

namespace socq {

struct ImportStats {
  size_t rows = 0;     // records read (CSV rows, conversations, turns)
  size_t skipped = 0;  // bad records skipped (with skip_bad)
  std::string first_skip;
  std::map<std::string, size_t> skip_reasons;  // the field at fault (or the problem) -> count
};

struct ImportOptions {
  bool skip_bad = false;
  // Called now and then with the bytes read so far (for a progress line).
  std::function<void(size_t)> progress;
};

// How the columns of a CSV export map to messages. Column names, or
// constants for channel and account.
struct CsvMapping {
  std::string id, author, at, text, inbound, parent, channel, account, name;
  std::string channel_name = "x";  // when no channel column
  std::string account_name;        // when no account column
  std::string time_format = "rfc3339";  // rfc3339, twitter, epoch, epoch_ms, or a strptime format (UTC)
  std::vector<std::string> inbound_values{"true", "1", "yes", "in", "inbound"};
};

// Sets a mapping key (id, author, at, text, inbound, parent, channel,
// account, name, channel_name, account_name, time_format, inbound_values).
Status set_mapping(CsvMapping& m, const std::string& key, const std::string& value);
// Reads a mapping file: TOML with those keys at the top level.
Status load_mapping(const std::string& path, CsvMapping& m);

enum class ImportFormat { jsonl, twcs, ibm_cc, csv };
// Detects the format from the name and the first bytes; "-" is jsonl.
Result<ImportFormat> detect_format(const std::string& path);
Result<ImportFormat> parse_format(const std::string& name);

Status read_twcs(const std::string& path, const ImportOptions& opts, ImportStats& stats,
                 std::vector<ImportMessage>& out);
// Reads a TWCS file ("-": stdin) and hands its cases (channel x) to `emit`
// as build_cases makes them, in memory that does not grow with the file: the
// rows go to a temporary file, a first pass keeps only the id index and which
// thread each row is in (about 20 bytes a row), and a second holds just the
// threads still open. Threads come in the order of their last row in the
// file; within one, cases by id. A bad row stops it before any case is out.
Status import_twcs(const std::string& path, const ImportOptions& opts, ImportStats& stats, ThreadStats& threads,
                   const std::function<Status(Case&&)>& emit);
Status read_ibm_cc(const std::string& path, const ImportOptions& opts, ImportStats& stats,
                   std::vector<ImportMessage>& out);
Status read_mapped_csv(const std::string& path, const CsvMapping& mapping, const ImportOptions& opts,
                       ImportStats& stats, std::map<std::string, std::vector<ImportMessage>>& by_channel);

// "Tue Oct 31 22:10:47 +0000 2017" -> "2017-10-31T22:10:47Z".
std::optional<std::string> parse_twitter_time(std::string_view s);
// A tweet id's creation time (Twitter's snowflake ids, since late 2010).
std::string time_from_tweet_id(uint64_t id);
// "3", "3.0" -> "3"; anything else (and "3.5", "1e6") -> nullopt.
std::optional<std::string> integer_id(std::string_view s);

}  // namespace socq
