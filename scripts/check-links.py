#!/usr/bin/env python3
"""Checks that each stage's CMake target links what its code includes, and no more.

A stage is a folder under src/ built by `callhook_stage(NAME LINKS...)` in
CMakeLists.txt (further `target_link_libraries(callhook_NAME ...)` lines
count too). Links are PUBLIC, so a stage reaches what its links reach.
  - An `#include "OTHER/..."` in src/NAME/, OTHER a stage, needs callhook_OTHER
    among the stages callhook_NAME reaches through its links.
  - Each stage callhook_NAME links directly must be included by one of its
    files: a link nothing uses would let a wrong new include pass.
  - Stages must not include each other in a cycle.

usage: scripts/check-links.py [--graph]   (--graph prints each stage's includes)
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
INCLUDE = re.compile(r'^\s*#\s*include\s+"([A-Za-z0-9_]+)/', re.MULTILINE)


def declared_links():
    """Stage name -> the stages callhook_<stage> links, read from CMakeLists.txt."""
    text = re.sub(r"#.*", "", (ROOT / "CMakeLists.txt").read_text())
    links = {}
    for name, args in re.findall(r"callhook_stage\(\s*(\w+)([^)]*)\)", text):
        links.setdefault(name, set()).update(re.findall(r"\bcallhook_(\w+)", args))
    for name, args in re.findall(r"target_link_libraries\(\s*callhook_(\w+)([^)]*)\)", text):
        if name in links:
            links[name].update(re.findall(r"\bcallhook_(\w+)", args))
    for name in links:
        links[name].discard("options")
    return links


def used_stages(stages):
    """Stage name -> {included stage -> first file that includes it}."""
    used = {}
    for name in stages:
        used[name] = {}
        for path in sorted((SRC / name).rglob("*")):
            if path.suffix not in (".cpp", ".hpp", ".h", ".inc"):
                continue
            for other in INCLUDE.findall(path.read_text(errors="replace")):
                if other != name and other in stages:
                    used[name].setdefault(other, path.relative_to(ROOT))
    return used


def reachable(links, name):
    """The stages callhook_<name> links, directly or through its links."""
    seen, todo = set(), list(links.get(name, ()))
    while todo:
        other = todo.pop()
        if other not in seen:
            seen.add(other)
            todo.extend(links.get(other, ()))
    return seen


def find_cycle(graph):
    state = {}

    def visit(node, trail):
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return trail + [node, nxt]
            if nxt not in state:
                found = visit(nxt, trail + [node])
                if found:
                    return found
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node, [])
            if found:
                return found[found.index(found[-1]):]
    return None


def main():
    links = declared_links()
    problems = []
    folders = sorted(p.name for p in SRC.iterdir() if p.is_dir() and any(p.glob("*.cpp")))
    for folder in folders:
        if folder not in links:
            problems.append(f"src/{folder}/ has sources but no callhook_stage({folder} ...) in CMakeLists.txt")
    stages = {name for name in links if (SRC / name).is_dir()}
    used = used_stages(stages)
    if "--graph" in sys.argv[1:]:
        for name in sorted(used):
            print(f"{name}: {' '.join(sorted(used[name])) or '-'}")
        return 0
    for name in sorted(stages):
        reach = reachable(links, name)
        for other, where in sorted(used[name].items()):
            if other not in reach:
                problems.append(f"{where} includes \"{other}/...\" but callhook_{name} does not link callhook_{other} "
                                f"(add it to callhook_stage({name} ...) in CMakeLists.txt, or drop the include)")
        for other in sorted(links[name] & stages):
            if other not in used[name]:
                problems.append(f"callhook_{name} links callhook_{other} but no file of src/{name}/ includes it "
                                f"(remove the link from callhook_stage({name} ...) in CMakeLists.txt)")
    cycle = find_cycle({name: set(used[name]) for name in stages})
    if cycle:
        problems.append("stages include each other in a cycle: " + " -> ".join(cycle))
    for p in problems:
        print(f"check-links: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
