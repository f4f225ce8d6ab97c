#!/bin/sh
# run.sh: `make run`. With PERFGATE_DATABASE_URL unset, starts (or reuses)
# a private PostgreSQL cluster under var/pg (Unix socket only) and serves
# without tokens on 127.0.0.1:8080 (PERFGATE_AUTH=off is only accepted on
# loopback). Applies the migrations, then runs `perfgate serve` in the
# foreground; Ctrl-C stops the daemon and the private cluster.
set -eu
BUILD=${BUILD:-build}
bin="$PWD/$BUILD/perfgate"
private=""

if [ -z "${PERFGATE_DATABASE_URL:-}" ]; then
	private="$PWD/var/pg"
	echo "run: no PERFGATE_DATABASE_URL: starting the private PostgreSQL in var/pg"
	scripts/pg.sh start "$private"
	PERFGATE_DATABASE_URL=$(scripts/pg.sh url "$private")
	export PERFGATE_DATABASE_URL
	if [ -z "${PERFGATE_AUTH:-}" ]; then
		export PERFGATE_AUTH=off
		echo "run: PERFGATE_AUTH=off (loopback only): no tokens needed on this machine"
	fi
fi

"$bin" migrate

stop() {
	[ -n "${pid:-}" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
	if [ -n "$private" ]; then
		scripts/pg.sh stop "$private"
		echo "run: private PostgreSQL stopped"
	fi
}
trap 'stop; exit 0' INT TERM
"$bin" serve &
pid=$!
wait "$pid" || true
pid=""
stop
