#!/usr/bin/env bash
# File size of a quantized checkpoint encoded with the paper's fixed relative-index widths against
# Pocket's default (per layer, the width that gives the smallest section).
# Usage: bench/lenet/index-bits.sh QUANTIZED.ckpt [OUTDIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
ckpt=$1; out=${2:-artifacts/index-bits}
mkdir -p "$out"
pocket=${POCKET:-src/Pocket.Cli/bin/Release/net10.0/pocket}
echo "| relative-index bits | file bytes |"
echo "|---|---:|"
for b in 3 4 5 6 8 10; do
  "$pocket" encode "$ckpt" --out "$out/b$b.pocket" --index-bits "$b" --json > "$out/b$b.json"
  echo "| $b (every layer) | $(sed -E 's/.*"file_bytes":([0-9]+).*/\1/' "$out/b$b.json") |"
done
"$pocket" encode "$ckpt" --out "$out/auto.pocket" --json > "$out/auto.json"
echo "| smallest per layer (default) | $(sed -E 's/.*"file_bytes":([0-9]+).*/\1/' "$out/auto.json") |"
