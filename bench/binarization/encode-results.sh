#!/bin/bash
# Encodes the float and binarized checkpoints of run-results.sh, inspects the files, and evaluates each .pocket with
# TorchSharp (`pocket eval`) and Pocket.Runtime (`pocket run`). Usage: encode-results.sh POCKET_DLL CHECKPOINT_DIR MODEL
set -eu
pocket() { OMP_NUM_THREADS=1 dotnet "$POCKET" "$@"; }
POCKET=$1; DIR=$2; MODEL=$3
cd "$DIR"
for tag in "" -frozen -ste -frozen-1x1 -ste-1x1; do
  [ -f "$MODEL$tag.ckpt" ] || continue
  echo "== pocket encode $MODEL$tag.ckpt --out $MODEL$tag.pocket"
  pocket encode $MODEL$tag.ckpt --out $MODEL$tag.pocket --json
  echo "== pocket inspect $MODEL$tag.pocket"
  pocket inspect $MODEL$tag.pocket
  echo "== pocket eval $MODEL$tag.pocket --json"
  pocket eval $MODEL$tag.pocket --json
  echo "== pocket run $MODEL$tag.pocket --json"
  pocket run $MODEL$tag.pocket --json
done
