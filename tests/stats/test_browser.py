"""The HTML report in a real browser (headless Chromium): it asks no other host for anything,
and its charts are drawn. The screenshot stays in the test's tmp folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support import Cli, write_mixed

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.mark.skipif(
    not os.access(CHROMIUM, os.X_OK),
    reason=f"{CHROMIUM} is not installed (.ci/run installs it: apt-get install chromium)",
)
def test_html_report_renders_offline_with_its_charts(cli: Cli, tmp_path: Path) -> None:
    from playwright.sync_api import Request, sync_playwright

    write_mixed(tmp_path / "records", 300)
    (tmp_path / "records" / "bad.txt").write_bytes(b"http://a.com/x\nH\nk\nAug. 32, 2011\n5\nB.")
    report = tmp_path / "report.html"
    result = cli("stats", tmp_path / "records", "--format", "html", "-o", report)
    assert result.exit_code == 0, result.output
    page_url = report.as_uri()
    requests: list[str] = []
    messages: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})

            def seen(request: Request) -> None:
                requests.append(request.url)

            page.on("request", seen)
            page.on("console", lambda message: messages.append(message.text))
            page.goto(page_url, wait_until="load")
            charts = page.eval_on_selector_all(
                "figure svg",
                """svgs => svgs.map(svg => {
                    const box = svg.getBoundingClientRect();
                    return {width: box.width, height: box.height,
                            marks: svg.querySelectorAll('path, rect, use').length,
                            label: svg.getAttribute('aria-label')};
                })""",
            )
            title = page.title()
            shot = tmp_path / "stats-report.png"
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    assert title == "Archive statistics"
    assert requests == [page_url], "the page asked for something beyond itself"
    assert messages == []  # no blocked resource, no error
    labels = {chart["label"] for chart in charts}
    assert {
        "records-per-year",
        "sites",
        "keywords",
        "people",
        "findings",
        "word-counts",
    } <= labels
    for chart in charts:
        assert chart["width"] > 200, chart
        assert chart["height"] > 100, chart
        assert chart["marks"] > 10, chart  # bars, axes and text drawn as paths
    assert shot.stat().st_size > 50_000
    print(f"screenshot: {shot} ({report.stat().st_size:,} byte report)")
