#!/usr/bin/env bash
# GFLOP/s of the native engine's matmul kernels (naive = the original loops, scalar = register-tiled
# Java, vector = the Vector API), fp32 and block-scaled FP8 weights, 768x768 and 3072x768, for
# decode-sized and prefill-sized batches. Prints Markdown for docs/benchmarks.md.
#
#   bench/gemm-cpu.sh [rows,rows,...]    # default 1,8,64,256
#
# MVN_FLAGS is passed to Maven (e.g. MVN_FLAGS=-o offline).
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=bench/test-classpath.sh
. bench/test-classpath.sh
java -Xmx2g --add-modules jdk.incubator.vector -cp "$classpath" dev.flashline.bench.GemmBench "$@"
