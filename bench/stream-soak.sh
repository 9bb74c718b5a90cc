#!/usr/bin/env bash
# A soak of the streaming job: MESSAGES SMS messages produced at RATE/s into a real Kafka broker
# (in the bench JVM) while the stream labels them with the local backend. Prints a Markdown table
# row for docs/benchmarks.md: messages/s, end-to-end latency percentiles, peak heap.
#
#   bench/stream-soak.sh [messages] [rate] [direct|flink] [parallelism] [heap]
#   defaults: 100000 messages, 250/s, direct, 2, 3g
set -euo pipefail
cd "$(dirname "$0")/.."
messages="${1:-100000}"
rate="${2:-250}"
runner="${3:-direct}"
parallelism="${4:-2}"
heap="${5:-3g}"

mvn -B -q -DskipTests install
cp_file="$(mktemp)"
mvn -B -q -pl pipelines dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >/dev/null
classpath="pipelines/target/test-classes:pipelines/target/classes:$(cat "$cp_file")"
rm -f "$cp_file"
opens=$(sed -n 's:.*<flink.java17.opens>\(.*\)</flink.java17.opens>.*:\1:p' pom.xml)

export DJL_OFFLINE=true OPT_OUT_TRACKING=true
echo "| runner | parallelism | messages | offered/s | results | seconds | results/s | p50 ms | p95 ms | p99 ms | max ms | peak heap MiB |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
# shellcheck disable=SC2086
java -Xmx"$heap" -Djava.util.concurrent.ForkJoinPool.common.parallelism=2 $opens -cp "$classpath" \
  dev.flashline.bench.StreamSoakBench samples/sms-spam/sms-spam.yaml samples/sms-spam/sms-spam.jsonl \
  "$messages" "$rate" "$runner" "$parallelism" 2>/dev/null
