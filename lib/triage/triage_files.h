// socq triage as a filter: the cases of files (or stdin) triaged and
// written in input order, on two threads where there are two cores (each
// with its own Triager over the one shared, read-only setup).
#pragma once
#include <cstdio>
#include <string>
#include <vector>

#include "lib/jsonl.h"
#include "lib/result.h"
#include "lib/triage/triage.h"

namespace socq {

struct TriageCount {
  ReadStats read;
  size_t changed = 0;
};

// Triages every case of `files` in order to `out`; stops at the first bad
// line ("file:line: field: what", exit 65) after writing the cases before it.
Status triage_files(const TriageSetup& setup, const std::string& now, const std::vector<std::string>& files,
                    std::FILE* out, TriageCount& count);

}  // namespace socq
