#!/usr/bin/env bash
# Fails on an #include edge between folders that ARCHITECTURE.md does not allow.
#
#   scripts/check-includes.sh [SOURCE_DIR]     (default: the checkout this script is in)
#
# The rules are read from ARCHITECTURE.md itself: the fenced block `include-rules` lists
# `folder: allowed, folders`. There is no list of exceptions: an edge the rules do not allow
# fails, whichever file has it. The check reads every #include "roomctl/<folder>/..." in
# src/roomctl/**/*.{hpp,cpp} and commands/**/*.{hpp,cpp}. It fails (exit 1), printing one line
# per bad edge, when:
#   - an edge is not allowed by the rules;
#   - a folder under src/roomctl/ (or an included one) is missing from the rules;
#   - anything under src/ includes commands/ or CLI11 (<CLI/...>);
#   - the rules allow a cycle between folders.
# Exit 2 means the document cannot be read.
set -euo pipefail

root=${1:-"$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"}
[[ -f "$root/ARCHITECTURE.md" ]] || { echo "check-includes: no ARCHITECTURE.md in $root" >&2; exit 2; }

exec python3 - "$root" <<'PY'
import os
import re
import sys

root = sys.argv[1]
doc = os.path.join(root, "ARCHITECTURE.md")


def fenced(name):
    """Lines of the fenced block ```name in ARCHITECTURE.md (None when absent)."""
    m = re.search(r"^```" + re.escape(name) + r"[ \t]*\n(.*?)^```", open(doc, encoding="utf-8").read(),
                  re.M | re.S)
    if not m:
        return None
    return [l.strip() for l in m.group(1).splitlines() if l.strip() and not l.strip().startswith("#")]


rules_lines = fenced("include-rules")
if rules_lines is None:
    print("check-includes: ARCHITECTURE.md lacks the ```include-rules block", file=sys.stderr)
    sys.exit(2)

allowed = {}
for line in rules_lines:
    folder, sep, rest = line.partition(":")
    if not sep:
        print(f"check-includes: ARCHITECTURE.md include-rules: not 'folder: a, b': {line}", file=sys.stderr)
        sys.exit(2)
    allowed[folder.strip()] = {f.strip() for f in rest.split(",") if f.strip()}

bad = []
see = "see ARCHITECTURE.md"

# Rules naming a folder no rule defines, and cycles the rules would allow.
for folder, targets in sorted(allowed.items()):
    for t in sorted(targets - set(allowed)):
        bad.append(f"ARCHITECTURE.md: include-rules: {folder} -> {t}: {t} has no rule of its own; {see}")
state = {}


def visit(node, path):
    state[node] = 1
    for t in sorted(allowed.get(node, ())):
        if t == node:
            continue
        if state.get(t) == 1:
            cycle = path[path.index(t):] + [t]
            bad.append(f"ARCHITECTURE.md: include-rules allow a cycle: {' -> '.join(cycle)}; {see}")
        elif t not in state:
            visit(t, path + [t])
    state[node] = 2


for folder in sorted(allowed):
    if folder not in state:
        visit(folder, [folder])

SOURCE = (".hpp", ".cpp", ".h", ".cc", ".hh", ".cxx", ".ipp")
include_re = re.compile(r'^\s*#\s*include\s*([<"])([^">]+)[">]')


def sources(top):
    for d, dirs, files in os.walk(os.path.join(root, top)):
        dirs.sort()
        for f in sorted(files):
            if f.endswith(SOURCE):
                yield os.path.relpath(os.path.join(d, f), root)


src_folders = set()
if os.path.isdir(os.path.join(root, "src", "roomctl")):
    src_folders = {e for e in os.listdir(os.path.join(root, "src", "roomctl"))
                   if os.path.isdir(os.path.join(root, "src", "roomctl", e))}
for folder in sorted(src_folders - set(allowed)):
    bad.append(f"src/roomctl/{folder}/: folder has no include-rules line; {see}")

for top in ("src", "commands"):
    for rel in sources(top):
        parts = rel.split(os.sep)
        if top == "commands":
            frm = "commands"
        elif len(parts) >= 4 and parts[1] == "roomctl":
            frm = parts[2]
        else:
            frm = None  # src/ outside src/roomctl/<folder>/: only the src-wide rules apply
        with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as fh:
            for n, line in enumerate(fh, 1):
                m = include_re.match(line)
                if not m:
                    continue
                target = m.group(2)
                where = f"{rel}:{n}"
                if top == "src":
                    if m.group(1) == "<" and target.startswith("CLI/"):
                        bad.append(f"{where}: {frm or 'src'} -> CLI11 ({target}): the core never uses CLI11; {see}")
                        continue
                    if re.match(r"^(\.\./)*commands/", target) or "/commands/" in target:
                        bad.append(f"{where}: {frm or 'src'} -> commands ({target}): the core never includes commands/; {see}")
                        continue
                if not target.startswith("roomctl/"):
                    continue
                tparts = target.split("/")
                if len(tparts) < 3:
                    bad.append(f"{where}: {frm or 'src'} -> {target}: not in a folder of src/roomctl/; {see}")
                    continue
                to = tparts[1]
                if frm is None or to == frm or to == "util" and frm in allowed:
                    if to not in allowed:
                        bad.append(f"{where}: {frm or 'src'} -> {to}: folder has no include-rules line; {see}")
                    continue
                if frm not in allowed:
                    continue  # already reported once as a folder without a rule
                if to in allowed[frm]:
                    continue
                bad.append(f"{where}: {frm} -> {to}: edge not allowed; {see}")

for line in bad:
    print(line)
if bad:
    print(f"check-includes: {len(bad)} include edge(s) not allowed by ARCHITECTURE.md", file=sys.stderr)
    sys.exit(1)
print("check-includes: ok")
PY
