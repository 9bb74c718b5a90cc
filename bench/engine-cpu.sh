#!/usr/bin/env bash
# The native engine's CPU path on a random ~124M-parameter Llama-shaped checkpoint (bf16 on disk,
# then converted to block-scaled FP8): prefill and decode tokens/s, weight memory, and the speed-up
# of prefix reuse on documents under one shared prefix. Prints the matmul kernel in use, then
# Markdown for docs/benchmarks.md.
#
#   bench/engine-cpu.sh [prefix_tokens] [documents] [document_tokens]   # defaults: 256 8 16
#
# KERNEL=auto|vector|scalar|naive picks the matmul kernel (default auto: the Vector API one, since
# this script starts Java with --add-modules jdk.incubator.vector; naive is the engine's original
# loops). MVN_FLAGS is passed to Maven (e.g. MVN_FLAGS=-o offline).
set -euo pipefail
cd "$(dirname "$0")/.."
prefix="${1:-256}"
documents="${2:-8}"
doc_tokens="${3:-16}"

# shellcheck source=bench/test-classpath.sh
. bench/test-classpath.sh
java -Xmx6g --add-modules jdk.incubator.vector -Dflashline.engine.kernel="${KERNEL:-auto}" -cp "$classpath" \
  dev.flashline.bench.EngineCpuBench "$prefix" "$documents" "$doc_tokens"
