# socq report streams: 200 MB of cases from stdin with a peak RSS under
# 64 MB (the samples kept for exact quantiles are 8 bytes each).
source "$(dirname "$0")/helpers.bash"
if [ "${SOCQ_SANITIZE:-OFF}" = "ON" ]; then
  echo "report_memory.sh: skipped under sanitizers (shadow memory inflates RSS)"
  exit 77
fi
: "${SOCQ_GEN:?path to socq-gen-cases}"
"$SOCQ_GEN" 210000 >"$WORK/big.jsonl"
/usr/bin/python3 - "$SOCQ" "$WORK/big.jsonl" <<'PY'
import json, os, resource, subprocess, sys
socq, path = sys.argv[1], sys.argv[2]
with open(path, "rb") as src:
    proc = subprocess.run([socq, "report", "-", "--by", "channel", "--format", "json"], stdin=src,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
if proc.returncode != 0:
    sys.exit(f"socq exited {proc.returncode}: {proc.stderr.decode()[:500]}")
doc = json.loads(proc.stdout)
if doc["total"]["volume"]["cases"] != 210000:
    sys.exit(f"counted {doc['total']['volume']['cases']} cases")
peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"peak RSS {peak_kb / 1024:.1f} MB for {os.path.getsize(path) / 1e6:.0f} MB of cases")
if peak_kb >= 64 * 1024:
    sys.exit(f"peak RSS {peak_kb} KB is not under 64 MB")
PY
pass
done_ok
