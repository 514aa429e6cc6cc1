#!/usr/bin/env python3
"""Every arrow points down: the include rule of README.md's tier table, checked.

The table between <!-- tiers:begin --> and <!-- tiers:end --> in README.md
names, for each folder with sources, the folders it may include. This holds
every C, C++ source and header outside tests/ to it and fails, naming file and
line, on:

- an include of a folder the row does not name (a higher tier, or a sideways one);
- an include of ccinit's own code (init/ other than init/base/) from outside init/;
- a folder with sources and no row, a row naming a folder that is not one;
- a circle in the table (so none can exist in the code it admits);
- an arrow up the fixed top-level order whose row is not marked **up** with a reason;
- a host file (outside init/) that runs its own program: /proc/self/exe may
  only be read with readlink(), never run.

`layering.py` checks this checkout; `layering.py --self-test` copies the
tracked sources to a temporary tree, drops a probe file into it for each
rule, and shows the check failing on each, at the probe's line.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

SOURCE_EXT = (".c", ".h", ".cc", ".hh")
# The fixed top-level folders, lowest first: an arrow to a later one runs up.
# init/base/ is the base every binary links, so it is the bottom; the rest of
# init/ is ccinit, which links modules/; rootfs/ is ccimage, which links all.
TOP_ORDER = ["init/base", "modules", "measurement", "kernel-configs", "init", "rootfs"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
SELF_EXE = re.compile(r'"/proc/self/exe"')


def read_table(root):
    """{folder: (set of folders it may include, why, README line)}."""
    path = os.path.join(root, "README.md")
    rows, inside, errors = {}, False, []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if "<!-- tiers:begin -->" in line:
                inside = True
                continue
            if "<!-- tiers:end -->" in line:
                break
            if not inside or not line.startswith("| `"):
                continue
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) != 3:
                errors.append(f"README.md:{n}: a tier row has {len(cells)} cells, not 3")
                continue
            folder = cells[0].strip("`").rstrip("/")
            may = {m.rstrip("/") for m in re.findall(r"`([^`]+)`", cells[1])}
            if folder in rows:
                errors.append(f"README.md:{n}: {folder}/ has a second row")
            rows[folder] = (may, cells[2], n)
    if not rows:
        errors.append("README.md: no tier table between <!-- tiers:begin --> and <!-- tiers:end -->")
    return rows, errors


def source_files(root):
    out = subprocess.run(["git", "-C", root, "ls-files", "--cached", "--others",
                          "--exclude-standard"], capture_output=True, text=True, check=True)
    for rel in sorted(set(out.stdout.split("\n"))):
        if rel.endswith(SOURCE_EXT) and not rel.startswith("tests/") and os.path.isfile(
                os.path.join(root, rel)):
            yield rel


def top(folder):
    return "init/base" if folder.startswith("init/base") else folder.split("/")[0]


def is_init_private(folder):
    return (folder == "init" or folder.startswith("init/")) and not (
        folder == "init/base" or folder.startswith("init/base/"))


def table_faults(rows, folders):
    faults = []
    for folder in sorted(folders - rows.keys()):
        faults.append(f"README.md: {folder}/ holds sources but has no row in the tier table")
    for folder, (may, why, n) in sorted(rows.items()):
        if folder not in folders:
            faults.append(f"README.md:{n}: {folder}/ has a row but no sources")
        for m in sorted(may):
            if m not in rows:
                faults.append(f"README.md:{n}: {folder}/ may include {m}/, which has no row")
            if is_init_private(m) and not is_init_private(folder):
                faults.append(f"README.md:{n}: {folder}/ may not include {m}/: ccinit's own "
                              "code is for init/ and tests/ only")
            if (top(m) in TOP_ORDER and top(folder) in TOP_ORDER and
                    TOP_ORDER.index(top(m)) > TOP_ORDER.index(top(folder)) and
                    "**up**" not in why):
                faults.append(f"README.md:{n}: {folder}/ -> {m}/ runs up the top-level order "
                              "and its row does not say why (**up**: ...)")
    # A circle: depth-first search over the table's arrows.
    state, stack = {}, []

    def visit(f):
        state[f] = 1
        stack.append(f)
        for m in sorted(rows.get(f, (set(),))[0]):
            if m == f or m not in rows:
                continue
            if state.get(m) == 1:
                cycle = stack[stack.index(m):] + [m]
                faults.append("README.md: the tier table has a circle: " +
                              " -> ".join(c + "/" for c in cycle))
            elif m not in state:
                visit(m)
        stack.pop()
        state[f] = 2

    for f in sorted(rows):
        if f not in state:
            visit(f)
    return faults


def code_faults(root, rows, files):
    faults = []
    for rel in files:
        folder = os.path.dirname(rel)
        may = rows.get(folder, (set(), "", 0))[0]
        with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
            for n, line in enumerate(f, 1):
                m = INCLUDE.match(line)
                if m:
                    target = os.path.dirname(m.group(1)) if "/" in m.group(1) else folder
                    if target == folder:
                        continue
                    if is_init_private(target) and not is_init_private(folder):
                        faults.append(f"{rel}:{n}: includes {m.group(1)}: ccinit's own code "
                                      "(init/ but init/base/) is included only by init/ and tests/")
                    elif folder in rows and target not in may:
                        faults.append(f"{rel}:{n}: includes {m.group(1)}: {folder}/ may include "
                                      f"only {', '.join(sorted(may)) or 'itself'} (README.md, "
                                      "tier table)")
                if (not is_init_private(folder) and SELF_EXE.search(line) and
                        "readlink(" not in line):
                    faults.append(f"{rel}:{n}: names /proc/self/exe other than to readlink it: "
                                  "a host file calls the library, it does not run itself")
    return faults


def check(root):
    rows, faults = read_table(root)
    files = list(source_files(root))
    folders = {os.path.dirname(f) for f in files}
    return faults + table_faults(rows, folders) + code_faults(root, rows, files)


def tap(results):
    """results: list of (ok, name, diagnostics)."""
    print(f"1..{len(results)}")
    failed = 0
    for i, (ok, name, diag) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {i} - {name}")
        for d in diag:
            print(f"#   {d}")
        failed += not ok
    return 1 if failed else 0


# Probe files for the self-test: (path, text, the fault it must raise, at which line).
PROBES = [
    ("init/base/probe_up.c", '#include <stdio.h>\n#include "rootfs/lib/spawn.h"\n',
     "init/base/probe_up.c:2: includes rootfs/lib/spawn.h"),
    ("rootfs/lib/probe_private.c", '\n\n#include "init/core/sys.h"\n',
     "rootfs/lib/probe_private.c:3: includes init/core/sys.h: ccinit's own code"),
    ("rootfs/deb/probe_sideways.c", '#include "rootfs/image/image.h"\n',
     "rootfs/deb/probe_sideways.c:1: includes rootfs/image/image.h"),
    ("measurement/probe_self.c",
     'static const char *argv[] = {"/proc/self/exe", "measure", 0};\n',
     "measurement/probe_self.c:1: names /proc/self/exe"),
    ("rootfs/probe_folder/x.c", "int x;\n",
     "rootfs/probe_folder/ holds sources but has no row"),
]
# Table edits for the self-test: (old, new, the fault it must raise).
TABLE_PROBES = [
    ("| `modules/` | `init/base/` |", "| `modules/` | `init/base/`, `rootfs/ccimage/` |",
     "the tier table has a circle"),
    ("**up**: the NVIDIA module build", "the NVIDIA module build",
     "modules/nvidia/ -> rootfs/deb/ runs up the top-level order"),
]


def copy_tree(root, dest):
    for rel in subprocess.run(["git", "-C", root, "ls-files"], capture_output=True, text=True,
                              check=True).stdout.split("\n"):
        if rel and (rel.endswith(SOURCE_EXT) or rel == "README.md") and not rel.startswith(
                "tests/"):
            os.makedirs(os.path.join(dest, os.path.dirname(rel)), exist_ok=True)
            shutil.copy(os.path.join(root, rel), os.path.join(dest, rel))
    subprocess.run(["git", "-C", dest, "init", "-q"], check=True)


def self_test(root):
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        copy_tree(root, tmp)
        base = check(tmp)
        results.append((not base, "the copied tree passes before any probe", base))
        for path, text, want in PROBES:
            p = os.path.join(tmp, path)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "w") as f:
                f.write(text)
            got = check(tmp)
            os.remove(p)
            hit = [g for g in got if want in g]
            results.append((bool(hit), f"probe {path} fails the check: {want}",
                            got if not hit else hit))
        readme = os.path.join(tmp, "README.md")
        with open(readme) as f:
            original = f.read()
        for old, new, want in TABLE_PROBES:
            if old not in original:
                results.append((False, f"table probe: {want}", [f"no '{old}' in README.md"]))
                continue
            with open(readme, "w") as f:
                f.write(original.replace(old, new, 1))
            got = check(tmp)
            hit = [g for g in got if want in g]
            results.append((bool(hit), f"table probe fails the check: {want}",
                            got if not hit else hit))
        with open(readme, "w") as f:
            f.write(original)
    return results


def main():
    root = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    faults = check(root)
    results = [(not faults, "every include follows README.md's tier table", faults)]
    results += self_test(root)
    return tap(results)


if __name__ == "__main__":
    sys.exit(main())
