# 200 MB of cases through a pipe with flat memory: peak RSS under 64 MB.
source "$(dirname "$0")/helpers.bash"
if [ "${SOCQ_SANITIZE:-OFF}" = "ON" ]; then
  echo "memory.sh: skipped under sanitizers (shadow memory inflates RSS)"
  exit 77
fi
: "${SOCQ_GEN:?path to socq-gen-cases}"
# ~1,000 bytes a case: 210,000 cases are a little over 200 MB.
"$SOCQ_GEN" 210000 >"$WORK/big.jsonl"
size=$(stat -c %s "$WORK/big.jsonl")
[ "$size" -gt 200000000 ] || fail "generated only $size bytes"
pass
/usr/bin/python3 - "$SOCQ" "$WORK/big.jsonl" <<'PY'
import resource, subprocess, sys
socq, path = sys.argv[1], sys.argv[2]
with open(path, "rb") as src:
    proc = subprocess.run([socq, "fetch", "--from", "-"], stdin=src, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
if proc.returncode != 0:
    sys.exit(f"socq exited {proc.returncode}: {proc.stderr.decode()[:500]}")
out_bytes = len(proc.stdout)
in_bytes = __import__("os").path.getsize(path)
if out_bytes != in_bytes:
    sys.exit(f"output {out_bytes} bytes, input {in_bytes}")
peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"peak RSS {peak_kb / 1024:.1f} MB for {in_bytes / 1e6:.0f} MB through the pipe")
if peak_kb >= 64 * 1024:
    sys.exit(f"peak RSS {peak_kb} KB is not under 64 MB")
PY
pass
done_ok
