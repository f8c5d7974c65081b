"""Print the shape of the ``asrlib`` package: lines per module, the longest
functions, and who imports whom (with any import cycle named).

    python benchmarks/structure.py            # the module table and the graph
    python benchmarks/structure.py --top 10   # the ten longest functions

It reads the source as text (``ast``); nothing of the package is imported.
"""
from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "asrlib"


def modules(root: Path = ROOT) -> dict[str, Path]:
    """Module name (dotted, below asrlib) -> file."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).with_suffix("")
        parts = [p for p in rel.parts if p != "__init__"]
        out[".".join(parts) or "__init__"] = path
    return out


def functions(path: Path) -> list[tuple[str, int]]:
    """(qualified name, lines) for every function and method in a file."""
    tree = ast.parse(path.read_text())
    found = []

    def visit(node, prefix=""):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                name = prefix + child.name
                found.append((name, child.end_lineno - child.lineno + 1))
                visit(child, name + ".")
            elif isinstance(child, ast.ClassDef):
                visit(child, prefix + child.name + ".")
    visit(tree)
    return found


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The asrlib modules one module imports (at any depth of its code)."""
    tree = ast.parse(path.read_text())
    package = name.rsplit(".", 1)[0] if "." in name else ""
    if path.name == "__init__.py":
        package = name if name != "__init__" else ""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".") if package else []
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                mod = ".".join(base + ([node.module] if node.module else []))
            elif node.module and node.module.startswith("asrlib"):
                mod = node.module[len("asrlib."):] if node.module != "asrlib" else ""
            else:
                continue
            for alias in node.names:
                full = f"{mod}.{alias.name}" if mod else alias.name
                if full in known:
                    out.add(full)
                elif mod in known:
                    out.add(mod)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("asrlib."):
                    mod = alias.name[len("asrlib."):]
                    if mod in known:
                        out.add(mod)
    out.discard(name)
    return out


def graph(root: Path = ROOT) -> dict[str, set[str]]:
    mods = modules(root)
    known = set(mods)
    return {name: imports(name, path, known) for name, path in mods.items()}


def cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(g.get(v, ())):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))
    sys.setrecursionlimit(10000)
    for v in sorted(g):
        if v not in index:
            strong(v)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=5, help="how many of the longest functions")
    args = parser.parse_args(argv)
    mods = modules()
    print("| module | lines | longest function (lines) |")
    print("|---|---:|---|")
    everything = []
    for name, path in sorted(mods.items(), key=lambda kv: -len(kv[1].read_text().splitlines())):
        funcs = functions(path)
        everything += [(f"{name}.{f}", n) for f, n in funcs]
        top = max(funcs, key=lambda f: f[1]) if funcs else ("-", 0)
        print(f"| {name} | {len(path.read_text().splitlines())} | {top[0]} ({top[1]}) |")
    print(f"\nThe {args.top} longest functions:")
    for name, n in sorted(everything, key=lambda f: -f[1])[: args.top]:
        print(f"  {n:4d}  {name}")
    g = graph()
    print("\nImports inside asrlib (module <- the asrlib modules it imports):")
    for name in sorted(g):
        print(f"  {name} <- {', '.join(sorted(g[name])) or '-'}")
    found = cycles(g)
    print("\nImport cycles: " + ("; ".join(" <-> ".join(c) for c in found) if found else "none"))
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
