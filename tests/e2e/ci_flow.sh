#!/bin/sh
# ci_flow.sh: the README's CI step, tried as a new user would: real curl
# against a real `perfgate serve` and PostgreSQL (the throwaway cluster of
# tests/run.sh). Base profiles on main (201, pass, promoted), a candidate on
# a feature branch that fails the gate (curl exits 22 under
# --fail-with-body), an A/A noise candidate that passes, then the
# renderings and the raw profile back, byte for byte.
set -u
: "${PERFGATE_TEST_DATABASE_URL:?run through make test}"
# absolute: the steps below run in a scratch folder
BIN=$(realpath "${PERFGATE_BIN:-build/perfgate}")
FX=$(realpath "${PERFGATE_FIXTURES:-tests/fixtures}")
work=$(mktemp -d /tmp/perfgate-e2e.XXXXXX)
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $1"; }
check() { if eval "$2"; then ok "$1"; else not_ok "$1"; fi; }

export PGOPTIONS="--client-min-messages=warning"
psql "$PERFGATE_TEST_DATABASE_URL" -qc "DROP DATABASE IF EXISTS pft_e2e WITH (FORCE)" >/dev/null
psql "$PERFGATE_TEST_DATABASE_URL" -qc "CREATE DATABASE pft_e2e" >/dev/null
export PERFGATE_DATABASE_URL="$PERFGATE_TEST_DATABASE_URL dbname=pft_e2e"
export PERFGATE_CONFIG=/dev/null
"$BIN" migrate >/dev/null || not_ok "migrate"
PERFGATE_TOKEN=$("$BIN" token create --scope upload --project myapp 2>/dev/null)
READ_TOKEN=$("$BIN" token create --scope read 2>/dev/null)
. tests/lib/serve.sh
pf_serve "$BIN" "$work/daemon.log" || not_ok "daemon started"
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
PERFGATE_URL="http://127.0.0.1:$port"

cp "$FX/cpu_base.pb.gz" "$work/cpu.prof"
cp "$FX/heap_base.pb.gz" "$work/mem.prof"
cp "$FX/bench_base.txt" "$work/bench.txt"
cd "$work"

# 1. the base on main: the README's command, verbatim but for the values
BRANCH=main SHA=1111111
curl -sS --fail-with-body -H "Authorization: Bearer $PERFGATE_TOKEN" \
  -F cpu=@cpu.prof -F heap=@mem.prof -F bench=@bench.txt \
  -F branch="$BRANCH" -F commit="$SHA" -F AI_GATE_ENABLE="${AI_GATE_ENABLE:-false}" \
  "$PERFGATE_URL/v1/projects/myapp/runs?fail_on=fail" -o report.json
rc=$?
check "base upload on main succeeds (curl exit $rc)" '[ $rc -eq 0 ]'
check "base verdict is pass" '[ "$(jq -r .verdict report.json)" = pass ]'
check "no baseline yet, said so" '[ "$(jq -r .baseline report.json)" = null ]'
BASE_ID=$(jq -r .run_id report.json)

# 2. the candidate on a feature branch, gates enabled: the step fails
cp "$FX/cpu_cand.pb.gz" cpu.prof
cp "$FX/heap_cand.pb.gz" mem.prof
cp "$FX/bench_cand.txt" bench.txt
BRANCH=feature-x SHA=2222222 AI_GATE_ENABLE=true
curl -sS --fail-with-body -H "Authorization: Bearer $PERFGATE_TOKEN" \
  -F cpu=@cpu.prof -F heap=@mem.prof -F bench=@bench.txt \
  -F branch="$BRANCH" -F commit="$SHA" -F AI_GATE_ENABLE="${AI_GATE_ENABLE:-false}" \
  "$PERFGATE_URL/v1/projects/myapp/runs?fail_on=fail" -o report.json 2>/dev/null
rc=$?
check "candidate fails the CI step (curl exit $rc = 22)" '[ $rc -eq 22 ]'
check "candidate verdict is fail" '[ "$(jq -r .verdict report.json)" = fail ]'
check "compared with run $BASE_ID of main" '[ "$(jq -r ".baseline.runs[0]" report.json)" = "$BASE_ID" ]'
COUNT_REG=$(jq '.cpu_regressions | length' report.json)
check "jq gate step counts regressions ($COUNT_REG)" '[ "$COUNT_REG" -ge 1 ]'
# each gate names exactly what the fixtures' reference pairs list past its
# threshold (tests/fixtures/README.md; so another fixture set works too)
REF="$FX/reference"
expect() { # gate, pair file, jq list of names
	want=$(jq -c "[$3] | sort" "$REF/$2")
	got=$(jq -c "[.gates[] | select(.id == \"$1\") | .violations[] | .function // .benchmark] | sort" report.json)
	check "$1 names $want" '[ "$got" = "$want" ]'
}
expect cpu_hotspot pair_cpu_base_cand.json \
  '.gates_cpu.flat_regression_gt_8_pts[] | select(.significant_bonferroni) | .name'
