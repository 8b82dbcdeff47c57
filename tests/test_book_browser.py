"""The built book in a real browser: headless Chromium visits every page of ``_build/html``.

Each page is served from 127.0.0.1 and loaded once; the tests then check what a reader
would see: every image loads, every internal link and anchor resolves, all math is typeset
by the book's own MathJax (no raw ``$...$`` or ``\\(`` left in the text), the console shows
no JavaScript error, nothing is fetched from another host (the book works offline), figures
carry numbered captions, every executed chapter shows its provenance box with a wall
time, and the claims ledger reads at a glance in a wide and a narrow window: one row of four
columns per claim, no column narrower than its widest word, no clause of a claim printed in
two of its cells. A full-page screenshot of each page is saved under ``tests/output/book/``.

The test needs a built book (``make execute SCALE=smoke`` or ``make book``) and Debian's
``chromium`` and ``chromium-driver``; without them it is skipped, except under CI
(``CI=true``), where a missing browser fails. ``WGAN_BOOK_HTML=path`` tests another build.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

ROOT = Path(__file__).parent.parent
BOOK = Path(os.environ.get("WGAN_BOOK_HTML", ROOT / "_build" / "html"))  # the site to test
SCREENSHOTS = Path(__file__).parent / "output" / "book"
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--window-size=1280,900",
)
MAX_SCREENSHOT_HEIGHT = 12_000  # pixels; longer pages are cut there


def built_pages(book: Path) -> list[str]:
    """The pages of the last build: its documents (from the search index), the entry page,
    the index and the search page. Pages left over from earlier builds are not visited."""
    index = book / "searchindex.js"
    if not (book / "index.html").is_file() or not index.is_file():
        return []
    found = re.search(r'"docnames":\s*(\[[^\]]*\])', index.read_text())
    docnames = json.loads(found.group(1)) if found else []
    extra = {name for name in ("index.html", "genindex.html", "search.html")
             if (book / name).is_file()}
    return sorted({f"{name}.html" for name in docnames} | extra)


PAGES = built_pages(BOOK)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not PAGES, reason="the book is not built: run `make execute SCALE=smoke` first"
    ),
]

# Collects, once the page and MathJax are done, everything the tests check.
_INSPECT = r"""
const done = arguments[arguments.length - 1];
const mathNodes = () => document.querySelectorAll("span.math, div.math");
const waitForMathJax = (deadline) => new Promise((resolve) => {
  const poll = () => {
    if (mathNodes().length === 0) return resolve("no math");
    const startup = window.MathJax && window.MathJax.startup;
    if (startup && startup.promise) return startup.promise.then(() => resolve("typeset"));
    if (Date.now() > deadline) return resolve("MathJax never started");
    setTimeout(poll, 50);
  };
  poll();
});
const loaded = document.readyState === "complete"
  ? Promise.resolve()
  : new Promise((resolve) => window.addEventListener("load", resolve));
loaded.then(() => waitForMathJax(Date.now() + 20000)).then((mathjax) => {
  const text = (root) => {
    const copy = root.cloneNode(true);
    copy.querySelectorAll("pre, code, script, style, textarea, mjx-container, .highlight")
      .forEach((node) => node.remove());
    return copy.textContent;
  };
  const math = Array.from(mathNodes());
  done({
    mathjax: mathjax,
    height: document.documentElement.scrollHeight,
    text: text(document.body),
    untypeset: math.filter((n) => !n.querySelector("mjx-container"))
      .map((n) => n.textContent.slice(0, 80)),
    images: Array.from(document.images).map((img) => ({
      src: img.currentSrc || img.src, ok: img.complete && img.naturalWidth > 0})),
    links: Array.from(document.querySelectorAll("a[href]")).map((a) => a.href),
    resources: performance.getEntriesByType("resource").map((entry) => entry.name),
    captions: Array.from(document.querySelectorAll("figure figcaption"))
      .map((caption) => caption.textContent.trim().slice(0, 80)),
    provenance: Array.from(document.querySelectorAll(".wgan-provenance"))
      .map((box) => box.textContent),
  });
});
"""

# Raw TeX that MathJax should have replaced: $...$, $$...$$, \( \), \[ \], \begin{...}.
_RAW_MATH = re.compile(r"\$[^$\s][^$]*\$|\\\(|\\\)|\\\[|\\\]|\\begin\{")


@dataclass
class PageReport:
    """What the browser found on one page."""

    page: str
    mathjax: str
    text: str
    untypeset: list[str]
    images: list[dict]
    links: list[str]
    resources: list[str]
    captions: list[str]
    provenance: list[str]
    console: list[dict] = field(default_factory=list)


def _require(found: str | None, what: str) -> str:
    """Path of a system executable; skip without it, fail without it under CI."""
    if found:
        return found
    message = (
        f"{what} is not installed: `apt-get install -y chromium chromium-driver` "
        "(Debian) to run the browser test"
    )
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def origin():
    """Serve the built book on a free port of 127.0.0.1; yield its origin URL."""
    handler = functools.partial(_QuietHandler, directory=str(BOOK))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium (the system's), driven by Selenium through chromium-driver."""
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    binary = _require(shutil.which("chromium") or shutil.which("chromium-browser"), "chromium")
    driver_path = _require(shutil.which("chromedriver"), "chromium-driver (chromedriver)")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    profile = tempfile.mkdtemp(prefix="wgan-book-chromium-")
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_script_timeout(30)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def visit(browser, origin):
    """``visit(page) -> PageReport``: load a page once, inspect it, save its screenshot."""
    reports: dict[str, PageReport] = {}
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def _visit(page: str) -> PageReport:
        if page not in reports:
            browser.set_window_size(1280, 900)
            browser.get_log("browser")  # drop what earlier pages logged
            browser.get(f"{origin}/{page}")
            found = browser.execute_async_script(_INSPECT)
            # A window as tall as the page loads every image and gives a full-page shot.
            browser.set_window_size(1280, min(found.pop("height") + 100, MAX_SCREENSHOT_HEIGHT))
            browser.execute_script("window.scrollTo(0, 0)")
            found["images"] = browser.execute_script(
                "return Array.from(document.images).map((img) => ({src: img.currentSrc "
                "|| img.src, ok: img.complete && img.naturalWidth > 0}))"
            )
            browser.save_screenshot(str(SCREENSHOTS / f"{page.replace('/', '__')}.png"))
            reports[page] = PageReport(page=page, console=browser.get_log("browser"), **found)
        return reports[page]

    return _visit


