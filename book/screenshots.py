"""Screenshots of the built book for the docs (headless Chromium via Playwright).

    make book && .venv/bin/python book/screenshots.py [OUT_DIR]     # default: docs/

Uses the distribution's Chromium (``/usr/bin/chromium``; Playwright's own browser download is
not used) and writes JPEGs under 200 KB: a notebook page at a figure (one without formulas:
MathJax comes from the web, which the build machine may not reach), and the syllabus.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "book" / "_build" / "html"
CHROMIUM = "/usr/bin/chromium"
# (file name, page, element to scroll into view or None, where it goes: "start" or "end")
SHOTS = [
    ("book_notebook06.jpg", "notebooks/06_decoding.html", "#greedy-decoding img", "end"),
    ("book_syllabus.jpg", "book/syllabus.html", None, "start"),
]
MAX_BYTES = 200_000


def shoot(page, url: str, anchor: str | None, block: str, out: Path) -> int:
    page.goto(url, wait_until="load")
    if anchor:
        page.locator(anchor).first.evaluate(f"e => e.scrollIntoView({{block: '{block}'}})")
    page.wait_for_timeout(300)
    for quality in (75, 65, 55, 45):
        data = page.screenshot(type="jpeg", quality=quality)
        if len(data) < MAX_BYTES:
            break
    out.write_bytes(data)
    return len(data)


def main(argv: list[str]) -> int:
    out_dir = Path(argv[0]) if argv else ROOT / "docs"
    if not (HTML / "index.html").is_file():
        print("no built book: run `make book` first")
        return 1
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM)
        for name, rel, anchor, block in SHOTS:  # a fresh page each: no scroll state carried
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            size = shoot(page, (HTML / rel).as_uri(), anchor, block, out_dir / name)
            page.close()
            print(f"{out_dir / name}: {size / 1000:.0f} KB")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
