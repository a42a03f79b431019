#!/usr/bin/env bash
# The SqueezeNet paper's "+ Deep Compression" row at our scale: each compact architecture's small variant is
# trained on Fashion-MNIST, then pruned, quantized and Huffman-coded by `pocket compress`, then run in
# Pocket.Runtime. Short runs (a slice of the training set, few epochs) so each model takes minutes on 2 cores.
# Usage: bench/architectures/run-all.sh [OUTDIR] [TRAIN_LIMIT] [EPOCHS]
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-artifacts/architectures}; limit=${2:-20000}; epochs=${3:-3}
mkdir -p "$out"
dotnet build src/Pocket.Cli -c Release -v q -nologo >/dev/null
pocket=src/Pocket.Cli/bin/Release/net10.0/pocket
: > "$out/times.txt"
run() { # name, then the pocket arguments
  local name=$1; shift
  local start=$(date +%s.%N)
  "$pocket" "$@" > "$out/$name.json"
  printf '%-32s %7.1f s  pocket %s\n' "$name" "$(echo "$(date +%s.%N) - $start" | bc)" "$*" | tee -a "$out/times.txt"
}
models=(
  "mobilenet|--model mobilenet_v1 --option alpha=0.25 --option resolution=32"
  "sepnet|--model sepnet --option width=0.5 --option resolution=32"
  "squeezenet|--model squeezenet1_1 --option resolution=32"
)
for entry in "${models[@]}"; do
  name=${entry%%|*}; flags=${entry#*|}
  # shellcheck disable=SC2086
  run "$name-train" train $flags --dataset fashion-mnist --epochs "$epochs" --limit "$limit" --out "$out/$name.ckpt" --json
  run "$name-summary" summary $flags --input 1x32x32 --classes 10 --json
  run "$name-compress" compress --from "$out/$name.ckpt" --limit "$limit" --rounds 2 --retrain-epochs 1 --finetune-epochs 1 --out "$out/$name.pocket" --json
  run "$name-run" run "$out/$name.pocket" --json
  "$pocket" encode "$out/$name.ckpt" --out "$out/$name-float.pocket" --json > "$out/$name-float-encode.json"
done
