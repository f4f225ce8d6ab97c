#!/bin/sh
# k8s_manifests.sh: deploy/k8s/ parses and hangs together, without a
# cluster. `kubectl apply --dry-run=client` needs an API server for its
# REST mapping, so the check is structural instead: yq (Debian package yq,
# in scripts/packages-build.txt) turns each YAML document into JSON and jq
# asserts what the API server's schema would (apiVersion/kind pairs,
# names, required fields) plus what perfgate needs (probes on /readyz and
# /healthz, selectors matching the pod labels, the Secret and ConfigMap
# the pods reference, the CronJob running `perfgate nightly`).
set -u
dir=deploy/k8s
command -v yq >/dev/null || { echo "k8s_manifests: yq missing (apt-get install yq)"; echo "0 passed, 1 failed"; exit 1; }
all=$(mktemp)
trap 'rm -f "$all"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "k8s_manifests: $*"; }

for f in "$dir"/*.yaml; do
	if yq -c '.' "$f" >>"$all" 2>"$all.err"; then ok; else bad "$f does not parse: $(cat "$all.err")"; fi
	rm -f "$all.err"
done
docs=$(jq -s 'map(select(. != null))' "$all")

check() { # check DESCRIPTION JQ-PROGRAM (true when fine)
	if [ "$(echo "$docs" | jq -r "$2")" = "true" ]; then ok; else bad "$1"; fi
}

check "every document is a known apiVersion/kind with a DNS-1123 name" '
  all(.[]; ([.apiVersion, .kind] | IN(["v1","ConfigMap"], ["v1","Service"], ["apps/v1","Deployment"],
    ["batch/v1","Job"], ["batch/v1","CronJob"], ["autoscaling/v2","HorizontalPodAutoscaler"],
    ["policy/v1","PodDisruptionBudget"]))
    and (.metadata.name | type == "string" and test("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")))'
for k in ConfigMap Service Deployment Job CronJob HorizontalPodAutoscaler PodDisruptionBudget; do
	check "one $k" "[.[] | select(.kind == \"$k\")] | length == 1"
done
check "ConfigMap data are strings" '[.[] | select(.kind == "ConfigMap") | .data[] | type == "string"] | all'
# the pod specs of Deployment, Job and CronJob
pods='[.[] | if .kind == "Deployment" or .kind == "Job" then .spec.template
  elif .kind == "CronJob" then .spec.jobTemplate.spec.template else empty end]'
check "every pod has containers with name, image and command" "$pods | all(.spec.containers | length > 0 and all(.name and .image and (.command | type == \"array\")))"
check "every pod runs as non-root" "$pods | all(.spec.securityContext.runAsNonRoot == true)"
check "Job and CronJob pods restart OnFailure or Never" \
	'[(.[] | select(.kind == "Job") | .spec.template), (.[] | select(.kind == "CronJob") | .spec.jobTemplate.spec.template)] | all(.spec.restartPolicy | IN("OnFailure", "Never"))'
check "secrets come from perfgate-secrets, database-url required" \
	"[$pods | .[] | .spec.containers[].env[]? | .valueFrom.secretKeyRef? | select(.)] | (all(.name == \"perfgate-secrets\") and any(.key == \"database-url\" and (.optional // false) == false))"
check "every pod gets PERFGATE_DATABASE_URL from the Secret" \
	"$pods | all([.spec.containers[].env[]? | select(.name == \"PERFGATE_DATABASE_URL\") | .valueFrom.secretKeyRef.key] == [\"database-url\"])"
check "configMapRefs name the ConfigMap" \
	"([.[] | select(.kind == \"ConfigMap\") | .metadata.name]) as \$cms | [$pods | .[] | .spec.containers[].envFrom[]? | .configMapRef.name] | all(IN(\$cms[]))"
check "Deployment selector matches its pod labels" \
	'.[] | select(.kind == "Deployment") | .spec.template.metadata.labels as $l | .spec.selector.matchLabels | to_entries | all($l[.key] == .value)'
check "readiness on /readyz, liveness on /healthz, on a named container port" \
	'.[] | select(.kind == "Deployment") | .spec.template.spec.containers[0] | ([.ports[].name]) as $p
	  | .readinessProbe.httpGet.path == "/readyz" and .livenessProbe.httpGet.path == "/healthz"
	  and (.readinessProbe.httpGet.port | IN($p[])) and (.livenessProbe.httpGet.port | IN($p[]))'
check "Deployment runs perfgate serve" '.[] | select(.kind == "Deployment") | .spec.template.spec.containers[0] | (.command + .args) == ["perfgate", "serve"]'
check "Service selects the Deployment's pods on a named port" \
	'(.[] | select(.kind == "Deployment") | .spec.template.metadata.labels) as $l | (.[] | select(.kind == "Deployment") | [.spec.template.spec.containers[0].ports[].name]) as $p
	  | .[] | select(.kind == "Service") | (.spec.selector | to_entries | all($l[.key] == .value)) and (.spec.ports | all(.targetPort | IN($p[])))'
check "PodDisruptionBudget selects the Deployment's pods" \
	'(.[] | select(.kind == "Deployment") | .spec.template.metadata.labels) as $l | .[] | select(.kind == "PodDisruptionBudget") | .spec.selector.matchLabels | to_entries | all($l[.key] == .value)'
check "HPA scales the Deployment, min <= max" \
	'(.[] | select(.kind == "Deployment") | .metadata.name) as $d | .[] | select(.kind == "HorizontalPodAutoscaler") | .spec.scaleTargetRef.kind == "Deployment" and .spec.scaleTargetRef.name == $d and .spec.minReplicas <= .spec.maxReplicas'
check "migration Job runs perfgate migrate" '.[] | select(.kind == "Job") | .spec.template.spec.containers[0].command == ["perfgate", "migrate"]'
check "CronJob: a 5-field schedule running perfgate nightly" \
	'.[] | select(.kind == "CronJob") | (.spec.schedule | split(" ") | length == 5) and (.spec.jobTemplate.spec.template.spec.containers[0] | (.command + .args) | join(" ") | test("perfgate nightly --project"))'
if yq -e '.kind == "Secret" and (.stringData | has("database-url"))' deploy/secret.example.yaml >/dev/null 2>&1; then ok; else bad "deploy/secret.example.yaml lacks database-url"; fi
if jq -e '.schemaVersion >= 36' deploy/grafana/perfgate-dashboard.json >/dev/null; then ok; else bad "dashboard does not parse or schemaVersion < 36"; fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
