#!/bin/sh
# Starts vLLM for Flashline's openai backend (deploy/images/gpu-worker/Dockerfile).
#   MODEL_DIR               the checkpoint (Hugging Face layout), default /models/flash
#   SERVED_MODEL_NAME       the name clients ask for and prices list, default flash-selfhosted
#   TENSOR_PARALLEL_SIZE    GPUs per worker, default 1 (must match the pod's nvidia.com/gpu)
#   GPU_MEMORY_UTILIZATION  share of GPU memory for weights + KV cache, default 0.92
#   PORT                    default 8000
#   VLLM_API_KEY            when set, vLLM requires it as the bearer token on /v1
# Any arguments are passed on to `vllm serve`.
set -eu
exec vllm serve "${MODEL_DIR:-/models/flash}" \
  --served-model-name "${SERVED_MODEL_NAME:-flash-selfhosted}" \
  --host 0.0.0.0 \
  --port "${PORT:-8000}" \
  --tensor-parallel-size "${TENSOR_PARALLEL_SIZE:-1}" \
  --gpu-memory-utilization "${GPU_MEMORY_UTILIZATION:-0.92}" \
  --enable-prefix-caching \
  --enable-prompt-tokens-details \
  "$@"
