#!/usr/bin/env bash
# The markdown table of bench/results/architectures.md from run-all.sh's output folder: every figure is read from
# the files (sizes on disk) and from `pocket run` / `pocket eval` JSON (accuracy on the 10,000-image test set).
# Usage: bench/architectures/table.sh [OUTDIR]
set -euo pipefail
out=${1:-artifacts/architectures}
thousands() { echo "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }
acc() { jq -r '.accuracy * 100 | . * 100 | round / 100' "$1"; }
echo "| model | float accuracy (run) | float \`.pocket\` | compressed accuracy (run / eval) | compressed \`.pocket\` | smaller | change |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for name in squeezenet1_1 squeezenet1_0 mobilenet_a050 mobilenet_a025 sepnet; do
  m=$out/$name
  [ -e "$out/$name-float-run.json" ] && [ -e "$out/$name-eval.json" ] || continue
  float=$(acc "$out/$name-float-run.json"); run=$(acc "$out/$name-run.json"); ev=$(acc "$out/$name-eval.json")
  fb=$(stat -L -c %s "$m-float.pocket"); cb=$(stat -L -c %s "$m.pocket")
  printf '| %s | %s %% | %s B | %s %% / %s %% | %s B | %s× | %+.2f pt |\n' "$name" "$float" "$(thousands "$fb")" "$run" "$ev" \
    "$(thousands "$cb")" "$(printf '%.1f' "$(echo "scale=3; $fb / $cb" | bc)")" "$(echo "$run - $float" | bc)"
done
