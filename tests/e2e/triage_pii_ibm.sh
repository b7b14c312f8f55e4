# PII measured on real customers: the IBM customer care data set (Twitter
# conversations, ../shared/datasets/ibm-customer-care). Which customers
# posted an e-mail address or a phone number in public, and does triage
# find them without false positives?
#
# Ground truth, fixed here after manual inspection of every candidate:
# a deliberately loose Python search over the raw JSON (anything@anything.tld
# in a customer turn; any run of 8+ digits with separators) listed the
# candidates; reading each by hand kept these. Rejected as not e-mail:
# "1920*1080@30fps", "My@client", "@ATT email". Rejected as not phones:
# eBay item ids in URLs, error codes (0x30005001), a ticket number in
# brackets "(5030799148)", order "# 40256780019417115", a smart card
# number, part and version numbers (L38120-001, 15.5.2.1054).
source "$(dirname "$0")/helpers.bash"
DATA="$SRC/../shared/datasets/ibm-customer-care"
if [ ! -f "$DATA/dev.json" ]; then
  echo "triage_pii_ibm.sh: skipped: $DATA is missing (the shared data sets sit beside the repo)"
  exit 77
fi
EMAIL_TRUTH="Adefund ArildWinge CinVakas EslamLo87966348 JustusWinner Leonardsv1 Lukas14645009 Oc3KxIwYv08i5TI Tru_rises_alt"
PHONE_TRUTH="Adefund EslamLo87966348 JanetteFH1 JustusWinner glendajlock"

# The loose search still finds exactly the e-mail candidates inspected (so a
# changed data set cannot pass unnoticed).
candidates=$(python3 - "$DATA" <<'PY'
import json, re, sys
found = set()
for f in ("dev.json", "test.json"):
    for conv in json.load(open(f"{sys.argv[1]}/{f}")):
        for turn in conv["dialogContent"]:
            if "client" not in turn:
                continue
            for m in re.findall(r"\S*[A-Za-z0-9]@[A-Za-z0-9]\S*", turn["message"]):
                found.add((turn["client"], m))
print(len(found), " ".join(sorted({c for c, _ in found}, key=str.lower)))
PY
)
expect_eq "$candidates" "11 Adefund ArildWinge CatmasterOP CinVakas edtechease EslamLo87966348 JustusWinner Leonardsv1 Lukas14645009 Oc3KxIwYv08i5TI Tru_rises_alt" "e-mail candidates in the raw data"

"$SOCQ" fetch -q --from "$DATA/dev.json" --from "$DATA/test.json" >"$WORK/ibm.jsonl"
"$SOCQ" triage "$WORK/ibm.jsonl" >"$WORK/triaged.jsonl" 2>"$WORK/err" || fail "triage: $(cat "$WORK/err")"
measure() {  # KIND TRUTH -> "found=N/M false_positives=K"
  python3 - "$WORK/triaged.jsonl" "$1" "$2" <<'PY'
import json, sys
path, kind, truth = sys.argv[1], sys.argv[2], set(sys.argv[3].split())
flagged = set()
for line in open(path):
    c = json.loads(line)
    if kind in c.get("pii", []):
        flagged.add((c["customer"].get("handle") or c["customer"]["id"]).lstrip("@"))
found, false_pos = flagged & truth, flagged - truth
print(f"found={len(found)}/{len(truth)} false_positives={len(false_pos)}", " ".join(sorted(false_pos)), file=sys.stderr)
print(f"found={len(found)}/{len(truth)} false_positives={len(false_pos)}")
PY
}
expect_eq "$(measure email "$EMAIL_TRUTH")" "found=9/9 false_positives=0" "public e-mail addresses"
expect_eq "$(measure phone "$PHONE_TRUTH")" "found=5/5 false_positives=0" "public phone numbers"
# Only kinds reach the case: no address appears in any event.
grep -q '"what":"[^"]*@gmail.com' "$WORK/triaged.jsonl" && fail "an address leaked into an event"
pass
grep -q '"suggest:private"' "$WORK/triaged.jsonl" || fail "no private-channel suggestion"
pass
done_ok
