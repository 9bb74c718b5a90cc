#!/usr/bin/env bash
# Throughput and quality of the local backend: the model alone vs the file job on DirectRunner and
# Flink local, in one JVM. Prints a Markdown table for docs/benchmarks.md.
#
#   bench/local-throughput.sh [copies]    # copies: how many times to repeat the sample (default 1)
set -euo pipefail
cd "$(dirname "$0")/.."
copies="${1:-1}"

mvn -B -q -DskipTests install
cp_file="$(mktemp)"
mvn -B -q -pl pipelines dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >/dev/null
classpath="pipelines/target/test-classes:pipelines/target/classes:$(cat "$cp_file")"
rm -f "$cp_file"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export DJL_OFFLINE=true OPT_OUT_TRACKING=true
java -Xmx6g \
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED \
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED \
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.text=ALL-UNNAMED \
  --add-opens=java.base/java.time=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED \
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/java.math=ALL-UNNAMED \
  -cp "$classpath" dev.flashline.bench.LocalThroughputBench \
  samples/sms-spam/sms-spam.yaml samples/sms-spam/sms-spam.jsonl "$copies" "$work"
