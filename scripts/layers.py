#!/usr/bin/env python3
"""The layering of the library: which top-level module of crates/sesame/src uses which.

Prints the modules from the bottom up, each with the modules it names as `crate::X` outside its
test code, and exits 1 if two modules use each other, directly or around a loop (ARCHITECTURE.md,
"Layering of the library", is this list).

  python3 scripts/layers.py
"""
import collections
import os
import re
import sys

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "crates", "sesame", "src")


def main():
    modules = set()
    for name in os.listdir(SRC):
        if name.endswith(".rs") and name != "lib.rs":
            modules.add(name[:-3])
        elif os.path.isdir(os.path.join(SRC, name)):
            modules.add(name)
    uses = collections.defaultdict(set)
    for root, _, files in os.walk(SRC):
        for name in files:
            if not name.endswith(".rs") or "tests" in name:
                continue
            rel = os.path.relpath(os.path.join(root, name), SRC)
            top = rel.split(os.sep)[0].removesuffix(".rs")
            if top == "lib":
                continue
            with open(os.path.join(root, name)) as f:
                text = f.read()
            cut = text.find("#[cfg(test)]")
            if cut >= 0:
                text = text[:cut]
            for line in text.splitlines():
                if line.strip().startswith("//"):
                    continue
                for used in re.findall(r"crate::([a-z_]+)", line):
                    if used in modules and used != top:
                        uses[top].add(used)
    placed, layers = set(), []
    while len(placed) < len(modules):
        layer = sorted(m for m in modules - placed if uses[m] <= placed)
        if not layer:
            stuck = sorted(modules - placed)
            cycles = [f"{a} -> {b}" for a in stuck for b in sorted(uses[a]) if b in stuck]
            print("error: modules use each other around a loop: " + ", ".join(cycles),
                  file=sys.stderr)
            return 1
        layers.append(layer)
        placed |= set(layer)
    for layer in layers:
        for m in layer:
            print(f"{m} -> {', '.join(sorted(uses[m])) or '(nothing of sesame)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
