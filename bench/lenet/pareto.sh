#!/usr/bin/env bash
# Issue 18's Pareto table: file bytes against test error for each technique alone and together, on both LeNets.
# Every row is a real .pocket file; `pocket pareto` measures them all (bytes on disk, Pocket.Runtime test error)
# and writes OUTDIR/pareto.md and a plot per model.
# Usage: bench/lenet/pareto.sh [OUTDIR] [lenet300|lenet5|all]   (default artifacts/pareto, all)
# A step whose output exists is skipped, so an interrupted run continues where it stopped. On 2 shared cores the
# LeNet-300-100 half takes about half an hour, each LeNet-5 pruning run 30–60 minutes.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-artifacts/pareto}; which=${2:-all}
mkdir -p "$out"
if [ -z "${POCKET:-}" ]; then dotnet build src/Pocket.Cli -c Release -v q -nologo >/dev/null; fi
pocket=${POCKET:-src/Pocket.Cli/bin/Release/net10.0/pocket}

step() { # OUTPUT, then the pocket arguments (the output path is the last one, given with --out)
  local target=$1; shift
  if [ -e "$target" ]; then echo "have   $target"; return; fi
  local start=$(date +%s)
  "$pocket" "$@" > "$target.log" 2>&1 || { echo "FAILED pocket $*  (see $target.log)"; exit 1; }
  echo "made   $target in $(( $(date +%s) - start )) s: pocket $*" | tee -a "$out/times.txt"
}

files=()
if [ "$which" != lenet5 ]; then
  # LeNet-300-100, from one trained model (the float model `compress --model lenet300` trains first: same seed).
  m=$out/l300
  step $m-float.ckpt train --model lenet300 --dataset mnist --seed 1 --out $m-float.ckpt
  # Han et al.'s kept fractions, 3 geometric rounds of 12 epochs (the recipe before issue 18).
  step $m-han-p.ckpt prune $m-float.ckpt --keep fc1=0.08,fc2=0.09,fc3=0.26 --rounds 3 --epochs 12 --lr 0.03 --weight-decay 5e-4 --out $m-han-p.ckpt
  step $m-han-q.ckpt quantize $m-han-p.ckpt --bits 5 --epochs 3 --out $m-han-q.ckpt
  step $m-han-huffman.pocket encode $m-han-q.ckpt --coding huffman --out $m-han-huffman.pocket      # Han et al.'s coding
  step $m-han-adaptive.pocket encode $m-han-q.ckpt --out $m-han-adaptive.pocket                     # + adaptive coding
  step $m-han-adaptive-bias4.pocket encode $m-han-q.ckpt --bias-bits 4 --out $m-han-adaptive-bias4.pocket  # + bias codebooks
  # Fewer weights kept (6 / 7 / 20 %), then each retraining technique alone, then together (the default recipe).
  step $m-keep-p.ckpt prune $m-float.ckpt --keep fc1=0.06,fc2=0.07,fc3=0.2 --rounds 3 --epochs 12 --lr 0.03 --weight-decay 5e-4 --out $m-keep-p.ckpt
  step $m-keep-q.ckpt quantize $m-keep-p.ckpt --bits 5 --epochs 3 --out $m-keep-q.ckpt
  step $m-keep.pocket encode $m-keep-q.ckpt --bias-bits 4 --out $m-keep.pocket
  step $m-keep-cubic-p.ckpt prune $m-float.ckpt --keep fc1=0.06,fc2=0.07,fc3=0.2 --rounds 6 --schedule cubic --epochs 6 --lr 0.03 --weight-decay 5e-4 --out $m-keep-cubic-p.ckpt
  step $m-keep-cubic-q.ckpt quantize $m-keep-cubic-p.ckpt --bits 5 --epochs 3 --out $m-keep-cubic-q.ckpt
  step $m-keep-cubic.pocket encode $m-keep-cubic-q.ckpt --bias-bits 4 --out $m-keep-cubic.pocket
  step $m-keep-distill-p.ckpt prune $m-float.ckpt --keep fc1=0.06,fc2=0.07,fc3=0.2 --rounds 3 --epochs 12 --lr 0.03 --weight-decay 5e-4 --distill 0.5 --out $m-keep-distill-p.ckpt
  step $m-keep-distill-q.ckpt quantize $m-keep-distill-p.ckpt --bits 5 --epochs 3 --distill 0.5 --out $m-keep-distill-q.ckpt
  step $m-keep-distill.pocket encode $m-keep-distill-q.ckpt --bias-bits 4 --out $m-keep-distill.pocket
  # The default recipe (`pocket compress --model lenet300`): all of the above.
  step $m-default-p.ckpt prune $m-float.ckpt --keep fc1=0.06,fc2=0.07,fc3=0.2 --rounds 6 --schedule cubic --epochs 6 --lr 0.03 --weight-decay 5e-4 --distill 0.5 --out $m-default-p.ckpt
  step $m-default-q.ckpt quantize $m-default-p.ckpt --bits 5 --epochs 3 --distill 0.5 --out $m-default-q.ckpt
  step $m-default.pocket encode $m-default-q.ckpt --bias-bits 4 --out $m-default.pocket
  step $m-default-huffman.pocket encode $m-default-q.ckpt --coding huffman --out $m-default-huffman.pocket  # its weights, Han's coding
  files+=($m-han-huffman.pocket $m-han-adaptive.pocket $m-han-adaptive-bias4.pocket $m-keep.pocket $m-keep-cubic.pocket
          $m-keep-distill.pocket $m-default.pocket $m-default-huffman.pocket)