expect new_hotspot pair_cpu_base_cand.json '.gates_cpu["new_hotspot_base_lt_0.5_cand_gt_4_pct"][].name'
expect alloc_regression pair_heap_base_cand.json '.gates_alloc_space.flat_regression_gt_10_pts[].name'
expect bench_slowdown pair_bench_base_cand.json \
  '.gates.time_slowdown_gt_5_pct_significant[] | select(.unit == "sec/op") | .name'
CAND_ID=$(jq -r .run_id report.json)

# 3. an A/A noise candidate passes: the fixtures' noise pair (README: "the
# noise pairs must pass"), noise1 the baseline of a project of its own
AA_TOKEN=$("$BIN" token create --scope upload --project aa 2>/dev/null)
for step in 1 2; do
  cp "$FX/cpu_noise$step.pb.gz" cpu.prof
  cp "$FX/heap_noise$step.pb.gz" mem.prof
  cp "$FX/bench_noise$step.txt" bench.txt
  if [ $step = 1 ]; then BRANCH=main SHA=3333333; else BRANCH=feature-y SHA=4444444; fi
  AI_GATE_ENABLE=true
  curl -sS --fail-with-body -H "Authorization: Bearer $AA_TOKEN" \
    -F cpu=@cpu.prof -F heap=@mem.prof -F bench=@bench.txt \
    -F branch="$BRANCH" -F commit="$SHA" -F AI_GATE_ENABLE="${AI_GATE_ENABLE:-false}" \
    "$PERFGATE_URL/v1/projects/aa/runs?fail_on=fail" -o report.json
  rc=$?
done
check "noise candidate passes (curl exit $rc)" '[ $rc -eq 0 ] && [ "$(jq -r .verdict report.json)" = pass ]'
check "noise candidate compared with noise1" '[ "$(jq -r .baseline.commits[0] report.json)" = 3333333 ]'

# 4. what a person reads afterwards
H="Authorization: Bearer $READ_TOKEN"
curl -fsS -H "$H" "$PERFGATE_URL/v1/runs/$CAND_ID/comment.md" -o comment.md
check "comment.md carries the marker" 'grep -q "<!-- perfgate:myapp/feature-x -->" comment.md'
curl -fsS -H "$H" "$PERFGATE_URL/v1/runs/$CAND_ID/junit.xml" -o junit.xml
check "junit.xml is well-formed XML" 'xmllint --noout junit.xml'
curl -fsS -H "$H" "$PERFGATE_URL/v1/runs/$CAND_ID/profiles/cpu/speedscope.json" -o ss.json
check "speedscope.json names its schema" \
  '[ "$(jq -r ".[\"\$schema\"]" ss.json)" = "https://www.speedscope.app/file-format-schema.json" ]'
curl -fsS -H "$H" "$PERFGATE_URL/v1/runs/$CAND_ID/profiles/cpu" -o back.prof
check "raw cpu profile is byte-identical to the upload" 'cmp -s back.prof "$FX/cpu_cand.pb.gz"'
# the URL form `go tool pprof` can use: the token in the URL (Basic)
curl -fsS "http://x:$READ_TOKEN@${PERFGATE_URL#http://}/v1/runs/$CAND_ID/profiles/heap" -o back.heap
check "raw heap profile by URL credentials is byte-identical" 'cmp -s back.heap "$FX/heap_cand.pb.gz"'
curl -fsS -H "$H" "$PERFGATE_URL/v1/runs/$CAND_ID/profiles/bench" -o back.txt
check "raw bench output is byte-identical" 'cmp -s back.txt "$FX/bench_cand.txt"'
curl -fsS -H "$H" "$PERFGATE_URL/v1/runs/$BASE_ID" -o base.json
check "GET /v1/runs/$BASE_ID gives the stored report" '[ "$(jq -r .run_id base.json)" = "$BASE_ID" ]'

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
