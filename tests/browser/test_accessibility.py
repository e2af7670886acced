"""Accessibility basics of the example archive.

- On every HTML page (read as files): ``lang`` on ``html``, exactly one ``h1`` and one
  ``main``, headings that skip no level going down, ``alt`` on every ``img``, a label for
  every form field.
- In Chromium, axe-core (WCAG 2.x A and AA rules plus best practices, which include
  color-contrast, label, image-alt, html-has-lang, heading-order, page-has-heading-one,
  landmark-one-main and region) finds no violation on the home page, a column page, an
  article, a tag page, the date archives, the search page with results and the 404 page.
- Tabbing through a page, every element that takes focus is on screen and shows an
  outline whose colour has a contrast of at least 3:1 with what is around it (WCAG
  1.4.11) on most of its sides (one side may touch a control, such as a search button).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from browser.support import article_with_image, axe_path, paged_column, search_target
from sitecheck import is_html

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
REQUIRED_RULES = {
    "color-contrast",
    "label",
    "image-alt",
    "html-has-lang",
    "heading-order",
    "page-has-heading-one",
    "landmark-one-main",
    "region",
}
FIELDS = "input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=reset]), select, textarea"


# ---- every page, read as a file ----------------------------------------------------------


def page_problems(tree: LexborHTMLParser) -> list[str]:
    """What the page lacks of the basics (empty when it has them all)."""
    problems = []
    html = tree.css_first("html")
    if html is None or not (html.attributes.get("lang") or "").strip():
        problems.append("no lang on <html>")
    h1s = tree.css("h1")
    if len(h1s) != 1:
        problems.append(f"{len(h1s)} h1 elements")
    if len(tree.css("main")) != 1:
        problems.append(f"{len(tree.css('main'))} main elements")
    levels = [int(node.tag[1]) for node in tree.css("h1, h2, h3, h4, h5, h6")]
    for before, after in itertools.pairwise(levels):
        if after > before + 1:
            problems.append(f"heading h{before} followed by h{after}")
    for node in tree.css("img"):
        if "alt" not in node.attributes:
            problems.append(f"img without alt: {node.attributes.get('src')}")
    labelled = {node.attributes.get("for") for node in tree.css("label[for]")}
    for node in tree.css(FIELDS):
        attrs = node.attributes
        wrapped = any(parent.tag == "label" for parent in _ancestors(node))
        if not (
            (attrs.get("id") and attrs["id"] in labelled)
            or wrapped
            or (attrs.get("aria-label") or "").strip()
            or attrs.get("aria-labelledby")
        ):
            problems.append(f"{node.tag} without a label: {node.html[:80]}")
    return problems


def _ancestors(node):
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent


def test_every_page_has_the_accessibility_basics(site):
    pages = sorted(p for p in site.rglob("*") if p.is_file() and is_html(p))
    wrong = []
    for path in pages:
        tree = LexborHTMLParser(path.read_text(encoding="utf-8"))
        for problem in page_problems(tree):
            wrong.append(f"{path.relative_to(site).as_posix()}: {problem}")
    assert wrong == [], f"{len(wrong)} problems in {len(pages)} pages:\n" + "\n".join(wrong)


# ---- axe-core in Chromium ------------------------------------------------------------


def axe_pages(site: Path) -> dict[str, str]:
    """Name -> site path of the pages axe checks (404: a missing URL)."""
    _, word = search_target()
    with_image = article_with_image(site)
    tag = sorted(site.glob("tags/*/index.html"))[0].relative_to(site).as_posix()
    return {
        "home": "index.html",
        "column": f"{paged_column(site)}/index.html",
        "article": with_image.page(site),
        "tag": tag,
        "archives": "archives/index.html",
        "search": f"search.html?q={word}",
        "404": "zhxx/no-such-page.html",
    }


def run_axe(page) -> dict:
    page.add_script_tag(path=str(axe_path()))
    return page.evaluate(
        """async (tags) => {
          const r = await axe.run(document, {
            runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
          const ids = (list) => list.map((rule) => rule.id);
          return {
            violations: r.violations.map((v) => ({
              id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${
                (n.failureSummary || '').split('\\n').slice(1).join(' ').trim()}`)})),
            ran: [...ids(r.violations), ...ids(r.passes), ...ids(r.incomplete),
                  ...ids(r.inapplicable)],
          };
        }""",
        AXE_TAGS,
    )


@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize("name", ["home", "column", "article", "tag", "archives", "search", "404"])
def test_axe_finds_no_violation(open_tab, sub_server, site, name, width):
    path = axe_pages(site)[name]
    axe_path()  # skip early when axe-core is missing
    tab = open_tab(width=width, height=900)
    tab.goto(sub_server.url(path), status=404 if name == "404" else 200)
    if name == "search":
        tab.page.locator("#search-results li").first.wait_for()
    result = run_axe(tab.page)
    missing_rules = REQUIRED_RULES - set(result["ran"])
    assert not missing_rules, f"axe did not run the rules {sorted(missing_rules)}"
    report = [
        f"{v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"][:8])
        for v in result["violations"]
    ]
    assert report == [], f"axe violations on {path} at {width} px:\n" + "\n".join(report)
    assert tab.problems == [], "\n".join(tab.problems)


# ---- keyboard focus ------------------------------------------------------------------

FOCUS_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) { return null; }
  const rgba = (text) => {
    const m = /rgba?\\(([^)]+)\\)/.exec(text);
    if (!m) { return null; }
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, under) => [0, 1, 2].map((i) => top[i] * top[3] + under[i] * (1 - top[3]));
  const background = (x, y) => {
    const layers = [];
    for (const node of document.elementsFromPoint(x, y)) {
      const c = rgba(getComputedStyle(node).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) { break; } }
    }
    return layers.reverse().reduce((under, top) => over(top, under), [255, 255, 255]);
  };
  const luminance = (c) => {
    const [r, g, b] = c.map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const contrast = (a, b) => {
    const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : '') +
    ' "' + (el.textContent || el.value || '').trim().slice(0, 20) + '"';
  const width = parseFloat(style.outlineWidth) || 0;
  const d = (parseFloat(style.outlineOffset) || 0) + width / 2;
  const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
  const points = [[box.left - d, cy], [box.right + d, cy], [cx, box.top - d], [cx, box.bottom + d]]
    .filter(([x, y]) => x >= 0 && y >= 0 && x < innerWidth && y < innerHeight);
  const colour = rgba(style.outlineColor);
  const ratios = colour ? points.map(([x, y]) => contrast(over(colour, background(x, y)), background(x, y))) : [];
  return {
    name, style: style.outlineStyle, width,
    inView: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0 &&
      box.top < innerHeight && box.left < innerWidth,
    ratios,
  };
}"""


@pytest.mark.parametrize("name", ["home", "article", "search", "404"])
def test_keyboard_focus_is_always_visible(open_tab, sub_server, site, name):
    path = axe_pages(site)[name]
    tab = open_tab()
    page = tab.page
    tab.goto(sub_server.url(path), status=404 if name == "404" else 200)
    if name == "search":
        page.locator("#search-results li").first.wait_for()
    wrong, seen = [], []
    for _ in range(400):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUS_JS)
        if focused is None or (seen and focused["name"] == seen[0]):
            break
        seen.append(focused["name"])
        where = f"{focused['name']} (tab stop {len(seen)})"
        if focused["style"] == "none" or focused["width"] < 1:
            wrong.append(f"{where}: no outline ({focused['style']} {focused['width']}px)")
        elif not focused["inView"]:
            wrong.append(f"{where}: focused but not on screen")
        elif 2 * sum(ratio >= 3 for ratio in focused["ratios"]) < len(focused["ratios"]):
            ratios = ", ".join(f"{ratio:.2f}:1" for ratio in focused["ratios"])
            wrong.append(f"{where}: outline contrast {ratios} by side (needs 3:1 on most)")
    assert len(seen) > 5, f"only {len(seen)} tab stops on {path}: {seen}"
    assert seen[0].startswith("a.skip-link"), f"the first tab stop is {seen[0]}, not the skip link"
    assert wrong == [], f"focus problems on {path}:\n" + "\n".join(wrong)
