#!/bin/bash
# The runs behind bench/results/binarization.md. Usage: run-results.sh POCKET_DLL CHECKPOINT_DIR MODEL
# (MODEL = sepnet or mobilenet: CHECKPOINT_DIR/MODEL.ckpt is the float checkpoint from `pocket train`).
# Single-threaded torch: on the shared, loaded 2-core machine intra-op threads only wait on each other.
set -eu
pocket() { OMP_NUM_THREADS=1 dotnet "$POCKET" "$@"; }
POCKET=$1; DIR=$2; MODEL=$3
FT="--epochs 1 --limit 5000"
cd "$DIR"
for run in "frozen" "ste" "frozen --include-1x1" "ste --include-1x1"; do
  mode=${run%% *}; tag=$mode; [[ $run == *1x1* ]] && tag=$mode-1x1
  echo "== pocket binarize $MODEL.ckpt --out $MODEL-$tag.ckpt --mode $run $FT --json"
  pocket binarize $MODEL.ckpt --out $MODEL-$tag.ckpt --mode $run $FT --json
done
