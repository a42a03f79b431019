#!/bin/bash
# Two checks beside run-results.sh. Usage: extra-runs.sh POCKET_DLL CHECKPOINT_DIR MODEL
#  1. BatchNorm statistics only: a "fine-tuning" at lr 1e-12 changes no weight measurably, but its train-mode
#     forward passes re-estimate BN's running mean/var for the binarized filters.
#  2. A longer fine-tuning (3 epochs on 10,000 images), frozen against ste, for the choice of the default mode.
set -eu
pocket() { OMP_NUM_THREADS=1 dotnet "$POCKET" "$@"; }
POCKET=$1; DIR=$2; MODEL=$3
cd "$DIR"
echo "== pocket binarize $MODEL.ckpt --out $MODEL-bnstats.ckpt --mode frozen --epochs 1 --limit 5000 --lr 1e-12 --json"
pocket binarize $MODEL.ckpt --out $MODEL-bnstats.ckpt --mode frozen --epochs 1 --limit 5000 --lr 1e-12 --json
for mode in frozen ste; do
  echo "== pocket binarize $MODEL.ckpt --out $MODEL-$mode-long.ckpt --mode $mode --epochs 3 --limit 10000 --json"
  pocket binarize $MODEL.ckpt --out $MODEL-$mode-long.ckpt --mode $mode --epochs 3 --limit 10000 --json
done