fi
if [ "$which" != lenet300 ]; then
  # LeNet-5, from two trained models: the images as they are, and each image shifted by up to 2 pixels (--shift 2).
  m=$out/l5
  step $m-float.ckpt train --model lenet5 --dataset mnist --seed 1 --shift 0 --out $m-float.ckpt
  step $m-shift-float.ckpt train --model lenet5 --dataset mnist --seed 1 --shift 2 --out $m-shift-float.ckpt
  # The recipe before issue 18's LeNet-5 work: Han et al.'s kept fractions, 3 rounds of 8 epochs, 6-bit conv / 4-bit fc.
  step $m-han-p.ckpt prune $m-float.ckpt --keep conv1=0.66,conv2=0.12,fc1=0.08,fc2=0.19 --rounds 3 --epochs 8 --lr 0.02 --weight-decay 5e-4 --shift 0 --out $m-han-p.ckpt
  step $m-han-q.ckpt quantize $m-han-p.ckpt --bits conv=6,fc=4 --epochs 6 --shift 0 --out $m-han-q.ckpt
  step $m-han-huffman.pocket encode $m-han-q.ckpt --coding huffman --out $m-han-huffman.pocket
  step $m-han-adaptive-bias4.pocket encode $m-han-q.ckpt --bias-bits 4 --out $m-han-adaptive-bias4.pocket
  # Each alone: Han's kept fractions from the shifted model (the shift in every retraining), and fewer weights kept
  # from the unshifted model.
  step $m-shift-p.ckpt prune $m-shift-float.ckpt --keep conv1=0.66,conv2=0.12,fc1=0.08,fc2=0.19 --rounds 3 --epochs 8 --lr 0.02 --weight-decay 5e-4 --shift 2 --out $m-shift-p.ckpt
  step $m-shift-q.ckpt quantize $m-shift-p.ckpt --bits conv=6,fc=4 --epochs 6 --shift 2 --out $m-shift-q.ckpt
  step $m-shift.pocket encode $m-shift-q.ckpt --bias-bits 4 --out $m-shift.pocket
  step $m-keep-p.ckpt prune $m-float.ckpt --keep conv1=0.66,conv2=0.10,fc1=0.06,fc2=0.15 --rounds 3 --epochs 8 --lr 0.02 --weight-decay 5e-4 --shift 0 --out $m-keep-p.ckpt
  step $m-keep-q.ckpt quantize $m-keep-p.ckpt --bits conv=6,fc=4 --epochs 6 --shift 0 --out $m-keep-q.ckpt
  step $m-keep.pocket encode $m-keep-q.ckpt --bias-bits 4 --out $m-keep.pocket
  # Shifted training images, with fewer weights kept (6 % of fc1, 10 % of conv2, 15 % of fc2), then with distillation.
  step $m-shift-keep-p.ckpt prune $m-shift-float.ckpt --keep conv1=0.66,conv2=0.10,fc1=0.06,fc2=0.15 --rounds 3 --epochs 8 --lr 0.02 --weight-decay 5e-4 --shift 2 --out $m-shift-keep-p.ckpt
  step $m-shift-keep-q.ckpt quantize $m-shift-keep-p.ckpt --bits conv=6,fc=4 --epochs 6 --shift 2 --out $m-shift-keep-q.ckpt
  step $m-shift-keep.pocket encode $m-shift-keep-q.ckpt --bias-bits 4 --out $m-shift-keep.pocket
  step $m-shift-keep-huffman.pocket encode $m-shift-keep-q.ckpt --coding huffman --out $m-shift-keep-huffman.pocket
  step $m-shift-keep-distill-p.ckpt prune $m-shift-float.ckpt --keep conv1=0.66,conv2=0.10,fc1=0.06,fc2=0.15 --rounds 3 --epochs 8 --lr 0.02 --weight-decay 5e-4 --shift 2 --distill 0.5 --out $m-shift-keep-distill-p.ckpt
  step $m-shift-keep-distill-q.ckpt quantize $m-shift-keep-distill-p.ckpt --bits conv=6,fc=4 --epochs 6 --shift 2 --distill 0.5 --out $m-shift-keep-distill-q.ckpt
  step $m-shift-keep-distill.pocket encode $m-shift-keep-distill-q.ckpt --bias-bits 4 --out $m-shift-keep-distill.pocket
  files+=($m-han-huffman.pocket $m-han-adaptive-bias4.pocket $m-shift.pocket $m-keep.pocket $m-shift-keep.pocket $m-shift-keep-huffman.pocket $m-shift-keep-distill.pocket)
fi
"$pocket" pareto "${files[@]}" --out "$out"
