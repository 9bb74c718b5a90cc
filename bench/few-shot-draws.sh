#!/usr/bin/env bash
# Quality of the local backend across random draws of the few-shot examples on the SMS sample.
#   bench/few-shot-draws.sh [draws] [k ...]     (default: 10 draws of 16 and 40 examples per class)
set -euo pipefail
cd "$(dirname "$0")/.."
draws="${1:-10}"; shift || true
ks=("${@:-16 40}")

mvn -B -q -DskipTests install
cp_file="$(mktemp)"
mvn -B -q -pl pipelines dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >/dev/null
classpath="pipelines/target/test-classes:pipelines/target/classes:$(cat "$cp_file")"
rm -f "$cp_file"
export DJL_OFFLINE=true OPT_OUT_TRACKING=true
# shellcheck disable=SC2068
java -Xmx4g -cp "$classpath" dev.flashline.bench.FewShotDrawsBench \
  samples/sms-spam/sms-spam.yaml samples/sms-spam/sms-spam.jsonl "$draws" ${ks[@]}
