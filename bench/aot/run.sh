#!/usr/bin/env bash
# NativeAOT instruction sets against the JIT (issue 16): the sample app (samples/Pocket.Sample, Pocket.Runtime only) built
# under the JIT and published natively for the default x64 target, x86-64-v3 (AVX2 + FMA) and x86-64-v4 (AVX-512),
# timed on three random-weight compact models at phone resolutions; the JIT also held to AVX2 (DOTNET_EnableAVX512=0)
# for a like-for-like comparison with x86-64-v3. Rounds interleave every build, so machine load hits all alike; each
# line is one process's best of 20 rounds of 10 predictions. Figures: bench/results/runtime.md ("NativeAOT").
#   usage: bench/aot/run.sh [WORK_DIR] [ROUNDS]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="${1:-$(mktemp -d)}"
rounds="${2:-3}"
mkdir -p "$work"
dotnet build "$root/tools/arm64/ModelGen/Pocket.Arm64ModelGen.csproj" -c Release -o "$work/gen" -v q -nologo
dotnet "$work/gen/Pocket.Arm64ModelGen.dll" "$work/models" --phone
sample="$root/samples/Pocket.Sample"
dotnet build "$sample" -c Release -o "$work/jit" -v q -nologo
dotnet publish "$sample" -c Release -r linux-x64 -p:PublishAot=true -o "$work/aot" -v q -nologo
dotnet publish "$sample" -c Release -r linux-x64 -p:PublishAot=true -p:IlcInstructionSet=x86-64-v3 -o "$work/aot-v3" -v q -nologo
dotnet publish "$sample" -c Release -r linux-x64 -p:PublishAot=true -p:IlcInstructionSet=x86-64-v4 -o "$work/aot-v4" -v q -nologo
for round in $(seq "$rounds"); do
  for m in "$work"/models/*.pocket; do
    for b in jit jit-avx2 aot aot-v3 aot-v4; do
      case $b in
        jit) out=$(dotnet "$work/jit/Pocket.Sample.dll" "$m") ;;
        jit-avx2) out=$(DOTNET_EnableAVX512=0 dotnet "$work/jit/Pocket.Sample.dll" "$m") ;;
        *) out=$("$work/$b/Pocket.Sample" "$m") ;;
      esac
      echo "$b $(basename "$m" .pocket) $(echo "$out" | awk '/^latency/ {print $2}') µs"
    done
  done
done
