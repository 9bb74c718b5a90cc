#!/usr/bin/env bash
# The native backend end to end: `flashline label --backend native` on the SMS sample's job (its
# prompt carries 80 examples, a few thousand tokens shared by every record) with a random
# Llama-shaped checkpoint and the DeepSeek tokenizer, in bf16 and after `flashline quantize` (FP8).
# Prints Markdown for docs/benchmarks.md: records/s, engine core-seconds, cost per 1,000 records,
# and how many prompt tokens the prefix cache supplied.
#
#   bench/native-job.sh [records] [layers] [hidden]   # defaults: 64 4 256
set -euo pipefail
cd "$(dirname "$0")/.."
records="${1:-64}"
layers="${2:-4}"
hidden="${3:-256}"

# MVN_FLAGS is passed to Maven (e.g. MVN_FLAGS=-o offline). ./flashline builds its jar when stale.
# shellcheck source=bench/test-classpath.sh
. bench/test-classpath.sh

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
java -cp "$classpath" dev.flashline.bench.RandomChatModel "$work/bf16" "$layers" "$hidden"
./flashline quantize --model "$work/bf16" --output "$work/fp8"
head -n "$records" samples/sms-spam/sms-spam.jsonl > "$work/input.jsonl"

echo "| weights | records | wall s | records/s | engine core-s | \$ per 1k records | prompt tokens | from prefix cache |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for weights in bf16 fp8; do
  ./flashline label --job samples/sms-spam/sms-spam.yaml --input "$work/input.jsonl" --output "$work/out-$weights" \
    --backend native --native-model "$work/$weights" --no-progress >/dev/null 2>"$work/log-$weights" || { cat "$work/log-$weights"; exit 1; }
  python3 - "$work/out-$weights/cost-report.json" "$weights" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
t = r["tokens"]
print(f"| {sys.argv[2]} | {r['records']} | {r['wall_seconds']:.1f} | {r['records_per_second']:.2f} | {r['compute_seconds']:.1f} | "
      f"{next(v for k, v in r.items() if '1000' in k):.6f} | {t['input']:,} | {t['cache_hit_ratio']*100:.1f}% |")
PY
done
