#include "lib/report/definitions.h"

#include <array>

namespace socq::report {
namespace {

constexpr std::array<MetricDef, 14> kDefs{{
    {"conversation",
     "A conversation is one case: one customer's thread with one brand account on one channel, as socq fetch "
     "builds it (for imports: one case per brand, thread root and customer, rebuilt from reply links; IBM "
     "conversations have no links, each turn answers the one before, and a dialog is one case of its "
     "dialogHeader.company, whoever wrote its agent turns). A case's time is its first inbound "
     "message (else its first message): --since (inclusive), --until (exclusive), --by day and --by week use "
     "it. Messages are taken in time order."},
    {"volume",
     "volume: cases counted; messages_in (from customers), messages_out (replies not marked auto) and "
     "messages_out_auto (bot or auto-replies), counted by the case's time, not each message's."},
    {"first_response",
     "first_response (FRT): starts at a case's first inbound message, stops at the first outbound message after "
     "it that is not auto. A case with no such reply has no FRT and counts as unanswered. Example: customer "
     "writes 09:00, auto-reply 09:01, agent 09:40: FRT 40 min. Reported as n, p50, p90, p95 and mean, in minutes "
     "(JSON: seconds too). p50 is the median (the mean of the two middle values for even n); percentiles "
     "interpolate linearly between closest ranks (numpy's default). Quantiles are exact: every sample is kept, "
     "8 bytes each."},
    {"next_response",
     "next_response (NRT): after each non-auto reply that follows the case's first inbound message (that is, "
     "from the FRT reply on), the first inbound message that follows the reply starts a clock; the next non-auto "
     "outbound message stops it. A brand post before the customer's first message starts no NRT (the FRT clock "
     "covers that wait). Example: agent 09:40, customer 10:00 and 10:05, agent 10:30: one NRT of 30 min. Clocks "
     "never stopped count as unanswered."},
    {"business_time",
     "business: FRT and NRT again, counting only the hours the case's team is open on its calendar (socq "
     "triage's team calendars). Without a calendar configured the report says so and gives no business time."},
    {"resolution",
     "resolution: from a case's first inbound message to its resolution.at (cases resolved or closed with a "
     "time); cases not yet resolved are counted as unresolved. Example: in 09:00, resolved next day 09:00: "
     "1440 min."},
    {"answered",
     "answered: the share of conversations (cases with an inbound message) that have a first response. "
     "Example: 8 of 10 cases got a non-auto reply: 0.8."},
    {"sla",
     "sla: attainment per policy (the case's priority, or none) and clock (first_response, next_response, "
     "resolution). With SLA policies configured (the [sla] table of the config or of --teams FILE) each clock is "
     "judged by socq triage's own SLA clocks (one next_response clock per customer message after a reply; business "
     "hours where the policy says so). Otherwise from the case's sla fields as socq triage wrote them: a clock with a due time is breached "
     "when named in sla.breached, stopped after its due time, or still running past it; met when stopped by its "
     "due time; running otherwise. The first response clock stops at the FRT reply (else "
     "sla.first_response_at), next response at the latest NRT reply, resolution at resolution.at. attainment = "
     "met / (met + breached)."},
    {"backlog",
     "backlog: cases open now (status new, open, pending_customer or handed_off) and their age from the first "
     "inbound message to now (SOCQ_NOW in tests). Example: an open case whose customer wrote 3 days ago: "
     "age 3 d."},
    {"inbound_hours",
     "inbound_hours: every inbound message counted by weekday and hour in --tz. off_duty: the share of inbound "
     "messages that arrived while no team with a calendar was open, and the calendar time to the reply for the "
     "response clocks (first or next) started off duty. Without calendars: \"no calendar configured\"."},
    {"top",
     "top: the most frequent categories and tags over the cases counted (10 each, count then name)."},
    {"rising_terms",
     "rising_terms: terms in inbound text this period against the previous period of equal length: this period "
     "is [--since, --until) when --since is given, else the 7 days before --until (or now); the previous one "
     "ends where it starts. Both periods count every case read, whatever --since, --until and the group's own "
     "period: a term's previous count may come from cases the rest of the report leaves out. A term is a run of letters or digits in NFC case-folded text, at least 3 characters, "
     "not all digits, not a stopword; @mentions and URLs are skipped; each message counts a term once. score = "
     "(this + 1) / (previous + 1), for terms seen at least twice this period; top 10."},
    {"fairness",
     "fairness: first response by the customer's follower count: 0-99, 100-999, 1k-9.9k, 10k-99k, 100k+ and "
     "unknown; if the loud are served first, the right-hand buckets show the lower times."},
    {"handoffs",
     "handoffs: made (cases with a handoff), completed (handoff.completed_at set, or a non-auto outbound "
     "message after handoff.at other than the handoff's own DM and pointer) and stalled (handoff.follow_up_due "
     "passed, not completed, case not resolved or closed). Example: handed off Mon 09:00 with a 4h follow-up "
     "and no reply by 13:00: stalled; a reply at 12:00: completed."},
}};

}  // namespace

std::span<const MetricDef> metric_definitions() {
  return kDefs;
}

const MetricDef* find_metric(std::string_view name) {
  for (const auto& d : metric_definitions())
    if (d.name == name) return &d;
  return nullptr;
}

std::string definitions_text() {
  std::string out;
  for (const auto& d : metric_definitions()) out += (out.empty() ? "" : "\n\n") + std::string(d.text);
  return out;
}

}  // namespace socq::report
