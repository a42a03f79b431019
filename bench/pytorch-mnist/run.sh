#!/usr/bin/env bash
# A model trained in PyTorch, brought into Pocket through ONNX: import, evaluate, compress with the default recipe of
# a model outside the zoo, then run the file with Pocket.Runtime and time it against ONNX Runtime.
# Figures: bench/results/onnx-import.md ("A PyTorch-trained MNIST CNN"). train_export.py made the ONNX file (Python
# is not needed here).
#   usage: bench/pytorch-mnist/run.sh [WORK_DIR]     (default: a fresh temporary folder)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="${1:-$(mktemp -d)}"
mkdir -p "$work"
dotnet build "$root/src/Pocket.Cli" -c Release -o "$work/bin" -v q -nologo
pocket() { dotnet "$work/bin/pocket.dll" "$@"; }
onnx="$root/bench/pytorch-mnist/mnist_cnn_opset13.onnx"
pocket import "$onnx" --out "$work/cnn.ckpt" --dataset mnist
pocket import "$onnx" --out "$work/cnn-float.pocket"
pocket eval "$work/cnn.ckpt"
pocket run "$work/cnn-float.pocket" --dataset mnist
pocket compress --from "$work/cnn.ckpt" --out "$work/cnn.pocket"
pocket run "$work/cnn.pocket"
pocket bench "$work/cnn.pocket"
ls -l "$onnx" "$work/cnn.pocket"
