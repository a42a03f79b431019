#!/usr/bin/env bash
# Issue 16's dense rows at two threads: `pocket bench --model M --input … --threads 2` (random weights, seed 1) for each
# build given, one process per row and build: Pocket.Runtime and ONNX Runtime at two threads and each at one thread,
# timed in rotation in the same rounds (each timed run follows a pause so no runtime's spinning workers hold another's
# core). Reports each runtime's speed-up from the second thread and Pocket's ratio to ONNX Runtime at both counts.
# Usage: bench/threads/run.sh OUTDIR NAME=BUILD_DIR [NAME=BUILD_DIR …]   (BUILD_DIR holds pocket.dll)
# Prints one markdown row per model, build and thread count; the JSON of each run stays in OUTDIR.
set -euo pipefail
out=$1; shift
mkdir -p "$out"
export DOTNET_TieredCompilation=0
rows=(
  "mnv1-a100|mobilenet_v1 α 1.0, 3×224×224|--model mobilenet_v1 --option alpha=1.0 --input 3x224x224 --runs 31"
  "mnv1-a050|mobilenet_v1 α 0.5, 3×224×224|--model mobilenet_v1 --option alpha=0.5 --input 3x224x224 --runs 51"
  "mnv1-a025|mobilenet_v1 α 0.25, 3×224×224|--model mobilenet_v1 --option alpha=0.25 --input 3x224x224 --runs 51"
  "mnv1-a025-128|mobilenet_v1 α 0.25, 3×128×128|--model mobilenet_v1 --option alpha=0.25 --input 3x128x128 --runs 61"
  "sq10|squeezenet1_0, 3×224×224|--model squeezenet1_0 --input 3x224x224 --runs 31"
  "sq11|squeezenet1_1, 3×224×224|--model squeezenet1_1 --input 3x224x224 --runs 51"
  "sepnet|sepnet, 3×224×224|--model sepnet --input 3x224x224 --runs 51"
  "lenet5|lenet5 (dense), 1×28×28|--model lenet5 --runs 101"
)
echo "| model | build | pocket / ort ms, 1 thread | ratio | pocket / ort ms, 2 threads | ratio | speed-up pocket / ort | ratio b64, 2 threads |"
echo "|---|---|---:|---:|---:|---:|---:|---:|"
for row in "${rows[@]}"; do
  IFS='|' read -r key label args <<<"$row"
  for build in "$@"; do
    name=${build%%=*} dir=${build#*=}
    json=$out/$key-$name.json
    # shellcheck disable=SC2086
    dotnet "$dir/pocket.dll" bench $args --threads 2 --json > "$json" 2> "$json.err"
    jq -r --arg l "$label" --arg b "$name" '.batches[0] as $b1 | (.batches | map(select(.batch == 64)) | .[0]) as $b64 |
      "| \($l) | \($b) | \($b1.pocket_one_thread_ms) / \($b1.ort_one_thread_ms) | \(($b1.pocket_one_thread_ms / $b1.ort_one_thread_ms * 1000 | round) / 1000) | \($b1.pocket_ms) / \($b1.ort_ms) | \($b1.ratio) | \($b1.pocket_thread_speedup) / \($b1.ort_thread_speedup) | \($b64.ratio // "") |"' "$json"
  done
done
