# Timing shared by bench/run, bench/triage and bench/report (sourced).
# Needs $dir, the bench's scratch directory; REPS runs per timing (default 1).
#
# Each timed run starts after the outputs of earlier runs are removed and
# everything written is on disk (sync): otherwise a run pays at random for
# the writeback of the runs before it (the kernel throttles a writer once
# enough of the page cache is dirty), which moved `cat F > out` between 0.09
# and 0.67 s within one bench run.
reps=${REPS:-1}
fresh() { rm -f "$dir/out" "$dir"/out.*; sync; }
# secs CMD...: wall seconds of one run; median CMD...: the median of $reps.
secs() { local s e; fresh; s=$(date +%s.%N); "$@"; e=$(date +%s.%N); echo "$e - $s" | bc; }
median() {
  local i; for ((i = 0; i < reps; i++)); do secs "$@"; done | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}
ratio() { echo "scale=2; $1 / $2" | bc; }
