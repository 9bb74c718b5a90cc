#!/usr/bin/env bash
# What the cost controls save: the three-task SMS workload (bench/cost-controls.yaml, 5,574 records
# with repeated texts) against the test server in its DeepSeek cache mode (units at request
# boundaries, common-prefix detection, build delay, expiry), once in arrival order, once grouped,
# once grouped + primed + duplicates reused. Then the estimate for the same job and input, to set
# beside the measured cost. Prints Markdown for docs/benchmarks.md.
#
#   bench/cost-controls.sh [in_flight] [delay_ms] [build_ms]     # defaults: 64, 100, 200
set -euo pipefail
cd "$(dirname "$0")/.."
in_flight="${1:-64}"
delay="${2:-100}"
build="${3:-200}"

mvn -B -q -DskipTests install
cp_file="$(mktemp)"
mvn -B -q -pl pipelines dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >/dev/null
classpath="pipelines/target/test-classes:pipelines/target/classes:$(cat "$cp_file")"
rm -f "$cp_file"
opens=$(sed -n 's:.*<flink.java17.opens>\(.*\)</flink.java17.opens>.*:\1:p' pom.xml)
export DJL_OFFLINE=true OPT_OUT_TRACKING=true

estimate="$(mktemp --suffix=.json)"
./flashline estimate --job bench/cost-controls.yaml --input samples/sms-spam/sms-spam.jsonl --max-in-flight "$in_flight" \
  --no-local --json "$estimate"
# shellcheck disable=SC2086
java -Xmx3g -Djava.util.concurrent.ForkJoinPool.common.parallelism=2 $opens -cp "$classpath" \
  dev.flashline.bench.CostControlsBench bench/cost-controls.yaml samples/sms-spam/sms-spam.jsonl \
  "$in_flight" "$delay" "$build" "$estimate" 2>/dev/null
