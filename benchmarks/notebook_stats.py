"""Words, longest markdown cell, figures and their resolution, per notebook.

    python benchmarks/notebook_stats.py

Markdown words are whitespace-separated tokens of the markdown cells. A figure's dpi is read
from the PNG's pHYs chunk (matplotlib writes it); JPEGs report their pixel size only.
"""

from __future__ import annotations

import base64
import json
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def png_dpi(data: bytes) -> float | None:
    """The dpi a PNG declares (pHYs, pixels per metre), or None."""
    at = data.find(b"pHYs")
    if at < 0:
        return None
    per_metre, _, unit = struct.unpack(">IIB", data[at + 4 : at + 13])
    return round(per_metre * 0.0254) if unit == 1 else None


def stats(path: Path) -> dict:
    nb = json.loads(path.read_text())
    md = [len("".join(c["source"]).split()) for c in nb["cells"] if c["cell_type"] == "markdown"]
    longest = max(range(len(nb["cells"])), key=lambda i: len("".join(nb["cells"][i]["source"])
                  .split()) if nb["cells"][i]["cell_type"] == "markdown" else -1)
    dpis = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            png = out.get("data", {}).get("image/png")
            if png:
                dpis.append(png_dpi(base64.b64decode(png)))
    return {"notebook": path.stem, "markdown_words": sum(md), "longest_md_cell": longest,
            "longest_md_words": max(md), "figures": len(dpis),
            "dpi": sorted({d for d in dpis if d}), "kb": round(path.stat().st_size / 1024)}


def main() -> int:
    print(f"{'notebook':34s} {'words':>6s} {'longest (cell)':>15s} {'figures':>8s} {'dpi':>10s} "
          f"{'KB':>6s}")
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        s = stats(path)
        print(f"{s['notebook']:34s} {s['markdown_words']:6d} "
              f"{s['longest_md_words']:>8d} ([{s['longest_md_cell']}]) {s['figures']:8d} "
              f"{','.join(map(str, s['dpi'])) or '-':>10s} {s['kb']:6d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
