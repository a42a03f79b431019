#!/usr/bin/env bash
# Issue 16's dense one-thread table for several builds, side by side: ROUNDS rounds per model of `pocket bench --model M
# [--option …] [--input …] --runs 101 --no-batch64 --json` (random weights, seed 1), the builds alternating model by
# model, so a noisy machine slows them alike. Prints one markdown row per model: each build's median ratio
# (Pocket.Runtime / ONNX Runtime) and its ROUNDS ratios. The JSON of each run stays in OUTDIR.
# Usage: bench/ratios/run.sh OUTDIR ROUNDS NAME=BUILD_DIR [NAME=BUILD_DIR …]   (BUILD_DIR holds pocket.dll)
set -euo pipefail
out=$1 rounds=$2; shift 2
mkdir -p "$out"
rows=(
  "mnv1-a100|mobilenet_v1 α 1.0|3×224×224|--model mobilenet_v1 --option alpha=1.0"
  "mnv1-a050|mobilenet_v1 α 0.5|3×224×224|--model mobilenet_v1 --option alpha=0.5"
  "mnv1-a025|mobilenet_v1 α 0.25|3×224×224|--model mobilenet_v1 --option alpha=0.25"
  "mnv1-a025-128|mobilenet_v1 α 0.25|3×128×128|--model mobilenet_v1 --option alpha=0.25 --input 3x128x128"
  "sq10|squeezenet1_0|3×224×224|--model squeezenet1_0"
  "sq11|squeezenet1_1|3×224×224|--model squeezenet1_1"
  "sepnet|sepnet|3×224×224|--model sepnet"
  "lenet5|lenet5 (dense)|1×28×28|--model lenet5"
)
header="| model | input |" rule="|---|---|"
for build in "$@"; do header="$header ${build%%=*} | ${build%%=*}, each round |"; rule="$rule---:|---|"; done
echo "$header"; echo "$rule"
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
for row in "${rows[@]}"; do
  IFS='|' read -r key label input args <<<"$row"
  declare -A ratios=()
  for r in $(seq "$rounds"); do
    for build in "$@"; do
      name=${build%%=*} dir=${build#*=}
      json=$out/$key-$name-$r.json
      # shellcheck disable=SC2086
      dotnet "$dir/pocket.dll" bench $args --runs 101 --no-batch64 --json > "$json" 2> "$json.err" < /dev/null
      ratios[$name]="${ratios[$name]:-} $(grep -o '"ratio":[0-9.]*' "$json" | head -1 | cut -d: -f2)"
    done
  done
  line="| $label | $input |"
  for build in "$@"; do
    name=${build%%=*}
    # shellcheck disable=SC2086
    line="$line $(median ${ratios[$name]}) | $(echo ${ratios[$name]} | sed 's/ /, /g') |"
  done
  echo "$line"
  unset ratios
done
