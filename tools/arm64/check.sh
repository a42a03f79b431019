#!/usr/bin/env bash
# Runs every zoo model (random weights, torch seed 1, small inputs) and compressed LeNet-5, MobileNet α 0.25 and SqueezeNet 1.1 (sparse 1×1 convs) with Pocket.Runtime on
# x64 and on linux-arm64 under qemu user-mode emulation, and compares the logits (relative 1e-5; in practice they are
# bit-identical, both machines evaluating the same FMA chains). Needs Debian's qemu-user-static, libc6-arm64-cross,
# libstdc++6-arm64-cross and libgcc-s1-arm64-cross.
#   usage: tools/arm64/check.sh [WORK_DIR]     (default: a fresh temporary folder)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="${1:-$(mktemp -d)}"
qemu="$(command -v qemu-aarch64-static || true)"
if [[ -z "$qemu" || ! -d /usr/aarch64-linux-gnu ]]; then
  echo "check.sh: qemu-aarch64-static or /usr/aarch64-linux-gnu missing (apt-get install qemu-user-static libc6-arm64-cross libstdc++6-arm64-cross libgcc-s1-arm64-cross)" >&2
  exit 3
fi
mkdir -p "$work"
dotnet build "$root/tools/arm64/ModelGen/Pocket.Arm64ModelGen.csproj" -c Release -o "$work/modelgen" -v q -nologo
dotnet "$work/modelgen/Pocket.Arm64ModelGen.dll" "$work/models"
dotnet build "$root/tools/arm64/Check/Pocket.Arm64Check.csproj" -c Release -o "$work/x64" -v q -nologo
dotnet publish "$root/tools/arm64/Check/Pocket.Arm64Check.csproj" -c Release -r linux-arm64 --self-contained \
  -o "$work/arm64" -v q -nologo
echo "== x64"
dotnet "$work/x64/Pocket.Arm64Check.dll" run "$work/models" "$work/out-x64"
echo "== arm64 (qemu)"
# W^X off under emulation: with .NET's default double-mapped code pages, qemu-aarch64-static crashed the app with
# SIGSEGV before its first model, three times in a row, where the same binary had passed minutes before (session 14);
# with DOTNET_EnableWriteXorExecute=0 it ran every time. It changes how the JIT maps code, not what the code computes.
DOTNET_EnableWriteXorExecute=0 DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 "$qemu" -L /usr/aarch64-linux-gnu "$work/arm64/Pocket.Arm64Check" run "$work/models" "$work/out-arm64"
echo "== compare"
dotnet "$work/x64/Pocket.Arm64Check.dll" compare "$work/out-x64" "$work/out-arm64"
