#!/usr/bin/env bash
# Requests/s and client CPU of the openai backend's HTTP client with many requests in flight,
# against the scripted chat-completions server (a separate JVM) answering after a fixed delay.
# The client keeps up when the rate reaches in-flight / delay. Prints a Markdown table for
# docs/benchmarks.md.
#
#   bench/openai-client.sh [delay_ms] [rounds]     # defaults: 2000 ms, 10 rounds
#
# Each row sends rounds x in-flight requests three times (two to warm up, the JIT included) and
# measures the third. The server runs in its own JVM, so the client JVM's CPU is the client's.
set -euo pipefail
cd "$(dirname "$0")/.."
delay="${1:-2000}"
rounds="${2:-10}"

mvn -B -q -DskipTests install
cp_file="$(mktemp)"
mvn -B -q -pl inference-udf dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >/dev/null
classpath="inference-udf/target/test-classes:inference-udf/target/classes:$(cat "$cp_file")"
rm -f "$cp_file"

port=18555
java -Xmx2g -cp "$classpath" dev.flashline.backend.openai.ChatCompletionsServer --port "$port" --delay-ms "$delay" >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
  if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then break; fi
  sleep 0.2
done

echo "| in flight | requests | delay ms | ideal req/s | achieved req/s | of ideal | client CPU s | client CPU µs/request | of which Java threads µs/request | failed |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for inflight in 100 1000; do
  requests=$(( rounds * inflight ))
  java -Xmx1g -Djava.util.concurrent.ForkJoinPool.common.parallelism=2 -cp "$classpath" dev.flashline.bench.ChatClientBench "http://127.0.0.1:$port/v1" "$inflight" "$requests" "$delay"
done
