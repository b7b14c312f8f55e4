// Every case of a SQLite store in storage (rowid) order, for passes over the
// whole store such as reports: one sequential read in one read transaction,
// no sort and no index lookup per row (Store::list's queue order costs both).
#pragma once
#include <functional>
#include <string>

#include "lib/case.h"
#include "lib/result.h"

namespace socq {

// `path` must be a store open_sqlite_store() has accepted (checked first).
Status scan_sqlite_store(const std::string& path, const std::function<Status(Case&&)>& on_case);

// The same scan with each case decoded and parsed on two threads: rows are
// read in rounds; the first part of a round goes to `first` on this thread,
// the rest to `second` on another. Each is called on its own thread only;
// the error is the first in row order. For passes that write no case back:
// the cases carry no source line (write_case writes them canonically).
Status scan_sqlite_store_two(const std::string& path, const std::function<Status(Case&&)>& first,
                             const std::function<Status(Case&&)>& second);

}  // namespace socq
