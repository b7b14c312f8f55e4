// Time enters socq through a Clock so tests can set it.
#pragma once
#include <cstdint>
#include <string>

namespace socq {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t now_ms() const = 0;
  std::string now_rfc3339() const;
};

class SystemClock final : public Clock {
 public:
  int64_t now_ms() const override;
};

// Fixed time for tests; SOCQ_NOW (RFC 3339) pins it for end-to-end tests.
class FixedClock final : public Clock {
 public:
  explicit FixedClock(int64_t ms) : ms_(ms) {}
  int64_t now_ms() const override { return ms_; }
  void set(int64_t ms) { ms_ = ms; }

 private:
  int64_t ms_;
};

}  // namespace socq
