#!/usr/bin/env bash
# Reproduces every LeNet figure in bench/results (baseline, pruning, quantization, deep-compression).
# Usage: bench/lenet/run-all.sh [OUTDIR]   (default: artifacts/lenet). Takes about half an hour on 2 cores.
# Each step's JSON goes to OUTDIR/*.json and its table to OUTDIR/*.txt; wall times to OUTDIR/times.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-artifacts/lenet}
mkdir -p "$out"
dotnet build src/Pocket.Cli -c Release -v q -nologo >/dev/null
pocket=src/Pocket.Cli/bin/Release/net10.0/pocket

step() { # name, then the pocket arguments
  local name=$1; shift
  local start=$(date +%s.%N)
  "$pocket" "$@" > "$out/$name.txt"
  local end=$(date +%s.%N)
  printf '%-28s %7.1f s  pocket %s\n' "$name" "$(echo "$end - $start" | bc)" "$*" | tee -a "$out/times.txt"
}

: > "$out/times.txt"
# Baselines (bench/results/baseline.md)
step train-lenet300   train --model lenet300 --dataset mnist --out "$out/lenet300.ckpt" --json
step train-lenet5     train --model lenet5 --dataset mnist --out "$out/lenet5.ckpt" --json

# Pruning with Han et al.'s per-layer targets (bench/results/pruning.md)
step prune-lenet300   prune "$out/lenet300.ckpt" --out "$out/lenet300-pruned.ckpt" --keep fc1=0.08,fc2=0.09,fc3=0.26 --json
step prune-lenet5     prune "$out/lenet5.ckpt" --out "$out/lenet5-pruned.ckpt" --keep conv1=0.66,conv2=0.12,fc1=0.08,fc2=0.19 --json

# Trained quantization (bench/results/quantization.md)
step quantize-lenet300 quantize "$out/lenet300-pruned.ckpt" --out "$out/lenet300-quantized.ckpt" --bits 6 --json
step quantize-lenet5   quantize "$out/lenet5-pruned.ckpt" --out "$out/lenet5-quantized.ckpt" --bits conv=8,fc=5 --json

# The files (bench/results/deep-compression.md)
step encode-lenet300  encode "$out/lenet300-quantized.ckpt" --out "$out/lenet300.pocket" --json
step encode-lenet5    encode "$out/lenet5-quantized.ckpt" --out "$out/lenet5.pocket" --json
step eval-lenet300-file eval "$out/lenet300.pocket" --json
step eval-lenet5-file   eval "$out/lenet5.pocket" --json
step run-lenet300-file  run "$out/lenet300.pocket" --json
step run-lenet5-file    run "$out/lenet5.pocket" --json

# The one-command pipeline, from scratch, timed (README's main job)
step compress-lenet300 compress --model lenet300 --dataset mnist --out "$out/lenet300-compress.pocket" --json
