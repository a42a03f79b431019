#!/usr/bin/env bash
# Issue 17's table: each compact architecture trained on the full Fashion-MNIST training set with `pocket train`'s
# defaults for it, then compressed with `pocket compress`'s defaults (SEP-Net: k×k filters binarized first, then
# the rest pruned and quantized), then measured from the files: float and compressed `.pocket` sizes, Pocket.Runtime
# accuracy (`pocket run`) and TorchSharp's on the decoded file (`pocket eval`), each layer's sensitivity to pruning, and
# a report per model (OUTDIR/NAME-report/index.html: what compression did per layer, the sensitivity curves).
# Usage: bench/architectures/run-all.sh [OUTDIR] [MODEL…]   (MODEL: a name of the list below; default all)
# Every step is skipped when its output exists, and train and compress continue from their journal (--resume), so a
# killed run continues where it stopped.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-artifacts/architectures}; shift || true
mkdir -p "$out"
# $POCKET: a `pocket` built elsewhere (a copy of the build keeps a long run safe from rebuilds of the tree).
if [ -n "${POCKET:-}" ]; then pocket=$POCKET; else
  dotnet build src/Pocket.Cli -c Release -v q -nologo >/dev/null
  pocket=src/Pocket.Cli/bin/Release/net10.0/pocket
fi
declare -A flags=(
  [squeezenet1_1]="--model squeezenet1_1"
  [squeezenet1_0]="--model squeezenet1_0 --option resolution=32"  # 7×7/2 conv1: 28×28 pools down to nothing
  [mobilenet_a050]="--model mobilenet_v1 --option alpha=0.5"
  [mobilenet_a025]="--model mobilenet_v1 --option alpha=0.25"
  [sepnet]="--model sepnet"
)
names=("$@"); [ ${#names[@]} -gt 0 ] || names=(squeezenet1_1 squeezenet1_0 mobilenet_a050 mobilenet_a025 sepnet)
step() { # OUTPUT NAME.json, then the pocket arguments: runs once, times it into times.txt
  local target=$1 json=$2; shift 2
  [ -e "$target" ] && return 0
  local start; start=$(date +%s)
  "$pocket" "$@" --json > "$out/$json.partial"
  mv "$out/$json.partial" "$out/$json"
  printf '%-28s %6d s  pocket %s\n' "$json" "$(( $(date +%s) - start ))" "$*" | tee -a "$out/times.txt"
}
for name in "${names[@]}"; do
  [ -n "${flags[$name]:-}" ] || { echo "run-all.sh: unknown model '$name' (${!flags[*]})" >&2; exit 2; }
  m=$out/$name
  # shellcheck disable=SC2086
  step "$m.ckpt" "$name-train.json" train ${flags[$name]} --dataset fashion-mnist --out "$m.ckpt" --resume
  step "$m-float.pocket" "$name-encode.json" encode "$m.ckpt" --out "$m-float.pocket"
  from=$m.ckpt
  if [ "$name" = sepnet ]; then
    step "$m-binary.ckpt" "$name-binarize.json" binarize "$m.ckpt" --out "$m-binary.ckpt"
    from=$m-binary.ckpt
  fi
  step "$m.pocket" "$name-compress.json" compress --from "$from" --out "$m.pocket" --resume
  step "$out/$name-run.json" "$name-run.json" run "$m.pocket"
  step "$out/$name-eval.json" "$name-eval.json" eval "$m.pocket"
  step "$out/$name-float-run.json" "$name-float-run.json" run "$m-float.pocket"
  # Each layer pruned alone (no retraining) on 2,000 test images: the curves per-layer keeps were read from, and what
  # the report plots. --suggest 1 prints the keep rule within 1 point per layer.
  step "$out/$name-sensitivity.json" "$name-sensitivity.json" sensitivity "$from" --limit 2000 \
    --levels 1,0.7,0.5,0.35,0.25,0.15,0.1,0.05 --suggest 1
  [ -e "$out/$name-report/index.html" ] || "$pocket" report "$m.pocket" --before "$from" --sensitivity "$out/$name-sensitivity.json" --out "$out/$name-report" >/dev/null
done
