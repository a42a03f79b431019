#!/usr/bin/env python3
"""Tables for bench/results/binarization.md from the logs of run-results.sh, extra-runs.sh and encode-results.sh.

Usage: summarize.py LOG...   (each log: lines "== <command>" followed by that command's --json output)
"""
import json
import os
import sys


def runs(paths):
    for path in paths:
        if not os.path.exists(path):
            continue
        command = None
        for line in open(path, encoding="utf-8"):
            if line.startswith("== "):
                command = line[3:].strip()
            elif line.startswith("{") and command:
                yield command, json.loads(line)


def main():
    binarize, encode, evals = [], {}, {}
    for command, out in runs(sys.argv[1:]):
        verb, target = command.split()[1:3]
        if verb == "binarize":
            binarize.append((command, out))
        elif verb == "encode":
            binary = [l for l in out["layers"] if l["encoding"] == "Binary"]
            encode[target.replace(".ckpt", "")] = (out["file_bytes"], sum(l["weights"] for l in binary), sum(l["bytes"] for l in binary), len(binary))
        elif verb in ("eval", "run"):
            evals[(verb, target.replace(".pocket", ""))] = out["accuracy"]
    print("| command | float | binarized, no fine-tuning | after fine-tuning | binarized weights |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for command, o in binarize:
        weights = sum(l["weights"] for l in o["layers"])
        print(f"| `{command.replace(' --json', '')}` | {o['float_accuracy']:.2%} | {o['binarized_accuracy']:.2%} | {o['accuracy']:.2%} | {weights:,} in {len(o['layers'])} convs |")
    print()
    print("| file | bytes | binary tensors | binary weights | their bytes | `pocket eval` | `pocket run` |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, (size, weights, section, count) in encode.items():
        print(f"| {name}.pocket | {size:,} | {count} | {weights:,} | {section:,} | {evals.get(('eval', name), float('nan')):.2%} | {evals.get(('run', name), float('nan')):.2%} |")


if __name__ == "__main__":
    main()