@functools.cache
def _ids(path: Path) -> frozenset[str]:
    """Every ``id`` attribute of an HTML file."""
    return frozenset(re.findall(r'\bid="([^"]+)"', path.read_text(errors="replace")))


def _broken_internal_link(url: str, page: str, origin: str) -> str | None:
    """Why ``url`` (an absolute URL on ``origin``) is broken, or None when it resolves."""
    parts = urlsplit(url)
    target = BOOK / unquote(parts.path).lstrip("/")
    if target.is_dir():
        target = target / "index.html"
    if not target.is_file():
        return f"{page}: link to a missing file {url.removeprefix(origin)}"
    if parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in _ids(target):
        return f"{page}: link to a missing anchor {url.removeprefix(origin)}"
    return None


def test_book_has_pages():
    assert "index.html" in PAGES and len(PAGES) > 2


def test_every_toc_entry_was_built():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]] + [
        chapter["file"] for part in toc.get("parts", []) for chapter in part["chapters"]
    ]
    missing = [name for name in files if f"{name}.html" not in PAGES]
    assert not missing, f"pages of the table of contents that were not built: {missing}"


@pytest.mark.parametrize("page", PAGES)
def test_page_images_all_load(visit, page):
    broken = [image["src"] for image in visit(page).images if not image["ok"]]
    assert not broken, f"{page}: images that did not load: {broken}"


@pytest.mark.parametrize("page", PAGES)
def test_page_internal_links_resolve(visit, origin, page):
    internal = {url for url in visit(page).links if url.startswith(f"{origin}/")}
    broken = [
        reason for url in sorted(internal)
        if (reason := _broken_internal_link(url, page, origin)) is not None
    ]
    assert not broken, "\n".join(broken)


@pytest.mark.parametrize("page", PAGES)
def test_page_math_is_typeset(visit, page):
    report = visit(page)
    assert report.mathjax != "MathJax never started", f"{page}: MathJax did not load"
    assert not report.untypeset, f"{page}: math left for MathJax but not typeset: " \
        f"{report.untypeset}"
    raw = sorted({match.group(0)[:60] for match in _RAW_MATH.finditer(report.text)})
    assert not raw, f"{page}: raw TeX in the text (outside code): {raw}"


@pytest.mark.parametrize("page", PAGES)
def test_page_has_no_javascript_errors(visit, page):
    errors = [entry["message"] for entry in visit(page).console if entry["level"] == "SEVERE"]
    assert not errors, f"{page}: console errors:\n" + "\n".join(errors)


@pytest.mark.parametrize("page", PAGES)
def test_page_fetches_nothing_from_another_host(visit, origin, page):
    remote = [
        url for url in visit(page).resources
        if not url.startswith((f"{origin}/", "data:", "blob:"))
    ]
    assert not remote, f"{page}: fetched from outside the book (breaks offline use): {remote}"


@pytest.mark.parametrize("page", PAGES)
def test_page_figures_have_numbered_captions(visit, page):
    unnumbered = [text for text in visit(page).captions if not re.match(r"Fig\. \d", text)]
    assert not unnumbered, f"{page}: figure captions without a number: {unnumbered}"


