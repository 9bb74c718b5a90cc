#!/usr/bin/env bash
# The native engine's CPU path on a random ~124M-parameter Llama-shaped checkpoint (bf16 on disk,
# then converted to block-scaled FP8): prefill and decode tokens/s, weight memory, and the speed-up
# of prefix reuse on documents under one shared prefix. Prints Markdown for docs/benchmarks.md.
#
#   bench/engine-cpu.sh [prefix_tokens] [documents] [document_tokens]   # defaults: 256 8 16
set -euo pipefail
cd "$(dirname "$0")/.."
prefix="${1:-256}"
documents="${2:-8}"
doc_tokens="${3:-16}"

mvn -B -q -DskipTests install
cp_file="$(mktemp)"
mvn -B -q -pl inference-udf dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >/dev/null
classpath="inference-udf/target/test-classes:inference-udf/target/classes:$(cat "$cp_file")"
rm -f "$cp_file"
java -Xmx6g -cp "$classpath" dev.flashline.bench.EngineCpuBench "$prefix" "$documents" "$doc_tokens"
