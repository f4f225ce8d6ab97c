#!/bin/sh
# bench_upload.sh: upload -> verdict latency of the fixture set (cpu, heap,
# bench) against a real daemon and a throwaway PostgreSQL, at concurrency 1
# and 16, the CPU time an upload costs the daemon and PostgreSQL, and the
# daemon's peak RSS. Loopback only, bounded request counts
# (BENCH_UPLOADS, default 200 per concurrency).
# PostgreSQL runs as `make run` runs it, flushing its WAL at every commit
# (scripts/pg.sh; PERFGATE_PG_FSYNC=off to compare). A CHECKPOINT before
# each measured round puts the cluster where a running service is: its WAL
# segments recycled, not new 16 MB files to fill with zeros first (which a
# fresh cluster does, some 20 % of the throughput at concurrency 16 on this
# machine), and the first change of each page after the checkpoint logged
# whole, as after every checkpoint.
set -eu
BUILD=${BUILD:-build}
tmp=$(mktemp -d /tmp/perfgate-bench.XXXXXX)
chmod 0755 "$tmp"
cleanup() {
	[ -n "${pid:-}" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
	scripts/pg.sh stop "$tmp/pg" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
scripts/pg.sh start "$tmp/pg" >/dev/null
export PERFGATE_DATABASE_URL="$(scripts/pg.sh url "$tmp/pg")"
export PERFGATE_CONFIG=/dev/null
"$BUILD/perfgate" migrate >/dev/null
tok=$("$BUILD/perfgate" token create --scope upload 2>/dev/null)
. tests/lib/serve.sh
pf_serve "$BUILD/perfgate" "$tmp/log" || true
base="http://127.0.0.1:$port/v1/projects/bench/runs"
fx=tests/fixtures
# a baseline on main first, so every measured upload is compared
"$BUILD/tools/loadgen" "$base" "$tok" 1 3 cpu=@$fx/cpu_base.pb.gz heap=@$fx/heap_base.pb.gz \
	bench=@$fx/bench_base.txt branch=main >/dev/null
# CPU time (clock ticks) of the daemon and of the cluster's processes
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
pg_ticks() {
	pm=$(head -1 "$tmp/pg/data/postmaster.pid")
	t=0
	for q in $(pgrep -P "$pm"); do t=$((t + $(ticks "$q"))); done
	echo "$t"
}
n=${BENCH_UPLOADS:-200}
for c in 1 16; do
	psql "$PERFGATE_DATABASE_URL" -XAtqc CHECKPOINT
	d0=$(ticks "$pid")
	p0=$(pg_ticks)
	"$BUILD/tools/loadgen" "$base" "$tok" $c "$n" cpu=@$fx/cpu_cand.pb.gz \
		heap=@$fx/heap_cand.pb.gz bench=@$fx/bench_cand.txt branch=feature AI_GATE_ENABLE=true
	awk -v d=$(($(ticks "$pid") - d0)) -v p=$(($(pg_ticks) - p0)) -v n="$n" \
		-v hz="$(getconf CLK_TCK)" 'BEGIN {printf "  CPU per upload: daemon %.2f ms, PostgreSQL %.2f ms\n", d * 1000 / hz / n, p * 1000 / hz / n}'
done
echo "PostgreSQL fsync=${PERFGATE_PG_FSYNC:-on}"
echo "daemon peak RSS: $(awk '/VmHWM/ {printf "%.1f MB", $2 / 1024}' /proc/$pid/status)" \
	"($(nproc) cores, PERFGATE_THREADS=${PERFGATE_THREADS:-$(nproc)})"
