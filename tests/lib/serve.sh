# serve.sh: sourced by the shell tests and benches. pf_serve BIN LOG starts
# `BIN serve` on a free loopback port (port 0: the daemon picks one and logs
# it) with its stderr in LOG, and waits for that line: sets $pid and $port
# ($port is empty when the daemon did not come up within 5 s).
pf_serve() {
	PERFGATE_LISTEN=127.0.0.1:0 "$1" serve 2>"$2" &
	pid=$!
	port=""
	for _ in $(seq 1 100); do
		port=$(sed -n 's/.*perfgate listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$2")
		[ -n "$port" ] && return 0
		sleep 0.05
	done
	return 1
}
