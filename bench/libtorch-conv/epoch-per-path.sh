#!/usr/bin/env bash
# One epoch on 5,000 training images plus the 10,000-image test for each model, on libtorch's native conv path and on
# oneDNN capped at SSE4.1, back to back (bench/results/libtorch-conv.md, session 15). On a CPU where the cap is set
# up front (OneDnnIsaCap) the "native" runs set a failing cap (AVX2 on Zen 5) so the check falls back to native.
# Usage: POCKET=path/to/pocket bench/libtorch-conv/epoch-per-path.sh   (default: the Release build of src/Pocket.Cli)
set -euo pipefail
cd "$(dirname "$0")/../.."
pocket=${POCKET:-src/Pocket.Cli/bin/Release/net10.0/pocket}
tmp=$(mktemp -d)
for m in "lenet5 --dataset mnist" "squeezenet1_1 --dataset fashion-mnist" "sepnet --dataset fashion-mnist" \
         "mobilenet_v1 --option alpha=0.25 --dataset fashion-mnist"; do
  for path in native sse41; do
    isa=SSE41; [ $path = native ] && isa=${NATIVE_ISA:-AVX2}
    start=$(date +%s.%N)
    # shellcheck disable=SC2086
    ONEDNN_MAX_CPU_ISA=$isa POCKET_TORCH_THREADS=1 "$pocket" train --model $m --limit 5000 --epochs 1 --out "$tmp/m.ckpt" > "$tmp/out" 2>&1
    printf '%s %s %.1f s %s\n' "$m" "$path" "$(echo "$(date +%s.%N) - $start" | bc)" "$(grep -o 'accuracy [0-9.]* %' "$tmp/out")"
  done
done
rm -rf "$tmp"
