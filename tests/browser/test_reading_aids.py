"""Reading aids (适老化 and 无障碍) in Chromium: text size 大 · 中 · 小, 长者模式, print.

- Without script the article is readable at its default size and the controls are hidden.
- A size button changes the body text, says so to screen readers (aria-pressed and a
  live region) and is remembered on the next page (localStorage).
- 长者模式 turns every page into large, high-contrast text, from the article tools or the
  footer, and stays on across pages until turned off.
- The print button opens the print dialog.
- axe finds nothing on the home, column, article and site-map pages in the large-text
  mode (the normal mode is covered by test_accessibility, the site map here), at 1280
  and 375 px; screenshots of both modes at both widths are saved, and no page scrolls
  sideways.
"""

from __future__ import annotations

import pytest

from browser.support import article_with_image, axe_path, example_articles, paged_column
from browser.test_accessibility import REQUIRED_RULES, run_axe

PHONE = {"width": 375, "height": 812}


def body_size(page) -> float:
    return page.evaluate(
        "() => parseFloat(getComputedStyle(document.querySelector('.article-body')).fontSize)"
    )


def pressed(page, selector: str) -> str | None:
    return page.locator(selector).first.get_attribute("aria-pressed")


def wait_status(page, text: str) -> None:
    page.wait_for_function(
        "(text) => document.getElementById('reader-status').textContent === text", arg=text
    )


def test_without_script_the_article_reads_at_its_default_size(browser, root_server, site):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    try:
        page = context.new_page()
        page.goto(root_server.url(article_with_image(site).page(site)))
        assert page.locator(".reader-controls").is_hidden()
        assert page.locator(".reader-switch").is_hidden()
        assert page.locator(".reading-time").is_visible()
        assert page.locator(".article-body p").first.is_visible()
        assert body_size(page) == 18
    finally:
        context.close()


def test_text_size_is_announced_and_kept_across_pages(open_tab, root_server, site):
    first, second = [item.page(site) for item in example_articles()[:2]]
    tab = open_tab()
    page = tab.page
    tab.goto(root_server.url(first))
    assert page.locator(".reader-controls").is_visible()
    assert pressed(page, "[data-text-size=medium]") == "true"
    assert body_size(page) == 18
    page.get_by_role("button", name="大", exact=True).click()
    wait_status(page, "字号：大")
    assert body_size(page) == 22
    assert (pressed(page, "[data-text-size=large]"), pressed(page, "[data-text-size=medium]")) == (
        "true",
        "false",
    )
    tab.goto(root_server.url(second))
    assert body_size(page) == 22
    assert pressed(page, "[data-text-size=large]") == "true"
    page.get_by_role("button", name="小", exact=True).click()
    wait_status(page, "字号：小")
    assert body_size(page) == 16
    assert tab.problems == [], "\n".join(tab.problems)


def test_elder_mode_is_kept_across_pages_and_turned_off_from_the_footer(
    open_tab, root_server, site
):
    tab = open_tab()
    page = tab.page
    tab.goto(root_server.url(article_with_image(site).page(site)))
    page.locator(".article-tools .elder-toggle").click()
    wait_status(page, "长者模式已开启")
    assert page.evaluate("() => document.documentElement.classList.contains('elder')")
    assert body_size(page) == 24
    assert pressed(page, ".article-tools .elder-toggle") == "true"
    assert pressed(page, ".site-footer .elder-toggle") == "true"
    tab.goto(root_server.url("index.html"))
    assert page.evaluate("() => document.documentElement.classList.contains('elder')")
    size = page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)")
    assert size >= 20
    page.locator(".site-footer .elder-toggle").click()
    wait_status(page, "长者模式已关闭")
    assert not page.evaluate("() => document.documentElement.classList.contains('elder')")
    tab.goto(root_server.url(article_with_image(site).page(site)))
    assert body_size(page) == 18
    assert tab.problems == [], "\n".join(tab.problems)


def test_the_print_button_opens_the_print_dialog(open_tab, root_server, site):
    tab = open_tab()
    page = tab.page
    page.add_init_script("window.print = () => { window.printed = (window.printed || 0) + 1; };")
    tab.goto(root_server.url(article_with_image(site).page(site)))
    page.get_by_role("button", name="打印").click()
    assert page.evaluate("() => window.printed") == 1


def large_text_pages(site) -> dict[str, str]:
    return {
        "home": "index.html",
        "column": f"{paged_column(site)}/index.html",
        "article": article_with_image(site).page(site),
        "sitemap": "sitemap.html",
    }


def set_modes(page, *, elder: bool, size: str) -> None:
    page.evaluate(
        """([elder, size]) => {
          localStorage.setItem('provarchive.elderMode', elder ? 'on' : 'off');
          localStorage.setItem('provarchive.textSize', size);
        }""",
        [elder, size],
    )


# the normal mode of the other pages is checked by test_accessibility
AXE_CASES = [("sitemap", "normal")] + [
    (name, "large") for name in ("home", "column", "article", "sitemap")
]


@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize(("name", "mode"), AXE_CASES)
def test_axe_finds_no_violation_in_either_mode(open_tab, sub_server, site, name, width, mode):
    axe_path()
    tab = open_tab(width=width, height=900)
    url = sub_server.url(large_text_pages(site)[name])
    tab.goto(url)
    set_modes(tab.page, elder=mode == "large", size="large" if mode == "large" else "medium")
    tab.goto(url)
    assert tab.page.evaluate("() => document.documentElement.classList.contains('elder')") == (
        mode == "large"
    )
    result = run_axe(tab.page)
    assert not REQUIRED_RULES - set(result["ran"])
    report = [
        f"{v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"][:8])
        for v in result["violations"]
    ]
    assert report == [], f"axe violations on {name} ({mode}) at {width} px:\n" + "\n".join(report)
    assert tab.problems == [], "\n".join(tab.problems)


def test_screenshots_of_both_modes_and_no_sideways_scroll(
    open_tab, root_server, site, screenshot_dir
):
    written, wide = [], []
    for width in (1280, 375):
        tab = open_tab(width=width, height=900 if width > 375 else PHONE["height"])
        for mode in ("normal", "large"):
            for name in ("article", "home", "sitemap"):
                url = root_server.url(large_text_pages(site)[name])
                tab.goto(url)
                set_modes(
                    tab.page, elder=mode == "large", size="large" if mode == "large" else "medium"
                )
                tab.goto(url)
                target = screenshot_dir / f"{name}-{mode}-{width}.png"
                tab.page.screenshot(path=str(target), full_page=True)
                written.append(target)
                scroll, inner = tab.page.evaluate(
                    "() => [document.documentElement.scrollWidth, window.innerWidth]"
                )
                if scroll > inner:
                    wide.append(f"{name} ({mode}) is {scroll} px wide at {width} px")
        assert tab.problems == [], "\n".join(tab.problems)
    for target in written:
        assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{target} is not a PNG"
    assert wide == [], "\n".join(wide)
