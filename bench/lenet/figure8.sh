#!/usr/bin/env bash
# Han et al. Figure 8 on LeNet-300-100: test accuracy after trained quantization at 2..8 bits (every layer),
# for the three centroid initialisations, without and with centroid fine-tuning.
# Usage: bench/lenet/figure8.sh PRUNED.ckpt [OUTDIR] [FINETUNE_EPOCHS]   (prints a Markdown table)
set -euo pipefail
cd "$(dirname "$0")/../.."
pruned=$1; out=${2:-artifacts/figure8}; epochs=${3:-1}
mkdir -p "$out"
pocket=${POCKET:-src/Pocket.Cli/bin/Release/net10.0/pocket}
acc() { sed -E 's/.*"accuracy":([0-9.]+).*/\1/' "$1"; }
echo "| bits | linear | linear + fine-tune | density | density + fine-tune | random | random + fine-tune |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
for bits in 2 3 4 5 6 7 8; do
  row="| $bits"
  for init in linear density random; do
    "$pocket" quantize "$pruned" --out "$out/q.ckpt" --bits "$bits" --init "$init" --epochs 0 --json > "$out/$init-$bits-0.json"
    "$pocket" quantize "$pruned" --out "$out/q.ckpt" --bits "$bits" --init "$init" --epochs "$epochs" --json > "$out/$init-$bits-$epochs.json"
    row="$row | $(acc "$out/$init-$bits-0.json") | $(acc "$out/$init-$bits-$epochs.json")"
  done
  echo "$row |"
done
