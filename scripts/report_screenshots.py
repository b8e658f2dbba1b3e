"""Screenshots of the built report for the README: a phone in Chinese, a desktop in English.

    .venv/bin/python scripts/report_screenshots.py [warehouse/report/index.html]

Needs Chromium (scripts/ensure_chromium.sh) and a built report (make run).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
IMAGES = PROJECT_DIR / "docs" / "images"
CHROMIUM = os.environ.get("CMO_CIO_CHROMIUM", "/usr/bin/chromium")
# (file, width, height, language, section scrolled to the top)
SHOTS = (
    ("report-phone-zh.png", 390, 844, "zh", "#figure-fig07"),
    ("report-desktop-en.png", 1366, 900, "en", "#figure-fig08"),
)


def main(page_path: Path) -> int:
    from playwright.sync_api import sync_playwright

    IMAGES.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        for name, width, height, lang, section in SHOTS:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(f"{page_path.resolve().as_uri()}?lang={lang}")
            page.wait_for_selector(f"body[data-rendered='{lang}']", timeout=60_000)
            page.locator(section).evaluate("element => element.scrollIntoView()")
            page.screenshot(path=str(IMAGES / name))
            print(IMAGES / name)
            page.close()
        browser.close()
    return 0


if __name__ == "__main__":
    default = PROJECT_DIR / "warehouse" / "report" / "index.html"
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else default))
