#!/bin/sh
# run.sh: `make bench`: build information, then every benchmark program of
# build/bench/ in name order. Each program prints its own figures.
set -eu
BUILD=${BUILD:-build}
echo "perfgate bench: $(uname -srm), $(nproc) cores, $(cc --version | head -1)"
echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
for b in "$BUILD"/bench/*; do
	[ -x "$b" ] || continue
	echo
	echo "== $(basename "$b")"
	"$b"
done
# The latency-sensitive upload bench first: the trend bench writes a 6 GB
# store, and what the machine does to drop it disturbed the next bench.
ran=""
for s in tests/bench/bench_upload.sh tests/bench/bench_*.sh; do
	[ -f "$s" ] || continue
	case " $ran " in *" $s "*) continue ;; esac
	ran="$ran $s"
	echo
	echo "== $(basename "$s")"
	BUILD=$BUILD sh "$s"
	sync
done
