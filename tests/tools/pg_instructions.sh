#!/bin/sh
# pg_instructions.sh [SQL]: PostgreSQL instructions per fixture upload,
# counted by callgrind, so that two schemas or statements can be compared on
# a busy machine (wall and CPU time move with the load; instruction counts
# do not). Starts a private cluster under `valgrind --tool=callgrind
# --trace-children=yes`, migrates it, runs SQL (optional: a schema variant
# to try), uploads a baseline and then N1 and N2 fixture candidates in two
# separate rounds, and prints (total(N2) - total(N1)) / (N2 - N1): the
# per-upload cost without start-up, connection and migration costs.
# Slow (postgres runs some 50x slower under valgrind): about a minute.
# Developer tool, not run by `make test` or `make bench`; needs valgrind.
#   BUILD=build tests/tools/pg_instructions.sh ["CREATE INDEX ..."]
set -eu
BUILD=${BUILD:-build}
N1=${N1:-5}
N2=${N2:-25}
command -v valgrind >/dev/null || { echo "pg_instructions: valgrind is needed" >&2; exit 1; }
bindir=""
for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
	if [ -x "$d/postgres" ]; then bindir=$d; break; fi
done
[ -n "$bindir" ] || { echo "pg_instructions: no PostgreSQL server found" >&2; exit 1; }
tmp=$(mktemp -d /tmp/perfgate-pgi.XXXXXX)
chmod 0755 "$tmp"
cleanup() {
	[ -n "${pid:-}" ] && kill "$pid" 2>/dev/null || true
	scripts/pg.sh stop "$tmp/pg" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# one round: a fresh cluster under callgrind, N candidate uploads; prints
# the instructions of every postgres process of the round
round() {
	scripts/pg.sh stop "$tmp/pg" >/dev/null 2>&1 || true
	rm -rf "$tmp/pg" "$tmp/cg"
	scripts/pg.sh start "$tmp/pg" >/dev/null # initdb, createdb
	scripts/pg.sh stop "$tmp/pg" >/dev/null
	mkdir -p "$tmp/cg"
	[ "$(id -u)" = 0 ] && chown postgres "$tmp/cg"
	as_pg sh -c "valgrind --tool=callgrind --trace-children=yes \
		--callgrind-out-file=$tmp/cg/cg.%p $bindir/postgres -D $tmp/pg/data \
		-c listen_addresses= -c unix_socket_directories=$tmp/pg/sock -c fsync=off \
		-c autovacuum=off >$tmp/cg/log 2>&1 &"
	export PERFGATE_DATABASE_URL="$(scripts/pg.sh url "$tmp/pg")"
	for _ in $(seq 240); do
		psql "$PERFGATE_DATABASE_URL" -X -q -c 'SELECT 1' >/dev/null 2>&1 && break
		sleep 0.5
	done
	export PERFGATE_CONFIG=/dev/null
	"$BUILD/perfgate" migrate >/dev/null
	[ -z "${1:-}" ] || psql "$PERFGATE_DATABASE_URL" -X -q -v ON_ERROR_STOP=1 -c "$1" >/dev/null
	tok=$("$BUILD/perfgate" token create --scope upload 2>/dev/null)
	# stdout away from the caller's $(...), and stopped if the round fails
	PERFGATE_LISTEN=127.0.0.1:0 "$BUILD/perfgate" serve >/dev/null 2>"$tmp/log" &
	pid=$!
	trap 'kill "$pid" 2>/dev/null || true' EXIT
	port=""
	for _ in $(seq 300); do
		port=$(sed -n 's/.*perfgate listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$tmp/log")
		[ -n "$port" ] && break
		sleep 0.1
	done
	base="http://127.0.0.1:$port/v1/projects/bench/runs"
	fx=tests/fixtures
	"$BUILD/tools/loadgen" "$base" "$tok" 1 3 cpu=@$fx/cpu_base.pb.gz heap=@$fx/heap_base.pb.gz \
		bench=@$fx/bench_base.txt branch=main >/dev/null
	"$BUILD/tools/loadgen" "$base" "$tok" 1 "$2" cpu=@$fx/cpu_cand.pb.gz \
		heap=@$fx/heap_cand.pb.gz bench=@$fx/bench_cand.txt branch=feature \
		AI_GATE_ENABLE=true | grep -q ' 0 errors' ||
		{ echo "pg_instructions: uploads failed" >&2; exit 1; }
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	pid=""
	as_pg "$bindir/pg_ctl" -D "$tmp/pg/data" stop -m fast >/dev/null
	sleep 1 # the processes write their counts as they exit
	# all processes, and the backends alone (the background writers'
	# counts follow the wall time, so they differ from run to run)
	t=$(cat "$tmp"/cg/cg.* | awk '/^summary:/ {s += $2} END {print s}')
	q=0
	for f in "$tmp"/cg/cg.*; do
		n=$(callgrind_annotate --inclusive=yes "$f" 2>/dev/null |
			awk '/:PostgresMain / {gsub(",", "", $1); print $1; exit}')
		q=$((q + ${n:-0}))
	done
	echo "$t $q"
}
set -- "${1:-}"
a=$(round "$1" "$N1")
b=$(round "$1" "$N2")
echo "$a $b" | awk -v n="$((N2 - N1))" '{printf "PostgreSQL: %d instructions per fixture upload (backends: %d)\n", ($3 - $1) / n, ($4 - $2) / n}'
