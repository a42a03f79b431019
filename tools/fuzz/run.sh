#!/usr/bin/env bash
# Fuzzes one reader with AFL++ and SharpFuzz for a fixed time, then prints afl's figures (README.md).
#   tools/fuzz/run.sh pocket 600     the .pocket reader + Pocket.Runtime's Load (and Predict on small networks)
#   tools/fuzz/run.sh idx 600        the IDX reader, raw and gzip
# Installs what is missing (afl++ from Debian, the local sharpfuzz tool), publishes the harness to bin/publish,
# instruments the reader assemblies there (never the build outputs the tests use), fuzzes on ONE core, and exits
# non-zero if afl saved any crash or hang. Findings go to findings/TARGET-DATE/ (not in git).
set -euo pipefail

target=${1:-}
seconds=${2:-600}
if [[ "$target" != pocket && "$target" != idx ]] || ! [[ "$seconds" =~ ^[0-9]+$ ]]; then
  echo "usage: $0 pocket|idx SECONDS" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

if ! command -v afl-fuzz >/dev/null; then
  echo "== installing afl++"
  sudo=""; [[ $(id -u) -ne 0 ]] && sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq afl++ >/dev/null
fi
echo "== $( (afl-fuzz -h 2>&1 || true) | grep -m1 -o 'afl-fuzz++[0-9a-z.]*' || true)"
(cd "$root" && dotnet tool restore >/dev/null)

mkdir -p "$here/bin"
echo "== building the harness (uninstrumented, to replay findings) and publishing a copy to instrument"
dotnet build "$here/Pocket.Fuzz.csproj" -c Release --nologo -v quiet >"$here/bin/build.log" 2>&1 || { cat "$here/bin/build.log"; exit 1; }
replay="$here/bin/Release/net10.0/Pocket.Fuzz.dll"
publish="$here/bin/publish"
rm -rf "$publish" # instrumenting twice fails, and publish may leave an instrumented copy in place
dotnet publish "$here/Pocket.Fuzz.csproj" -c Release -o "$publish" --nologo -v quiet >"$here/bin/publish.log" 2>&1 || { cat "$here/bin/publish.log"; exit 1; }
case "$target" in
  pocket) assemblies=(Pocket.Format.dll Pocket.Runtime.dll) ;;
  idx) assemblies=(Pocket.Fuzz.IdxReader.dll) ;;
esac
for dll in "${assemblies[@]}"; do
  echo "== instrumenting $dll"
  (cd "$root" && dotnet sharpfuzz "$publish/$dll" >/dev/null)
done

findings="$here/findings/$target-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$findings"
echo "== fuzzing $target for $seconds s into ${findings#"$root"/}"
export AFL_SKIP_BIN_CHECK=1                    # the target is `dotnet`, not an afl-instrumented binary
export AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 # core_pattern is the container's, not ours to change
export AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1    # shared machine: no governor, no core pinning
export AFL_NO_UI=1                             # plain status lines, fit for a log
# -t 5000: a hang is an input that takes over 5 s (a clean input takes milliseconds; the margin covers the JIT warm-up
# of a restarted target process). -m none: .NET reserves far more address space than afl's default limit; allocations
# are bounded by the harness instead (PocketInputCheck / IdxInputCheck).
afl-fuzz -i "$here/corpus/$target" -o "$findings" -t 5000 -m none -V "$seconds" -- dotnet "$publish/Pocket.Fuzz.dll" "$target" \
  > "$findings/afl.log" 2>&1 || { tail -30 "$findings/afl.log"; echo "afl-fuzz failed" >&2; exit 1; }

stats="$findings/default/fuzzer_stats"
field() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
crashes=$(field saved_crashes)
hangs=$(field saved_hangs)
echo "== results ($target)"
for k in start_time last_update run_time execs_done execs_per_sec corpus_count corpus_found edges_found total_edges bitmap_cvg stability saved_crashes saved_hangs afl_version; do
  printf '%-14s %s\n' "$k" "$(field "$k")"
done
if (( crashes > 0 )); then
  echo "== crashing inputs, replayed"
  dotnet "$replay" check "$target" "$findings/default/crashes" || true
fi
if (( hangs > 0 )); then echo "== hanging inputs: $findings/default/hangs"; ls "$findings/default/hangs"; fi
(( crashes == 0 && hangs == 0 ))
