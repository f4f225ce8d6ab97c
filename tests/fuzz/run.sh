#!/bin/sh
# run.sh: run every libFuzzer target of build/fuzz for FUZZ_SECONDS each,
# seeded from tests/fuzz/corpus/<target>/ (copied to a scratch directory so
# the committed seeds stay as they are). Fails on any crash, leak or
# sanitizer report.
set -eu
BUILD=${BUILD:-build}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
status=0
for f in "$BUILD"/fuzz/fuzz_*; do
	[ -x "$f" ] || continue
	name=$(basename "$f")
	work=$(mktemp -d)
	if [ -d "tests/fuzz/corpus/$name" ]; then
		cp -r "tests/fuzz/corpus/$name/." "$work/"
	fi
	echo "fuzz: $name for ${FUZZ_SECONDS}s"
	if ! "$f" -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=2048 -artifact_prefix="$BUILD/fuzz/$name-" \
		"$work" >"$BUILD/fuzz/$name.log" 2>&1; then
		tail -40 "$BUILD/fuzz/$name.log"
		echo "fuzz: $name FAILED (log: $BUILD/fuzz/$name.log)"
		status=1
	else
		grep -E '^(#[0-9]+.*DONE|Done [0-9]+ runs)' "$BUILD/fuzz/$name.log" | tail -1
		echo "fuzz: $name clean"
	fi
	rm -rf "$work"
done
exit $status
