#!/bin/sh
# run.sh: every test suite of `make test`. Unit suites first, then a
# throwaway PostgreSQL (removed at the end, also on failure) for the
# integration suites and the end-to-end scripts. Ends with one summary line
# in Check's format over all suites.
set -u
BUILD=${BUILD:-build}
export PERFGATE_BIN="${PERFGATE_BIN:-$PWD/$BUILD/perfgate}"
export PERFGATE_FIXTURES="${PERFGATE_FIXTURES:-$PWD/tests/fixtures}"
export PERFGATE_SRCDIR="${PERFGATE_SRCDIR:-$PWD}"
export CK_FORK=yes
export CK_DEFAULT_TIMEOUT=${CK_DEFAULT_TIMEOUT:-120}

tmp=$(mktemp -d /tmp/perfgate-test.XXXXXX)
chmod 0755 "$tmp"
cleanup() {
	scripts/pg.sh stop "$tmp/pg" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

checks=0
failed=0
suites_failed=""

# run_suite NAME CMD...: run a Check binary, add its summary to the totals.
run_suite() {
	name=$1
	shift
	out="$tmp/$(basename "$name").out"
	"$@" >"$out" 2>&1
	rc=$?
	cat "$out"
	line=$(grep -E '^[0-9]+%: Checks: [0-9]+' "$out" | tail -1)
	plain=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -1)
	if [ -z "$line" ] && [ -n "$plain" ]; then
		p=$(echo "$plain" | sed -E 's/^([0-9]+) passed.*/\1/')
		f=$(echo "$plain" | sed -E 's/.* ([0-9]+) failed$/\1/')
		checks=$((checks + p + f))
		failed=$((failed + f))
	elif [ -n "$line" ]; then
		n=$(echo "$line" | sed -E 's/.*Checks: ([0-9]+).*/\1/')
		f=$(echo "$line" | sed -E 's/.*Failures: ([0-9]+).*/\1/')
		e=$(echo "$line" | sed -E 's/.*Errors: ([0-9]+).*/\1/')
		checks=$((checks + n))
		failed=$((failed + f + e))
	else
		checks=$((checks + 1))
		[ $rc -eq 0 ] || failed=$((failed + 1))
	fi
	if [ $rc -ne 0 ]; then
		suites_failed="$suites_failed $name"
	fi
}

for t in "$BUILD"/tests/unit/test_*; do
	[ -x "$t" ] || continue
	run_suite "$t" "$t"
done

# a throwaway cluster: no WAL flushes (scripts/pg.sh)
export PERFGATE_PG_FSYNC=off
if ! scripts/pg.sh start "$tmp/pg" >"$tmp/pg.out" 2>&1; then
	cat "$tmp/pg.out"
	echo "run.sh: cannot start the throwaway PostgreSQL" >&2
	failed=$((failed + 1))
	suites_failed="$suites_failed postgresql"
else
	export PERFGATE_TEST_DATABASE_URL="$(scripts/pg.sh url "$tmp/pg")"
	export PERFGATE_TEST_PGDIR="$tmp/pg"
	export PERFGATE_TEST_PGCTL="$PWD/scripts/pg.sh"
	for t in "$BUILD"/tests/integration/test_*; do
		[ -x "$t" ] || continue
		run_suite "$t" "$t"
	done
	for t in tests/e2e/*.sh; do
		[ -f "$t" ] || continue
		run_suite "$t" sh "$t"
	done
fi

passed=$((checks - failed))
[ $passed -ge 0 ] || passed=0
echo
if [ -n "$suites_failed" ]; then
	echo "failed suites:$suites_failed"
fi
echo "perfgate: $passed passed, $failed failed"
pct=100
[ $checks -gt 0 ] && pct=$((passed * 100 / checks))
echo "$pct%: Checks: $checks, Failures: $failed, Errors: 0"
[ -z "$suites_failed" ] && [ $failed -eq 0 ]
