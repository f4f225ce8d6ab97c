#!/bin/sh
# shellcheck disable=SC2086 # $ALL and the argument strings split into words on purpose
# crosscheck.sh DIR: perfgate's `top`, `diff` and `benchstat` against `go
# tool pprof -top` and benchstat on every profile (*.pb.gz) and benchmark
# output (bench*.txt) of DIR, byte for byte: each profile at every sample
# index its type has, with --cum, --noinlines and every label value (also
# with --relative-percentages); each
# pair of profiles of one type (NAME_a, NAME_b with the same prefix) as a
# diff, plain and --normalize; each pair of benchmark files both ways, and each file alone.
# Prints what differs and a count; exits 1 when anything does.
# Developer tool (needs Go; benchstat as $BENCHSTAT, see
# tests/fixtures/crosscheck/README.md), not run by `make test`.
#   BUILD=build BENCHSTAT=/path/benchstat tests/tools/crosscheck.sh DIR
set -eu
BUILD=${BUILD:-build}
PG=$(realpath "$BUILD/perfgate")
dir=${1:?usage: crosscheck.sh DIR}
cd "$dir"
ALL="-nodecount=1000000 -nodefraction=0 -edgefraction=0"
tmp=$(mktemp -d /tmp/perfgate-xcheck.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
n=0
bad=0

# check "perfgate args" "tool and its args"
check() {
	n=$((n + 1))
	"$PG" $1 >"$tmp/ours" 2>"$tmp/ours.err" || true
	$2 >"$tmp/theirs" 2>/dev/null || true
	if grep -q '(empty_input)$' "$tmp/ours.err" && grep -q ' of 0 total$' "$tmp/theirs"; then
		return 0 # a zero total is refused by design (issue 3's malformed catalogue)
	fi
	if ! cmp -s "$tmp/ours" "$tmp/theirs"; then
		bad=$((bad + 1))
		echo "DIFF: perfgate $1"
		echo "  vs: $2"
		diff "$tmp/theirs" "$tmp/ours" | head -"${DIFF_LINES:-10}" | sed 's/^/  /'
		sed 's/^/  /' "$tmp/ours.err"
	fi
}

# the unit flag that makes pprof print exact values for a sample index
unit_of() {
	case $1 in
	cpu) echo ns ;;
	*space) echo B ;;
	*) echo "" ;;
	esac
}

for p in *.pb.gz; do
	[ -f "$p" ] || continue
	check "top $p" "go tool pprof -top $p"
	# the sample types: the line after "Samples:" in -raw ("samples/count cpu/nanoseconds")
	for si in $(go tool pprof -raw "$p" 2>/dev/null |
		awk '/^Samples:/ {getline; for (i = 1; i <= NF; i++) {sub("/.*", "", $i); print $i}; exit}'); do
		u=$(unit_of "$si")
		uo=${u:+--unit $u}
		up=${u:+-unit=$u}
		for opt in "" cum noinlines; do
			check "top --all $uo --sample-index $si ${opt:+--$opt} $p" \
				"go tool pprof -top $ALL $up -sample_index=$si ${opt:+-$opt} $p"
		done
	done
	for tag in $(go tool pprof -tags "$p" 2>/dev/null |
		awk '/^ *[^ ]+: Total/ {k = $1; sub(":", "", k)} /^ *[0-9.]+[a-zA-Z]* *\(.*\): / {print k "=" $NF}' |
		sort -u); do
		case $tag in *=[0-9]* | *=*[!A-Za-z0-9_./-]*) continue ;; esac # plain string values
		check "top --all --tagfocus $tag $p" "go tool pprof -top $ALL -tagfocus=$tag $p"
		check "top --all --tagfocus $tag --relative-percentages $p" \
			"go tool pprof -top $ALL -tagfocus=$tag -relative_percentages $p"
	done
done
# diffs: files sharing the part of the name before the last _
for p in *.pb.gz; do
	[ -f "$p" ] || continue
	for q in "${p%_*}"_*.pb.gz; do
		[ "$p" != "$q" ] || continue
		check "diff --all $p $q" "go tool pprof -top $ALL -diff_base=$p $q"
		check "diff --all --normalize $p $q" "go tool pprof -top $ALL -normalize -diff_base=$p $q"
	done
done
if [ -n "${BENCHSTAT:-}" ]; then
	for a in bench*.txt; do
		[ -f "$a" ] || continue
		check "benchstat $a" "$BENCHSTAT $a"
		for b in bench*.txt; do
			[ "$a" != "$b" ] || continue
			check "benchstat $a $b" "$BENCHSTAT $a $b"
		done
	done
else
	echo "crosscheck: BENCHSTAT unset, benchmark files not compared" >&2
fi
echo "crosscheck: $n comparisons, $bad differ"
[ "$bad" -eq 0 ]
