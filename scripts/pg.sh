#!/bin/sh
# pg.sh: a private PostgreSQL cluster in a directory, Unix socket only.
#   pg.sh start DIR   create the cluster when missing, start it when stopped
#   pg.sh stop DIR    stop it (fast shutdown)
#   pg.sh url DIR     print the libpq conninfo of the cluster
# The cluster flushes its WAL to disk as any PostgreSQL does (fsync=on):
# `make run` keeps its runs in one. Throwaway clusters (the test suites)
# start with PERFGATE_PG_FSYNC=off, which is faster and loses the cluster
# on a crash of the machine.
# initdb refuses to run as root: as root the cluster belongs to the
# `postgres` user and every command runs through runuser.
set -eu
cmd=${1:?usage: pg.sh start|stop|url DIR}
dir=${2:?usage: pg.sh start|stop|url DIR}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
data="$dir/data"
sock="$dir/sock"
fsync=${PERFGATE_PG_FSYNC:-on}
case "$fsync" in
on | off) ;;
*) echo "pg.sh: PERFGATE_PG_FSYNC must be on or off, not '$fsync'" >&2; exit 2 ;;
esac

bindir=""
for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
	if [ -x "$d/initdb" ]; then bindir=$d; break; fi
done
[ -n "$bindir" ] || { echo "pg.sh: no PostgreSQL server found (apt-get install postgresql)" >&2; exit 1; }

as_owner() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

case "$cmd" in
url)
	echo "host=$sock dbname=perfgate user=perfgate"
	;;
start)
	if [ "$(id -u)" = 0 ]; then
		chown postgres:postgres "$dir"
		# the socket directory's parents must be reachable by postgres
		chmod 0755 "$dir"
	fi
	as_owner mkdir -p "$sock"
	if [ ! -f "$data/PG_VERSION" ]; then
		rm -rf "$data"
		as_owner "$bindir/initdb" -D "$data" -U perfgate -A trust -E UTF8 \
			--locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 ||
			{ cat "$dir/initdb.log" >&2; exit 1; }
	fi
	if as_owner "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
		exit 0
	fi
	# A server killed earlier may have left its pid file and socket lock.
	rm -f "$data/postmaster.pid" "$sock"/.s.PGSQL.*
	as_owner "$bindir/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
		-o "-c listen_addresses='' -c unix_socket_directories='$sock' -c fsync=$fsync -c max_connections=200" \
		start >/dev/null || { tail -20 "$dir/server.log" >&2; exit 1; }
	if ! as_owner "$bindir/psql" -h "$sock" -U perfgate -d postgres -Atqc \
		"SELECT 1 FROM pg_database WHERE datname='perfgate'" | grep -q 1; then
		as_owner "$bindir/createdb" -h "$sock" -U perfgate perfgate
	fi
	;;
stop)
	if [ -f "$data/PG_VERSION" ]; then
		as_owner "$bindir/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
	fi
	;;
*)
	echo "usage: pg.sh start|stop|url DIR" >&2
	exit 2
	;;
esac
