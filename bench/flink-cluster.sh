#!/usr/bin/env bash
# The file job on a real Flink cluster of separate processes against the same job on DirectRunner and
# on Flink's embedded cluster: the SMS sample (times COPIES, with distinct ids) labelled by the local
# backend with parallelism 2 everywhere. The cluster is the one `./flashline cluster start` gives: one
# JobManager and two TaskManagers of one slot each (1 GB each), so parallelism 2 is one task per
# TaskManager. Each job is `./flashline label` in its own JVM, as a user runs it; records/s is the
# job's own figure (cost-report.json: records over the wall time from submitting the pipeline to the
# last file written; on the cluster that includes uploading the 350 MB job jar and each TaskManager
# loading its classes and the model) and "shell s" the whole command, JVM start included.
#
# Then the recovery after a TaskManager is killed, as FlinkFailoverIT measures it (Kafka job, openai
# backend against the test server, checkpoints every 10 s, SIGKILL one of two TaskManagers, start a
# replacement): from the kill to the JobManager noticing, to the job running again from its
# checkpoint, to the first answer of a record sent after the restore.
#
# Prints Markdown for docs/benchmarks.md.
#
#   bench/flink-cluster.sh [copies] [failover-runs]     # defaults: 1, 1 (0 skips the failover test)
set -euo pipefail
cd "$(dirname "$0")/.."
copies="${1:-1}"
failovers="${2:-1}"
export DJL_OFFLINE=true OPT_OUT_TRACKING=true

work="$(mktemp -d)"
cluster="$work/cluster"
cleanup() {
  ./flashline cluster stop --dir "$cluster" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# Builds pipelines/target/flashline.jar when the sources are newer (the job jar the cluster receives).
./flashline --version >/dev/null

input="$work/sms.jsonl"
python3 - "$copies" samples/sms-spam/sms-spam.jsonl "$input" <<'EOF'
import json, sys
copies, source, target = int(sys.argv[1]), sys.argv[2], sys.argv[3]
rows = [json.loads(line) for line in open(source, encoding="utf-8") if line.strip()]
with open(target, "w", encoding="utf-8") as out:
    for copy in range(copies):
        for row in rows:
            row = dict(row)
            if copy:
                row["id"] = f"{row['id']}-{copy}"
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
EOF
records="$(wc -l < "$input")"

rows=()
run() {
  local name="$1"
  shift
  local start end
  start="$(date +%s.%N)"
  FLASHLINE_JAVA_OPTS="${FLASHLINE_JAVA_OPTS:--Xmx2g}" ./flashline label --job samples/sms-spam/sms-spam.yaml --input "$input" \
    --output "$work/$name" --parallelism 2 --no-progress "$@" > "$work/$name.txt" 2>&1 || { cat "$work/$name.txt" >&2; exit 1; }
  end="$(date +%s.%N)"
  rows+=("$(python3 - "$work/$name/cost-report.json" "$name" "$start" "$end" <<'EOF'
import json, sys
report, name, start, end = json.load(open(sys.argv[1])), sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
print(f"| {name} | {report['records']:,} | {report['wall_seconds']:.1f} | {report['records_per_second']:.0f} | {end - start:.1f} | {report['records'] / (end - start):.0f} |")
EOF
)")
}

run "DirectRunner" --runner direct
run "Flink embedded ([local])" --runner flink
./flashline cluster start --dir "$cluster" --taskmanagers 2 --slots 1 > "$work/cluster.txt"
master="$(sed -n 's/^flink.master=//p' "$cluster/cluster.properties" | sed 's/\\:/:/')"
run "Flink cluster, 2 TaskManagers (first job)" --runner flink --flink-master "$master"
run "Flink cluster, 2 TaskManagers (second job)" --runner flink --flink-master "$master"
./flashline cluster stop --dir "$cluster" > /dev/null

same="$(python3 - "$work" <<'EOF'
import glob, json, os, sys
labels = {os.path.basename(os.path.dirname(p)): json.load(open(p))["labels"] for p in glob.glob(os.path.join(sys.argv[1], "*", "cost-report.json"))}
print("yes" if len({json.dumps(v, sort_keys=True) for v in labels.values()}) == 1 else f"NO: {labels}")
EOF
)"

echo "## Flink cluster vs embedded vs DirectRunner ($(date -u +%Y-%m-%d))"
echo
echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(java -version 2>&1 | head -1). Command: \`bench/flink-cluster.sh $copies $failovers\`."
echo "Input: the SMS sample x $copies ($records records), local backend, parallelism 2. Same label counts on every runner: $same."
echo
echo "| runner | records | job wall s | records/s (job) | shell s | records/s (shell) |"
echo "|---|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"

if [ "$failovers" -gt 0 ]; then
  echo
  echo "Recovery after SIGKILL of one of two TaskManagers (FlinkFailoverIT; seconds from the kill):"
  echo
  echo "| run | records | restarts | JobManager noticed | running again from checkpoint | first new answer | all answered |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  for i in $(seq "$failovers"); do
    mvn -B -o -q -pl pipelines -am verify -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false \
      -Dit.test=FlinkFailoverIT -Dfailsafe.failIfNoSpecifiedTests=false > "$work/failover-$i.txt" 2>&1 || { tail -50 "$work/failover-$i.txt" >&2; exit 1; }
    grep -ho 'FLINK-FAILOVER [^<]*' pipelines/target/failsafe-reports/TEST-dev.flashline.cluster.FlinkFailoverIT.xml | head -1 |
      sed -E 's/.*records=([0-9]+) restarts=([0-9]+) restored_from=[0-9-]+ detected_s=([0-9.-]+) running_again_s=([0-9.]+) first_new_result_s=([0-9.]+) all_answered_s=([0-9.]+).*/| '"$i"' | \1 | \2 | \3 | \4 | \5 | \6 |/'
  done
fi