@pytest.mark.parametrize("page", [p for p in PAGES if p.startswith("book/executed/")])
def test_executed_chapter_shows_provenance_with_wall_time(visit, page):
    boxes = visit(page).provenance
    assert len(boxes) == 1, f"{page}: expected one provenance box, found {len(boxes)}"
    for field_name in ("scale", "data", "device", "seed", "commit", "versions", "wall time"):
        assert field_name in boxes[0], f"{page}: the provenance box lacks '{field_name}'"
    assert re.search(r"wall time\s*[\d.]+ (s|min)|wall time\s*\d+ h", boxes[0]), (
        f"{page}: the provenance box has no measured wall time: {boxes[0][-120:]!r}"
    )


LEDGER_PAGE = "book/executed/99_claims.html"
LEDGER_MIN_EM = 6.0  # a column this wide (in its own ems) may break a longer identifier
LEDGER_REPEAT = 60  # characters two cells of a claim may not share: a clause with its numbers

# Per ledger column: its content width, the widest word of its cells (measured in each text
# node's own font, words split where a browser may break them: spaces, after - and /), and
# the em of its cells; per claim: the text of each cell of its row and of each entry of its
# details (a measured text that quotes the row's interval would repeat it).
_LEDGER = r"""
const canvas = document.createElement("canvas").getContext("2d");
const widest = (cell) => {
  let best = {width: 0, word: ""};
  const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    canvas.font = getComputedStyle(node.parentElement).font;
    for (const word of node.textContent.split(/\s+|(?<=[-\/])/)) {
      const width = canvas.measureText(word).width;
      if (width > best.width) best = {width: width, word: word};
    }
  }
  return best;
};
const inner = (cell) => {
  const style = getComputedStyle(cell);
  return cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
};
const text = (node) => node.textContent.replace(/\s+/g, " ").trim();
const columns = [];
document.querySelectorAll(".wgan-ledger table").forEach((table, t) => {
  table.querySelectorAll("thead th").forEach((th, i) => {
    const cells = [th, ...table.querySelectorAll(`tr.wgan-ledger-row > td:nth-child(${i + 1})`)];
    const words = cells.map(widest).sort((a, b) => b.width - a.width);
    columns.push({table: t, column: text(th), width: inner(th), word: words[0].word,
                  widest: words[0].width, em: parseFloat(getComputedStyle(cells.at(-1)).fontSize),
                  cells: cells.length - 1});
  });
});
const claims = Array.from(document.querySelectorAll(".wgan-ledger tbody")).map((body) => ({
  claim: body.dataset.claim,
  cells: [...body.querySelectorAll("tr.wgan-ledger-row > td"),
          ...body.querySelectorAll("tr.wgan-ledger-details dd")].map(text),
}));
return {columns: columns, claims: claims};
"""


@pytest.fixture(scope="module", params=[1280, 720], ids=["wide", "narrow"])
def ledger_layout(request, browser, origin):
    """The ledger page's columns and cells, as laid out in a window ``param`` pixels wide."""
    if LEDGER_PAGE not in PAGES:
        pytest.skip(f"{LEDGER_PAGE} was not built")
    browser.set_window_size(request.param, 900)
    browser.get(f"{origin}/{LEDGER_PAGE}")
    browser.execute_async_script(
        "const done = arguments[0]; document.readyState === 'complete' ? done() : "
        "window.addEventListener('load', () => done());")
    return browser.execute_script(_LEDGER)


def test_ledger_has_one_row_per_claim_in_tables_of_four_columns(ledger_layout):
    columns, claims = ledger_layout["columns"], ledger_layout["claims"]
    assert claims and len({claim["claim"] for claim in claims}) == len(claims)
    assert {column["column"] for column in columns} == {
        "Claim", "Verdict", "Decisive number, with its interval", "Experiment adequate?"}
    assert sum(column["cells"] for column in columns) == 4 * len(claims)


def test_ledger_columns_are_at_least_as_wide_as_their_widest_word(ledger_layout):
    narrow = [
        f"table {c['table']}, column {c['column']!r}: {c['width']:.0f} px for the word "
        f"{c['word']!r} ({c['widest']:.0f} px)"
        for c in ledger_layout["columns"]
        if c["width"] + 1 < min(c["widest"], LEDGER_MIN_EM * c["em"])
    ]
    assert not narrow, "ledger columns narrower than a word:\n" + "\n".join(narrow)


def _longest_shared(a: str, b: str) -> str:
    """The longest run of characters that ``a`` and ``b`` both contain."""
    match = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return a[match.a:match.a + match.size]


def test_no_cell_of_a_ledger_row_repeats_another(ledger_layout):
    repeated = [
        f"{claim['claim']}: {shared!r} is in {text[:60]!r}... and in {other[:60]!r}..."
        for claim in ledger_layout["claims"]
        for i, text in enumerate(claim["cells"]) for other in claim["cells"][i + 1:]
        if len(shared := _longest_shared(text, other)) >= LEDGER_REPEAT
    ]
    assert not repeated, "\n".join(repeated)
