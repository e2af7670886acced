"""Incremental and parallel builds write exactly what a clean build writes."""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
import shutil
import time
from functools import partial
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from PIL import Image

from conftest import PROFILE, REPO, article, column, date_back, examples, run_cli, snapshot
from provarchive.ahead import Ahead
from provarchive.bodystore import BodyStore
from provarchive.build import BuildOptions, build_site
from provarchive.cache import KEPT_OUTPUTS, load_articles, load_state, state_file
from provarchive.errors import ProvarchiveError
from provarchive.preload import Preloaded
from provarchive.walk import ContentScan, rescan, scan_content, signature


def site_files(count: int = 6) -> dict[str, str]:
    files = {
        "content/zhxx/_column.yaml": column("综合资讯", 1),
        "content/zhxx/yywl/_column.yaml": column("要闻要论", 1),
        "content/zwgk/_column.yaml": column("政务公开", 2),
        "content/zhxx/yywl/img.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>',
    }
    for n in range(count):
        files[f"content/zhxx/yywl/a{n}.md"] = article(
            f"要闻{n}",
            f"2024-0{1 + n % 9}-1{n % 10} 09:00",
            tags=f"[标签{n % 3}]",
            authors=f"[记者{n % 2}]",
            body=f"第{n}篇正文，含高速公路。\n\n![图](img.svg)",
        )
    files["content/zwgk/b.md"] = article("公告", "2023-05-05", body="[链接](../zhxx/yywl/a0.md)")
    return files


def clean_build(site: Path, out: Path) -> dict[str, bytes]:
    if out.exists():
        shutil.rmtree(out)
    result = run_cli("build", site, "--no-cache", "-o", out, "-q")
    assert result.code == 0, result.err
    return snapshot(out)


def test_rebuild_after_edits_equals_clean_build(make_site, tmp_path):
    site = make_site(site_files())
    assert run_cli("build", site, "-q").code == 0
    (site / "content/zhxx/yywl/a1.md").write_text(
        article("改过的标题", "2024-02-11 09:00"), "utf-8"
    )
    (site / "content/zhxx/yywl/a9.md").write_text(article("新增文章", "2024-09-30"), "utf-8")
    (site / "content/zhxx/yywl/a2.md").unlink()
    result = run_cli("build", site)
    assert result.code == 0, result.err
    assert snapshot(site / "public") == clean_build(site, tmp_path / "clean")


def test_a_file_changed_within_one_timestamp_tick_is_still_seen(make_site):
    site = make_site(site_files())
    page = site / "content/zwgk/b.md"
    assert run_cli("build", site, "-q").code == 0
    stat = page.stat()
    page.write_text(page.read_text("utf-8").replace("公告", "通知"), "utf-8")
    os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size, same time
    assert run_cli("build", site, "-q").code == 0
    assert "通知" in (site / "public/zwgk/202305/b.html").read_text("utf-8")


def test_unchanged_pages_are_not_rewritten(make_site):
    site = make_site(site_files())
    assert run_cli("build", site, "-q").code == 0
    public = site / "public"
    untouched = public / "zwgk/202305/b.html"
    edited = public / "zhxx/yywl/202401/a0.html"
    before = (untouched.stat().st_ino, edited.stat().st_ino)
    (site / "content/zhxx/yywl/a0.md").write_text(
        article("要闻0", "2024-01-10 09:00", tags="[标签0]", authors="[记者0]", body="新的正文。"),
        "utf-8",
    )
    assert 0 < written_count(run_cli("build", site).out) < 40
    assert untouched.stat().st_ino == before[0]
    assert edited.stat().st_ino != before[1]
    assert "新的正文。" in edited.read_text("utf-8")


def page_counts(output: str) -> tuple[int, int]:
    """The pages a build said it made and those it rendered (``P pages (W written, ...``)."""
    match = re.search(r"(\d+) pages \((\d+) written, \d+ unchanged\)", output)
    assert match, output
    return int(match[1]), int(match[2])


def written_count(output: str) -> int:
    """The pages a build said it rendered."""
    return page_counts(output)[1]


def test_a_build_run_from_another_folder_renders_only_what_changed(
    make_site, tmp_path, monkeypatch
):
    """Where the command is run from is no input: a build started from another folder
    than the last one renders the pages of the edited article only (it rendered every
    page when articles and columns kept their paths relative to the working folder),
    and writes what a clean build writes."""
    site = make_site(site_files())
    age(site)
    monkeypatch.chdir(site)
    assert run_cli("build", ".", "-q").code == 0
    (site / "content/zhxx/yywl/a0.md").write_text(
        article("要闻0", "2024-01-10 09:00", tags="[标签0]", authors="[记者0]", body="改过。"),
        "utf-8",
    )
    monkeypatch.chdir(tmp_path)
    result = run_cli("build", site)
    assert result.code == 0, result.err
    pages, written = page_counts(result.out)
    assert 0 < written < pages // 2
    assert snapshot(site / "public") == clean_build(site, tmp_path / "clean")


def test_what_templates_see_of_a_source_file_is_the_same_from_any_folder(
    make_site, tmp_path, monkeypatch
):
    """``article.source_path`` and a column's ``source_path`` are relative to the site
    folder, whatever folder the build is run from."""
    site = make_site(site_files())
    (site / "templates").mkdir()
    (site / "templates/article.html").write_text(
        "{{ article.source_path }} {{ columns[article.column].source_path }}\n", "utf-8"
    )
    outputs = []
    for folder in (site, tmp_path, site / "content"):
        monkeypatch.chdir(folder)
        outputs.append(clean_build(site, tmp_path / "out"))
    assert outputs[0] == outputs[1] == outputs[2]
    page = outputs[0]["zhxx/yywl/202401/a0.html"].decode("utf-8")
    assert page == "content/zhxx/yywl/a0.md content/zhxx/yywl/_column.yaml\n"


def age(site: Path, seconds: int = 3600) -> None:
    """Make every file of the site look written ``seconds`` ago (as real edits are)."""
    date_back(site, seconds)


def test_nothing_changed_does_nothing(make_site):
    site = make_site(site_files())
    age(site)
    assert run_cli("build", site, "-q").code == 0
    result = run_cli("build", site)
    assert result.out.startswith("nothing changed:")
    (site / "content/zwgk/b.md").touch()
    result = run_cli("build", site)
    assert "(0 written," in result.out


def test_a_change_that_makes_no_input_newer_is_built(make_site, tmp_path):
    """The no-change shortcut looks at the newest modification time first, then at the
    digest of every input's signature: a deleted article, or a file put back from a
    copy with its old time (``cp -p``, an archive unpacked), makes nothing newer than
    the last build, and is built all the same."""
    site = make_site(site_files())
    age(site)
    assert run_cli("build", site, "-q").code == 0
    (site / "content/zhxx/yywl/a5.md").unlink()
    result = run_cli("build", site)
    assert result.code == 0 and not result.out.startswith("nothing changed:")
    assert snapshot(site / "public") == clean_build(site, tmp_path / "clean")
    restored = site / "content/zhxx/yywl/a2.md"
    old = restored.stat()
    restored.write_text(article("从备份恢复的标题", "2024-03-12 09:00"), "utf-8")
    os.utime(restored, ns=(old.st_atime_ns, old.st_mtime_ns))
    result = run_cli("build", site)
    assert result.code == 0 and not result.out.startswith("nothing changed:")
    assert "从备份恢复的标题".encode() in snapshot(site / "public")["zhxx/yywl/202403/a2.html"]
    assert snapshot(site / "public") == clean_build(site, tmp_path / "clean")


def test_a_file_saved_again_unchanged_takes_its_new_signature_into_the_cache(make_site):
    """A file saved again as it was (a new signature, the same content) is read once: its
    cache entry takes the new signature, so later builds trust the file again; the other
    entries keep theirs, and a deleted article's entry goes."""
    site = make_site(site_files())
    age(site)
    assert run_cli("build", site, "-q").code == 0
    touched = site / "content/zwgk/b.md"
    touched.write_bytes(touched.read_bytes())
    (site / "content/zhxx/yywl/a5.md").unlink()
    result = run_cli("build", site)
    assert "(0 written," not in result.out
    cache_dir, output = site / ".provarchive-cache", site / "public"
    state = load_state(cache_dir, output)
    assert load_articles(cache_dir, output, state)
    files = sorted((site / "content").rglob("*.md"))
    assert {
        path.relative_to(site / "content").as_posix(): signature(path.stat()) for path in files
    } == {article_id: entry.signature for article_id, entry in state.articles.items()}


def test_links_to_a_file_saved_again_and_to_a_deleted_one_match_a_clean_build(make_site, tmp_path):
    """The URLs of the articles reused are their entries' less those not reused: a file
    saved again unchanged is read, found unchanged and reused, while a deleted one's
    entry is dropped. An article that links to both, reused itself, is rendered again
    with the one link that still leads somewhere."""
    files = site_files()
    files["content/zwgk/c.md"] = article(
        "引用两篇",
        "2024-05-06",
        body="见[要闻一](../zhxx/yywl/a1.md)与[要闻五](../zhxx/yywl/a5.md)。",
    )
    site = make_site(files)
    age(site)
    assert run_cli("build", site, "-q").code == 0
    touched = site / "content/zhxx/yywl/a1.md"
    touched.write_bytes(touched.read_bytes())
    (site / "content/zhxx/yywl/a5.md").unlink()
    assert run_cli("build", site, "-q").code == 0
    built = snapshot(site / "public")
    assert built == clean_build(site, tmp_path / "clean")
    page = built["zwgk/202405/c.html"]
    assert b"yywl/202402/a1.html" in page and b"a5.html" not in page


def test_the_shards_an_edit_writes_hold_what_every_entrys_shard_says(make_site):
    """An edit writes the shards of the articles it changed, added or deleted, each
    from that shard's old entries (the entries are loaded shard after shard) and the
    changed ones, not by looking up the shard of every entry; what it writes is what
    that lookup gives, and the next build trusts every entry."""
    from provarchive.cache import _shard_entries, _shard_entries_from, _shard_of, cache_entries

    files = site_files(count=40)
    site = make_site(files)
    age(site)
    assert run_cli("build", site, "-q").code == 0
    cache_dir, output = site / ".provarchive-cache", site / "public"
    state = load_state(cache_dir, output)
    assert load_articles(cache_dir, output, state)
    assert len(state.shard_sizes) == 32 and sum(state.shard_sizes) == len(state.articles)
    old = state.articles
    ids = list(old)
    assert [_shard_of(i) for i in ids] == sorted(_shard_of(i) for i in ids)  # shard order
    edited, deleted = ids[3], ids[-2]
    record = old[edited].article()
    fresh = {edited: dataclasses.replace(record, title="改了标题")}
    fresh["zhxx/yywl/new.md"] = dataclasses.replace(record, id="zhxx/yywl/new.md")
    articles = {i: old[i].article() for i in ids if i not in (edited, deleted)} | fresh
    signatures = {i: old[i].signature for i in ids} | dict.fromkeys(fresh, (1, 2, 3))
    entries, changed = cache_entries(old, signatures, articles, set(fresh))
    assert changed == set(fresh) and deleted not in entries
    affected = {_shard_of(i) for i in [*changed, deleted]}
    from_old = _shard_entries_from(entries, affected, state, changed)
    looked_up = _shard_entries(entries, affected, None, None)
    assert from_old == looked_up
    assert sum(map(len, from_old.values())) == sum(_shard_of(i) in affected for i in entries)
    # an edit through the command line: the next build reads nothing again
    (site / "content/zhxx/yywl/a7.md").write_text(article("改过的要闻", "2024-08-17"), "utf-8")
    (site / "content/zhxx/yywl/a9.md").unlink()
    age(site)
    assert run_cli("build", site, "-q").code == 0
    result = run_cli("build", site)
    assert result.out.startswith("nothing changed:")
    state = load_state(cache_dir, output)
    assert load_articles(cache_dir, output, state)
    assert sorted(state.articles) == sorted(
        path.relative_to(site / "content").as_posix() for path in (site / "content").rglob("*.md")
    )


def test_a_build_that_finds_nothing_changed_shows_the_last_warnings_from_its_own_folder(
    make_site, tmp_path, monkeypatch
):
    """The warnings a no-change build repeats name their files from the folder it runs
    in, not from the folder of the build that found them."""
    files = site_files()
    files["content/kjjy/c.md"] = article("无栏目文件", "2024-03-03")
    site = make_site(files)
    age(site)
    monkeypatch.chdir(site)
    first = run_cli("build", ".")
    assert first.code == 0 and "content/kjjy: warning: no _column.yaml here" in first.err
    monkeypatch.chdir(tmp_path)
    again = run_cli("build", site)
    assert again.out.startswith("nothing changed:"), again.out
    assert "site/content/kjjy: warning: no _column.yaml here" in again.err, again.err
    assert "\nsite/site.yaml: note: base_url has a path" in "\n" + again.err, again.err
    monkeypatch.chdir(site / "content")
    assert "\nkjjy: warning: no _column.yaml here" in "\n" + run_cli("build", "..").err


def test_the_inputs_digest_changes_with_any_file_and_only_then(make_site):
    """The no-change shortcut's digest of every input file: the same on a second scan,
    different after any file's time or name changes, or a file is added."""
    from provarchive.config import load_config
    from provarchive.inputs import scan_inputs

    files = site_files()
    files["templates/article.html"] = "{% extends 'base.html' %}"
    files["topics/kj/_topic.yaml"] = "title: 科技专题\n"
    site = make_site(files)
    config, out = load_config(site), site / "public"

    def digest() -> bytes:
        return scan_inputs(site, config, out, drafts=False).signature

    first = digest()
    assert digest() == first
    seen = {first}
    for name in [
        "content/zhxx/yywl/a3.md",
        "content/zhxx/yywl/img.svg",
        "content/zwgk/_column.yaml",
        "templates/article.html",
        "topics/kj/_topic.yaml",
    ]:
        path = site / name
        os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
        seen.add(digest())
    (site / "content/zwgk/b.md").rename(site / "content/zwgk/c.md")
    seen.add(digest())
    (site / "content/zwgk/new.svg").write_text("<svg/>", "utf-8")
    seen.add(digest())
    assert len(seen) == 8  # each change made a digest of its own


def test_the_graph_memo_is_carried_over_an_edit_and_made_anew_with_the_graph(make_site):
    from provarchive.cache import graph_memo

    site = make_site(site_files())
    cache, out = site / ".provarchive-cache", site / "public"
    assert run_cli("build", site, "-q").code == 0
    first = load_state(cache, out)
    memo = graph_memo(first)
    assert memo is not None and {"标签0", "标签1", "标签2"} <= memo.spelled.keys()
    edited, body = site / "content/zhxx/yywl/a1.md", "改写的正文。\n\n![图](img.svg)"
    fields = {"tags": "[标签1]", "authors": "[记者1]", "body": body}  # a body edit only
    edited.write_text(article("要闻1", "2024-02-11 09:00", **fields), "utf-8")
    assert run_cli("build", site, "-q").code == 0
    assert load_state(cache, out).graph == first.graph  # the graph was kept: so was its memo
    fields["tags"] = "[新标签]"
    edited.write_text(article("要闻1", "2024-02-11 09:00", **fields), "utf-8")
    assert run_cli("build", site, "-q").code == 0
    memo = graph_memo(load_state(cache, out))
    assert memo is not None and "新标签" in memo.spelled


def test_a_page_removed_by_hand_is_written_again(make_site):
    site = make_site(site_files())
    assert run_cli("build", site, "-q").code == 0
    page = site / "public/zwgk/202305/b.html"
    page.unlink()
    (site / "content/zhxx/yywl/a3.md").write_text(article("触发重建", "2024-04-13"), "utf-8")
    assert run_cli("build", site, "-q").code == 0
    assert page.is_file()


def test_a_clean_builds_token_is_that_of_its_pages_in_the_plans_order(make_site):
    """The output's token is made of the pages' fingerprints in the plan's order, however
    they were made: in a clean build, by the workers as their chunks came in; in an
    edit, by looking them up. So undoing an edit gives the clean build's token back."""
    from provarchive.output import read_token

    site = make_site(site_files(80))  # pages enough for two workers
    public, edited = site / "public", site / "content/zhxx/yywl/a1.md"
    assert run_cli("build", site, "-q", "-j", "2").code == 0
    assert len(list(public.rglob("*.html"))) > 150
    first, text = read_token(public), edited.read_text("utf-8")
    edited.write_text(article("改过的标题", "2024-02-11 09:00"), "utf-8")
    assert run_cli("build", site, "-q", "-j", "2").code == 0
    assert read_token(public) != first
    edited.write_text(text, "utf-8")
    assert run_cli("build", site, "-q", "-j", "2").code == 0
    assert read_token(public) == first


def test_rebuilds_start_from_the_spare_and_match_a_clean_build(make_site, tmp_path):
    from provarchive.output import MARKER, read_token, spare_dir

    # enough other articles that each change rewrites less than half of the site (else
    # the spare is a copy of the new output, not the old one)
    files = site_files()
    files.update(
        (f"content/zwgk/x{n}.md", article(f"旧公告{n}", f"2022-0{1 + n % 9}-2{n % 8}"))
        for n in range(24)
    )
    site = make_site(files)
    public = site / "public"
    spare = spare_dir(public)
    assert run_cli("build", site, "-q").code == 0
    assert read_token(spare) == read_token(public)  # hard links of the first output
    tokens = [read_token(public)]
    for step, change in enumerate(["edit", "delete", "add", "touch-only"]):
        if change == "edit":
            (site / "content/zhxx/yywl/a1.md").write_text(
                article("改过的标题", "2024-02-11 09:00"), "utf-8"
            )
        elif change == "delete":  # the only article of its month: its folder must go too
            (site / "content/zhxx/yywl/a4.md").unlink()
        elif change == "add":
            (site / "content/zwgk/c.md").write_text(article("新公告", "2024-08-08"), "utf-8")
        else:
            (site / "content/zwgk/b.md").touch()
        assert run_cli("build", site, "-q").code == 0
        assert read_token(spare) == tokens[-1], f"step {step}: the spare is not the old output"
        tokens.append(read_token(public))
        assert snapshot(public) == clean_build(site, tmp_path / "clean"), change
    assert not (public / "zhxx/yywl/202405").exists()
    # a spare that is not what the cache expects is never used
    (spare / "stray.html").write_text("not ours", "utf-8")
    (spare / MARKER).write_text("build 0000\n", "utf-8")
    (site / "content/zhxx/yywl/a0.md").write_text(article("再改", "2024-01-10 09:00"), "utf-8")
    assert run_cli("build", site, "-q").code == 0
    assert snapshot(public) == clean_build(site, tmp_path / "clean")


def test_a_folder_emptied_over_two_builds_is_removed(make_site, tmp_path):
    """Found by the state machine: renamed in one build, moved away in the next."""
    site = make_site(site_files())
    assert run_cli("build", site, "-q").code == 0
    yywl = site / "content/zhxx/yywl"
    (yywl / "a0.md").rename(yywl / "renamed.md")
    assert run_cli("build", site, "-q").code == 0
    (yywl / "renamed.md").rename(site / "content/zwgk/renamed.md")
    assert run_cli("build", site, "-q").code == 0
    assert not (site / "public/zhxx/yywl/202401").exists()
    assert snapshot(site / "public") == clean_build(site, tmp_path / "clean")


def test_an_edit_rewrites_one_article_shard_and_a_stale_shard_is_never_trusted(make_site, tmp_path):
    from provarchive.build import CACHE_DIR

    site = make_site(site_files(count=40))
    cache = site / CACHE_DIR
    age(site)
    assert run_cli("build", site, "-q").code == 0

    def shards() -> dict[str, bytes]:
        return {path.name: path.read_bytes() for path in cache.glob("state-*.articles-*")}

    before = shards()
    assert len(before) > 10
    (site / "content/zhxx/yywl/a7.md").write_text(article("第七篇改过", "2024-08-17"), "utf-8")
    assert run_cli("build", site, "-q").code == 0
    after = shards()
    assert len(set(after) - set(before)) == 1 and len(set(before) - set(after)) == 1
    # a shard that is not the one the state names (as a build killed between files
    # could leave it) is never trusted
    new_name = (set(after) - set(before)).pop()
    (cache / new_name).write_bytes(before[(set(before) - set(after)).pop()])
    (site / "content/zhxx/yywl/a8.md").write_text(article("第八篇改过", "2024-09-18"), "utf-8")
    result = run_cli("build", site)
    assert result.code == 0
    assert " 0 unchanged" in result.out  # the cache was not trusted: a clean build
    assert snapshot(site / "public") == clean_build(site, tmp_path / "clean")
    assert "第七篇改过" in (site / "public/zhxx/yywl/202408/a7.html").read_text("utf-8")


@pytest.mark.parametrize("damage", ["flipped", "rewritten", "not a mapping"])
def test_a_damaged_shard_makes_a_clean_build(make_site, tmp_path, damage):
    """Records are decoded while the build runs, so a damaged shard must be found
    before: by its checksum, or (rows of another shape) when its rows are read."""
    import marshal
    import zlib

    from provarchive.build import CACHE_DIR

    site = make_site(site_files(count=12))
    age(site)
    assert run_cli("build", site, "-q").code == 0
    shard = max((site / CACHE_DIR).glob("state-*.articles-*"), key=lambda p: p.stat().st_size)
    head, rows = shard.read_bytes().split(b"\n", 1)
    if damage == "flipped":  # one byte of a record changed on disk: the head stays
        middle = len(rows) // 2
        shard.write_bytes(
            head + b"\n" + rows[:middle] + bytes([rows[middle] ^ 0x20]) + rows[middle + 1 :]
        )
    else:  # rows of another shape, under a head that names them rightly
        rows = b"\x00\xff not marshal" if damage == "rewritten" else marshal.dumps(1)
        words = head.split(b" ")
        words[-1] = f"{zlib.crc32(rows):08x}".encode()
        shard.write_bytes(b" ".join(words) + b"\n" + rows)
    (site / "content/zhxx/yywl/a3.md").write_text(article("第三篇改过", "2024-04-13"), "utf-8")
    result = run_cli("build", site)
    assert result.code == 0 and "Traceback" not in result.err
    assert " 0 unchanged" in result.out  # the cache was not trusted: a clean build
    assert snapshot(site / "public") == clean_build(site, tmp_path / "clean")


@pytest.mark.parametrize("damage", ["not marshal", "another shape", "memo"])
def test_a_state_with_damaged_tables_or_memo_is_not_trusted(make_site, tmp_path, damage):
    """The state keeps its page fingerprints and search state marshal'd beside the
    pickled record, and the graph memo as marshal'd bytes: tables that do not load
    make a clean build, a memo that does not load is made again."""
    import dataclasses
    import marshal
    import pickle

    from provarchive.build import CACHE_DIR

    site = make_site(site_files(count=12))
    age(site)
    assert run_cli("build", site, "-q").code == 0
    (state_path,) = (p for p in (site / CACHE_DIR).glob("state-*.pickle") if p.name.count(".") == 1)
    state, tables = pickle.loads(state_path.read_bytes())
    if damage == "memo":
        state = dataclasses.replace(state, graph=b"\x00\xff not marshal")
    else:
        tables = b"\x00\xff not marshal" if damage == "not marshal" else marshal.dumps((1, 2, 3))
    state_path.write_bytes(pickle.dumps((state, tables)))
    (site / "content/zhxx/yywl/a3.md").write_text(article("第三篇改过", "2024-04-13"), "utf-8")
    result = run_cli("build", site)
    assert result.code == 0 and "Traceback" not in result.err
    assert (" 0 unchanged" in result.out) == (damage != "memo")
    assert snapshot(site / "public") == clean_build(site, tmp_path / "clean")


def test_a_failed_build_leaves_the_cache_usable(make_site):
    site = make_site(site_files(count=12))
    age(site)
    assert run_cli("build", site, "-q").code == 0
    (site / "templates").mkdir()
    (site / "templates/article.html").write_text("{{ page.nonexistent() }}\n", "utf-8")
    (site / "content/zhxx/yywl/a3.md").write_text(article("改", "2024-04-13 09:00"), "utf-8")
    assert run_cli("build", site, "-q").code == 1
    (site / "templates/article.html").unlink()
    result = run_cli("build", site)
    assert result.code == 0, result.err
    assert " 0 unchanged" not in result.out  # not a clean build: the cache still held


def test_a_cache_file_refused_on_the_writer_thread_fails_the_build_once(make_site, tmp_path):
    """The plan and the shards are written on a thread of their own: the machine's
    refusal there still ends the build in one line, the output and the cache as they
    were."""
    site = make_site(site_files(count=8))
    age(site)
    out = site / "public"
    assert run_cli("build", site, "-q").code == 0
    before = snapshot(out)
    (site / "content/zwgk/new.md").write_text(article("新", "2024-06-01"), "utf-8")  # a new plan
    plan = state_file(site / ".provarchive-cache", out).with_name(
        state_file(site / ".provarchive-cache", out).stem + ".plan.pickle"
    )
    squatter = plan.with_suffix(f".{os.getpid()}.tmp")  # the temporary file's name, taken
    squatter.mkdir()
    result = run_cli("build", site)
    assert result.code == 1 and result.out == ""
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and "while saving the build cache" in lines[0], result.err
    assert lines[0].startswith(f"{site / '.provarchive-cache'}: error: ")
    assert "Traceback" not in result.err
    assert snapshot(out) == before
    squatter.rmdir()
    result = run_cli("build", site)
    assert result.code == 0, result.err
    assert " 0 unchanged" not in result.out  # the cache of the build before still held
    assert snapshot(out) == clean_build(site, tmp_path / "clean")


def test_cache_writes_wait_for_every_file_and_raise_the_first_refusal(tmp_path):
    from provarchive.cachefiles import CacheWrites
    from provarchive.errors import OutputError

    with CacheWrites() as writes:
        for n in range(40):
            writes.write(tmp_path / f"f{n}", bytes([n]) * (n * 10_000))
    assert [(tmp_path / f"f{n}").read_bytes() for n in range(40)] == [
        bytes([n]) * (n * 10_000) for n in range(40)
    ]
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(f"f{n}" for n in range(40))
    (tmp_path / "file").write_text("", "utf-8")
    refused = pytest.raises(OutputError, match="while saving the build cache")
    with refused, CacheWrites() as writes:
        writes.write(tmp_path / "file" / "under-a-file", b"x")  # not a folder
        writes.write(tmp_path / "after", b"y")
    assert not (tmp_path / "after").exists()  # a refusal ends the build: nothing more
    with pytest.raises(KeyError), CacheWrites() as writes:  # the block's own exception wins
        writes.write(tmp_path / "file" / "under-a-file", b"x")
        raise KeyError("the build's own")
    assert sorted(path.name for path in tmp_path.iterdir() if path.suffix == ".tmp") == []


def test_results_are_identical_for_any_number_of_jobs(make_site, tmp_path):
    files = site_files(count=90)
    site = make_site(files)
    outputs = []
    for jobs in ("1", "2", "3"):
        out = tmp_path / f"out{jobs}"
        assert run_cli("build", site, "--no-cache", "-j", jobs, "-o", out, "-q").code == 0
        outputs.append(snapshot(out))
    assert outputs[0] == outputs[1] == outputs[2]


def test_related_articles_found_in_a_worker_are_those_found_in_one_process(make_site, tmp_path):
    """From :data:`RELATED_IN_WORKER` articles a worker finds the related articles while
    the build process links the rest of the graph: the site is the one a single process
    builds; after a tag is changed (the related articles found again) and after a
    column's title is (the graph made again, its related articles kept in its memo)
    it is the one a clean build writes."""
    from provarchive.incremental import RELATED_IN_WORKER

    site = make_site(site_files(count=RELATED_IN_WORKER))
    age(site)
    assert run_cli("build", site, "-q", "-j", "2").code == 0
    single = run_cli("build", site, "--no-cache", "-q", "-j", "1", "-o", tmp_path / "single")
    assert single.code == 0
    built = snapshot(site / "public")
    assert built == snapshot(tmp_path / "single")
    related = built["zhxx/yywl/202403/a2.html"].decode("utf-8").split('class="related"')[1]
    assert related.split("</section>")[0].count("<li") == 5  # five related articles
    retagged = article("要闻2", "2024-03-12 09:00", tags="[标签1]", body="第2篇正文。")
    (site / "content/zhxx/yywl/a2.md").write_text(retagged, "utf-8")
    assert run_cli("build", site, "-q", "-j", "2").code == 0
    assert snapshot(site / "public") == clean_build(site, tmp_path / "clean")
    # a new column title: the graph is made again, its related articles from the memo
    (site / "content/zhxx/yywl/_column.yaml").write_text(column("要闻", 1), "utf-8")
    assert run_cli("build", site, "-q", "-j", "2").code == 0
    assert snapshot(site / "public") == clean_build(site, tmp_path / "clean")


def test_digests_made_in_a_worker_fingerprint_the_pages_as_one_process_does(
    make_site, tmp_path, monkeypatch
):
    """From :data:`writing.DIGESTS_IN_WORKER` articles a clean build makes the articles'
    digests in a worker while it orders the pages. The pages' fingerprints it keeps are
    right: a build that adds an article, whose plan is made again and every page's
    fingerprint compared with the kept one, renders only the few pages the article
    changes (as many as after a clean build that made the digests itself), and writes
    what a clean build writes."""
    from provarchive import writing

    site = make_site(site_files(count=90))
    age(site)
    oldest = article("旧公告", "2022-01-05 08:00", tags="[标签9]", authors="[记者9]", body="旧文。")
    written = {}
    for where, threshold in (("worker", 1), ("this process", 10**9)):
        monkeypatch.setattr(writing, "DIGESTS_IN_WORKER", threshold)
        copy = tmp_path / where
        shutil.copytree(site, copy)
        assert run_cli("build", copy, "--no-cache", "-q", "-j", "2").code == 0
        (copy / "content/zwgk/old.md").write_text(oldest, "utf-8")
        result = run_cli("build", copy, "-j", "2")
        assert result.code == 0, result.err
        pages, written[where] = map(
            int, re.search(r"(\d+) pages \((\d+) written", result.out).groups()
        )
        assert 0 < written[where] < pages // 4, result.out  # not every page: fingerprints held
        assert snapshot(copy / "public") == clean_build(copy, tmp_path / f"{where}-clean")
    assert written["worker"] == written["this process"]


def test_keep_going_builds_the_rest_and_lists_what_was_left_out(make_site):
    files = site_files()
    files["content/zhxx/yywl/bad.md"] = "---\ntitle: 坏文件\ndate: 明天\n---\n"
    site = make_site(files)
    result = run_cli("build", site, "--keep-going")
    assert result.code == 1
    assert "bad.md:3: error: 'date' must look like" in result.err
    assert "left out:" in result.err and "content/zhxx/yywl/bad.md" in result.err
    assert (site / "public/zhxx/yywl/202401/a0.html").is_file()
    again = run_cli("build", site, "--keep-going")
    assert again.code == 1, "a build with errors must not be taken as up to date"


def test_template_errors_in_workers_are_told_as_one_process_tells_them(make_site, tmp_path):
    """Pages whose template fails in the workers are left out, and their error is told
    once, naming the same page as a build in one process does, whatever order the
    workers' results came in."""
    theme = (REPO / "templates/article.html").read_text("utf-8")
    files = site_files(80)
    files["templates/article.html"] = theme.replace(
        "{% block title %}",
        '{% block title %}{% if "3" in article.title %}{{ article.nonexistent() }}{% endif %}',
        1,
    )
    site = make_site(files)
    two = run_cli("build", site, "--keep-going", "-q", "-j", "2")
    one = run_cli("build", site, "--keep-going", "-q", "-j", "1", "-o", tmp_path / "one")
    assert two.code == one.code == 1
    assert two.err.count("error:") == 1 and "nonexistent" in two.err
    assert two.err.replace(str(tmp_path / "one"), "") == one.err.replace(str(site / "public"), "")
    pages = {path.name for path in (site / "public").rglob("a*.html")}
    assert pages == {f"a{n}.html" for n in range(80) if "3" not in str(n)}
    assert pages == {path.name for path in (tmp_path / "one").rglob("a*.html")}


def test_a_page_left_out_by_keep_going_is_written_once_its_article_is_mended(make_site, tmp_path):
    """A page that failed is not in the output: the next build, though its plan is the
    same, must not take the output as holding every page of that plan."""
    theme = (REPO / "templates/article.html").read_text("utf-8")
    files = site_files()
    files["templates/article.html"] = theme.replace(
        "{% block title %}",
        '{% block title %}{% if "坏" in article.summary %}{{ article.nonexistent() }}{% endif %}',
        1,
    )
    a2 = "content/zhxx/yywl/a2.md"
    files[a2] = article("要闻2", "2024-03-12 09:00", summary="坏消息", body="第2篇正文。")
    site = make_site(files)
    age(site)
    assert run_cli("build", site, "--keep-going", "-q").code == 1
    page = site / "public/zhxx/yywl/202403/a2.html"
    assert not page.exists() and (site / "public/zhxx/yywl/202401/a0.html").is_file()
    (site / a2).write_text(article("要闻2", "2024-03-12 09:00", summary="好消息"), "utf-8")
    result = run_cli("build", site)
    assert result.code == 0, result.err
    assert "好消息" in page.read_text("utf-8")
    assert snapshot(site / "public") == clean_build(site, tmp_path / "clean")


def test_an_edit_after_a_failed_build_that_moved_a_page_starts_from_the_output(make_site, tmp_path):
    """A failed build that moved a page leaves the output and the state as they were:
    the build that mends it compares its pages with those the output holds, and the
    page leaves its old place."""
    theme = (REPO / "templates/article.html").read_text("utf-8")
    files = site_files()
    files["templates/article.html"] = theme.replace(
        "{% block title %}",
        '{% block title %}{% if "坏" in article.summary %}{{ article.nonexistent() }}{% endif %}',
        1,
    )
    site = make_site(files)
    age(site)
    assert run_cli("build", site, "-q").code == 0
    a2 = site / "content/zhxx/yywl/a2.md"
    a2.write_text(article("要闻2", "2024-07-12 09:00", summary="坏消息"), "utf-8")
    assert run_cli("build", site, "-q").code == 1
    assert (site / "public/zhxx/yywl/202403/a2.html").is_file()
    a2.write_text(article("要闻2", "2024-07-12 09:00", summary="好消息"), "utf-8")
    result = run_cli("build", site)
    assert result.code == 0, result.err
    assert not (site / "public/zhxx/yywl/202403/a2.html").exists()
    assert snapshot(site / "public") == clean_build(site, tmp_path / "clean")


class IncrementalMatchesClean(RuleBasedStateMachine):
    """Random edits, additions, deletions, moves, template and config changes."""

    def __init__(self):
        super().__init__()
        self.root: Path | None = None

    @initialize(data=st.data())
    def start(self, data):
        import tempfile

        self.root = Path(tempfile.mkdtemp(prefix="provarchive-state-"))
        self.site = self.root / "site"
        for name, text in site_files(4).items():
            path = self.site / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, "utf-8")
        (self.site / "site.yaml").write_text(
            "title: 状态测试\nbase_url: https://s.example.gov.cn/\nper_page: 2\n", "utf-8"
        )
        self.counter = 100
        self.scan: ContentScan | None = None
        self.preloaded: Preloaded | None = None
        self.changed: set[str] = set()
        self.edit_image(300)
        self.edit_topic("专题")
        self.edit_attachment(2000)
        assert run_cli("build", self.site, "-q").code == 0

    def articles(self) -> list[Path]:
        return sorted((self.site / "content").rglob("*.md"))

    def saw(self, *paths: Path) -> None:
        """Note ``paths`` as ``serve``'s watcher reports them: changed since the last
        build (folders made or removed too, see :func:`walk.rescan`)."""
        self.changed.update(map(str, paths))

    def made(self, path: Path) -> Path:
        """``path``, its folder made (and seen) if it was not there."""
        if not path.parent.exists():
            path.parent.mkdir(parents=True)
            self.saw(path.parent)
        return path

    @rule(data=st.data(), title=st.sampled_from(["春耕", "高速公路通车", "质量提升", "新闻"]))
    def edit(self, data, title):
        target = data.draw(st.sampled_from(self.articles()))
        date = data.draw(st.sampled_from(["2024-01-01", "2023-06-30 08:00", "2025-12-31"]))
        tags = data.draw(st.sampled_from(["[标签0]", "[标签1, 新标签]", "[]"]))
        target.write_text(article(title, date, tags=tags, body=f"{title}的正文。"), "utf-8")
        self.saw(target)

    @rule(folder=st.sampled_from(["zhxx/yywl", "zwgk", "zhxx", "kjjy"]))
    def add(self, folder):
        self.counter += 1
        path = self.made(self.site / "content" / folder / f"n{self.counter}.md")
        path.write_text(article(f"新增{self.counter}", "2024-07-07", authors="[记者9]"), "utf-8")
        self.saw(path)

    @rule(data=st.data())
    def delete(self, data):
        candidates = self.articles()
        if len(candidates) > 1:
            gone = data.draw(st.sampled_from(candidates))
            gone.unlink()
            self.saw(gone)

    @rule(data=st.data(), folder=st.sampled_from(["zhxx/yywl", "zwgk", "zhxx"]))
    def move(self, data, folder):
        source = data.draw(st.sampled_from(self.articles()))
        self.counter += 1
        target = self.made(self.site / "content" / folder / f"m{self.counter}.md")
        source.rename(target)
        self.saw(source, target)

    @rule(
        data=st.data(),
        image=st.sampled_from(["", "image: /zhxx/yywl/photo.png"]),
        attachments=st.sampled_from(["", "attachments: [/zhxx/yywl/doc.pdf]"]),
        pinned=st.sampled_from(["", "pinned: true", "pinned: home", "pinned: 2"]),
        topics=st.sampled_from(["", "topics: [zt]"]),
    )
    def set_media(self, data, image, attachments, pinned, topics):
        """Give an article a cover, an attachment, a pin, a topic, or take them away."""
        target = data.draw(st.sampled_from(self.articles()))
        meta = "\n".join(line for line in (image, attachments, pinned, topics) if line)
        target.write_text(
            f"---\ntitle: 媒体{self.counter}\ndate: 2024-03-03\n{meta}\n---\n\n正文。\n", "utf-8"
        )
        self.saw(target)

    @rule(data=st.data(), draft=st.booleans())
    def set_draft(self, data, draft):
        """Make an article a draft (left out of the site) or publish it again, its text
        otherwise the same. (A draft reaches the cache only from a build with --drafts:
        see test_cached_drafts_and_links_from_cached_articles_match_a_clean_build.)"""
        target = data.draw(st.sampled_from(self.articles()))
        text = target.read_text("utf-8").replace("draft: true\n", "")
        if draft:
            text = text.replace("---\n", "---\ndraft: true\n", 1)
        target.write_text(text, "utf-8")
        self.saw(target)

    @rule(width=st.sampled_from([300, 700, 1100]))
    def edit_image(self, width):
        image = Image.new("RGB", (width, 200), (width % 256, 90, 30))
        path = self.made(self.site / "content/zhxx/yywl/photo.png")
        image.save(path, "PNG")
        self.saw(path)

    @rule(title=st.sampled_from(["专题", "新的专题"]))
    def edit_topic(self, title):
        folder = self.site / "topics/zt"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "_topic.yaml").write_text(f"title: {title}\n", "utf-8")

    @rule(size=st.sampled_from([2000, 300_000]))
    def edit_attachment(self, size):
        (self.site / "content/zhxx/yywl/doc.pdf").write_bytes(b"%PDF" + b"0" * size)
        self.saw(self.site / "content/zhxx/yywl/doc.pdf")

    @rule(label=st.sampled_from(["首页", "本站首页"]))
    def change_template(self, label):
        templates = self.site / "templates"
        templates.mkdir(exist_ok=True)
        (templates / "list.html").write_text(
            '{% extends "base.html" %}{% block main %}<h1>' + label + "{{ page.title }}</h1>"
            "{% for a in articles %}<p>{{ a.title }}</p>{% endfor %}{% endblock %}",
            "utf-8",
        )

    @rule(seconds=st.sampled_from([5, 3600]))
    def time_passes(self, seconds):
        """Date every file back, so the next builds trust signatures as for real edits."""
        age(self.site, seconds)
        self.saw(*(self.site / "content").rglob("*"))

    @rule(per_page=st.sampled_from([2, 3]))
    def change_config(self, per_page):
        (self.site / "site.yaml").write_text(
            f"title: 状态测试\nbase_url: https://s.example.gov.cn/\nper_page: {per_page}\n", "utf-8"
        )

    @rule(linked=st.booleans())
    def link_outside(self, linked):
        """A column folder that is a link to a folder outside content/ (an error)."""
        link = self.site / "content/evil"
        if linked and not link.is_symlink():
            outside = self.root / "outside"
            outside.mkdir(exist_ok=True)
            (outside / "x.md").write_text(article("外部", "2024-03-03"), "utf-8")
            link.symlink_to(outside, target_is_directory=True)
        elif not linked and link.is_symlink():
            link.unlink()
        self.saw(link)

    @rule(present=st.booleans())
    def column_without_file(self, present):
        """A column folder without _column.yaml (a warning)."""
        folder = self.site / "content/bare"
        if present and not folder.exists():
            folder.mkdir()
            (folder / "b1.md").write_text(article("无栏目文件", "2024-02-02"), "utf-8")
        elif not present and folder.exists():
            shutil.rmtree(folder)
        self.saw(folder, folder / "b1.md")

    @invariant()
    def incremental_equals_clean(self):
        """The same files, exit code, errors and warnings as a clean build."""
        if self.root is None:
            return
        result = run_cli("build", self.site, "-q")
        clean_out = self.root / "clean"
        if clean_out.exists():
            shutil.rmtree(clean_out)
        clean = run_cli("build", self.site, "--no-cache", "-o", clean_out, "-q")
        assert (result.code, result.err) == (clean.code, clean.err)
        served = self.build_as_serve_does()
        if result.code != 0:
            assert served is None
            return
        clean_files = snapshot(clean_out)
        for incremental in (snapshot(self.site / "public"), served):
            assert_same_files(incremental, clean_files)

    def build_as_serve_does(self) -> dict[str, bytes] | None:
        """Build into a folder of its own as ``serve`` does: ``content/`` walked after the
        last build, rescanned with the files seen changed since, and the state loaded
        ahead, its articles' files split by that walk; the files written, or None on
        errors."""
        output = self.root / "served"
        scan = rescan(self.scan, self.site, self.changed) if self.scan is not None else None
        self.changed = set()
        walked = Ahead.done(scan) if scan else Ahead(partial(scan_content, self.site), jobs=2)
        try:
            with walked:
                build_site(BuildOptions(self.site, output), walked, self.preloaded)
        except ProvarchiveError:
            return None
        finally:  # made ready for the next build, as serve does while it waits
            self.scan = scan_content(self.site)
            loaded = Preloaded.load(self.site / ".provarchive-cache", output)
            self.preloaded = loaded.walked(self.scan)
        return snapshot(output)

    def teardown(self):
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)


def assert_same_files(incremental: dict[str, bytes], clean_files: dict[str, bytes]) -> None:
    """The same files with the same bytes; the first difference shown as a diff."""
    assert incremental.keys() == clean_files.keys()
    for name in incremental:
        if incremental[name] != clean_files[name]:
            diff = difflib.unified_diff(
                clean_files[name].decode("utf-8", "replace").splitlines(),
                incremental[name].decode("utf-8", "replace").splitlines(),
                "clean",
                "incremental",
                lineterm="",
            )
            raise AssertionError(f"{name} differs:\n" + "\n".join(diff))


IncrementalMatchesClean.TestCase.settings = settings(
    max_examples=examples(8, deep=200),
    stateful_step_count=20 if PROFILE == "deep" else 6,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_incremental_build_matches_clean_build = IncrementalMatchesClean.TestCase


def test_a_new_article_does_not_rewrite_unrelated_pages(make_site):
    site = make_site(site_files(8))
    assert run_cli("build", site, "-q").code == 0
    far = site / "public/zwgk/202305/b.html"
    inode = far.stat().st_ino
    (site / "content/zhxx/yywl/new.md").write_text(article("新来的稿件", "2024-09-01"), "utf-8")
    result = run_cli("build", site)
    assert "新来的稿件" in (site / "public/zhxx/yywl/index.html").read_text("utf-8")
    assert far.stat().st_ino == inode, result.out


def test_a_lost_body_store_is_healed_not_rendered_empty(make_site, tmp_path):
    site = make_site(site_files())
    assert run_cli("build", site, "-q").code == 0
    for stored in (site / ".provarchive-cache").glob("bodies.sqlite*"):
        stored.unlink()
    # the template change makes every page render again, from cached articles
    (site / "templates").mkdir()
    (site / "templates/article.html").write_text(
        '{% extends "base.html" %}{% block main %}{{ article.body_html | safe }}{% endblock %}',
        "utf-8",
    )
    assert run_cli("build", site, "-q").code == 0
    assert "第3篇正文" in (site / "public/zhxx/yywl/202404/a3.html").read_text("utf-8")
    assert snapshot(site / "public") == clean_build(site, tmp_path / "clean")


def test_a_search_index_rebuilt_without_the_body_store_reads_the_bodies_again(make_site, tmp_path):
    """The index reads the texts of its documents from the body store (packed before the
    workers are forked); those the store lost are rendered again, not left empty."""
    site = make_site(site_files())
    assert run_cli("build", site, "-q").code == 0
    for stored in (site / ".provarchive-cache").glob("bodies.sqlite*"):
        stored.unlink()
    # an article removed: document numbers shift, the index is made anew from every text
    (site / "content/zhxx/yywl/a2.md").unlink()
    assert run_cli("build", site, "-q").code == 0
    assert snapshot(site / "public") == clean_build(site, tmp_path / "clean")


@pytest.mark.parametrize(
    "meta,body",
    [
        ({"kicker": "新的引题"}, None),
        ({"subtitle": "新的副题"}, None),
        ({"editor": "新编辑"}, None),
        ({"summary": "另写的摘要。"}, None),
        ({"original_url": "http://old.example.gov.cn/a.html"}, None),
        ({}, "完全改写的正文，更长一些。" * 30),
        ({}, "第3篇正文，含[链接](../../zwgk/b.md)。"),
    ],
)
def test_edits_that_keep_the_page_plan_match_a_clean_build(make_site, tmp_path, meta, body):
    """The graph and plan are reused when no structure field changed: every page showing
    the edited article must still be rendered again."""
    site = make_site(site_files(count=12))
    age(site)
    assert run_cli("build", site, "-q").code == 0
    target = site / "content/zhxx/yywl/a3.md"
    text = article(
        "要闻3",
        "2024-04-13 09:00",
        tags="[标签0]",
        authors="[记者1]",
        body=body or "第3篇正文，含高速公路。\n\n![图](img.svg)",
        **meta,
    )
    target.write_text(text, "utf-8")
    result = run_cli("build", site)
    assert result.code == 0, result.err
    assert snapshot(site / "public") == clean_build(site, tmp_path / "clean")


def test_cached_drafts_and_links_from_cached_articles_match_a_clean_build(make_site, tmp_path):
    """Entries reused from the cache are judged by the facts gathered as it loads. After
    a build with ``--drafts``, a build without leaves the cached draft out of the site,
    and renders again the cached article that links to it (the link now leads nowhere);
    an article whose link target moved to another address (its date changed) is
    rendered again too, though its own file did not change."""
    files = site_files(count=6)
    files["content/zwgk/d.md"] = article("草稿一篇", "2024-05-05", draft="true")
    files["content/zwgk/c.md"] = article(
        "引用", "2024-05-06", body="见[要闻一](../zhxx/yywl/a1.md)与[草稿](d.md)。"
    )
    site = make_site(files)
    age(site)
    assert run_cli("build", site, "--drafts", "-q").code == 0
    assert b'href="d.html"' in (site / "public/zwgk/202405/c.html").read_bytes()
    (site / "content/zhxx/yywl/a2.md").write_text(article("改过", "2024-03-12 09:00"), "utf-8")
    assert run_cli("build", site, "-q").code == 0
    built = snapshot(site / "public")
    assert built == clean_build(site, tmp_path / "clean")
    assert not any("草稿一篇".encode() in page for page in built.values())
    assert b'href="d.html"' not in built["zwgk/202405/c.html"]
    age(site)
    (site / "content/zhxx/yywl/a1.md").write_text(article("要闻一", "2024-06-11"), "utf-8")
    assert run_cli("build", site, "-q").code == 0
    built = snapshot(site / "public")
    assert built == clean_build(site, tmp_path / "clean")
    assert b'href="../../zhxx/yywl/202406/a1.html"' in built["zwgk/202405/c.html"]


def test_search_state_after_body_edits_in_turn_is_a_clean_builds(make_site, tmp_path):
    """The search documents saved with the plan are older than the entries once a body
    is edited (the plan is saved only when the structure changes). Builds that follow
    bring them up to date with the entries before they update the articles they read:
    the index's saved state, which says what each document holds, stays a clean
    build's."""
    from provarchive.cache import load_state
    from provarchive.cachefiles import CACHE_DIR

    site = make_site(site_files(count=6))
    age(site)
    assert run_cli("build", site, "-q").code == 0
    structure = load_state(site / CACHE_DIR, site / "public").structure
    for number, body in ((1, "第一次改写的正文。"), (3, "第二次改写的正文。"), (1, "再改一次。")):
        path = site / f"content/zhxx/yywl/a{number}.md"
        date = f"2024-0{1 + number}-1{number} 09:00"
        path.write_text(
            article(
                f"要闻{number}",
                date,
                tags=f"[标签{number % 3}]",
                authors=f"[记者{number % 2}]",
                body=f"{body}\n\n![图](img.svg)",
            ),
            "utf-8",
        )
        assert run_cli("build", site, "-q").code == 0
        age(site)
        assert snapshot(site / "public") == clean_build(site, tmp_path / "clean")
        state = load_state(site / CACHE_DIR, site / "public")
        assert state.structure == structure  # the plan, and its documents, were kept
        clean = load_state(site / CACHE_DIR, tmp_path / "clean").search
        assert state.search is not None and state.search == clean


def test_a_new_title_reaches_templates_through_the_page_spec_too(make_site, tmp_path):
    site = make_site(
        {
            **site_files(count=4),
            "templates/redirect.html": "<title>{{ page.title }}</title>\n",
            "content/zwgk/b.md": article("公告", "2023-05-05", aliases="[/old/b.asp]"),
        }
    )
    age(site)
    assert run_cli("build", site, "-q").code == 0
    (site / "content/zwgk/b.md").write_text(
        article("改名的公告", "2023-05-05", aliases="[/old/b.asp]"), "utf-8"
    )
    assert run_cli("build", site, "-q").code == 0
    assert (site / "public/old/b.asp").read_text("utf-8") == "<title>改名的公告</title>\n"
    assert snapshot(site / "public") == clean_build(site, tmp_path / "clean")


def test_the_structure_digest_covers_its_fields():
    import dataclasses
    import datetime as dt

    from provarchive.digest import STRUCTURE_FIELDS, structure_digest, structure_facts
    from provarchive.model import Article

    base = Article(
        id="a/x.md",
        source_path="content/a/x.md",
        column="a",
        title="甲",
        date=dt.datetime(2024, 5, 1, 9, tzinfo=dt.timezone.utc),
        has_time=True,
        slug="x",
        url="a/202405/x.html",
    )
    changed = {
        "id": "a/y.md",
        "column": "b",
        "date": base.date + dt.timedelta(minutes=1),
        "url": "a/y.html",
        "title": "乙",
        "tags": ("丙",),
        "authors": ("丁",),
        "source": "戊",
        "aliases": ("/old.html",),
        "source_path": "content/a/y.md",
        "image": "a/images/x.png",
        "pinned": 1,
        "pinned_home": True,
        "topics": ("zt",),
    }
    assert set(changed) == set(STRUCTURE_FIELDS)
    seen = {structure_digest(b"", [base])}
    facts = {structure_facts(base)}
    for name, value in changed.items():
        seen.add(structure_digest(b"", [dataclasses.replace(base, **{name: value})]))
        facts.add(structure_facts(dataclasses.replace(base, **{name: value})))
    assert len(seen) == len(facts) == len(changed) + 1


def test_the_cache_keeps_the_states_of_the_last_few_output_folders_only(make_site, tmp_path):
    site = make_site(site_files(3))
    age(site)
    outputs = [tmp_path / f"out{n}" for n in range(KEPT_OUTPUTS + 2)]
    for out in outputs:
        assert run_cli("build", site, "-q", "-o", out).code == 0
        time.sleep(0.01)  # distinct modification times, oldest first
    cache = site / ".provarchive-cache"
    kept = {path.name.split(".")[0] for path in cache.glob("state-*")}
    assert kept == {state_file(cache, out).stem for out in outputs[-KEPT_OUTPUTS:]}
    assert run_cli("build", site, "-o", outputs[-1]).out.startswith("nothing changed:")
    rebuilt = run_cli("build", site, "-o", outputs[0])  # forgotten: built again, correctly
    assert rebuilt.code == 0 and "nothing changed" not in rebuilt.out
    assert snapshot(outputs[0]) == clean_build(site, tmp_path / "clean")


def test_a_cold_build_keeps_stored_bodies_and_adds_new_ones(make_site):
    site = make_site(site_files(3))
    assert run_cli("build", site, "-q").code == 0
    store = BodyStore(site / ".provarchive-cache")
    stored = store.get(store.keys())
    (site / "content/zwgk/c.md").write_text(
        article("新文", "2024-06-01", body="新的正文。"), "utf-8"
    )
    assert run_cli("build", site, "-q", "--no-cache").code == 0
    again = store.get(store.keys())
    assert {key: again[key] for key in stored} == stored
    assert len(again) == len(stored) + 1
    assert any("新的正文" in html for html, _ in again.values())
    store.close()


def test_a_cold_build_sweeps_the_bodies_of_articles_the_site_no_longer_has(make_site):
    """A build without cache entries stores every body it reads: the others in the store
    (an article removed, a body no build of this site made) are swept."""
    site = make_site(site_files(4))
    assert run_cli("build", site, "-q").code == 0
    store = BodyStore(site / ".provarchive-cache")
    (site / "content/zhxx/yywl/a2.md").unlink()
    store.put([("orphan:key", "<p>x</p>", "x")])
    assert run_cli("build", site, "-q", "--no-cache").code == 0
    remaining = set(store.keys())
    assert len(remaining) == 4 and "orphan:key" not in remaining
    assert run_cli("build", site, "-q", "--no-cache").code == 0  # nothing else to sweep
    assert set(store.keys()) == remaining
    store.close()


def test_the_store_keeps_exactly_the_bodies_of_the_site_after_edits_removals_and_orphans(
    make_site,
):
    site = make_site(site_files(4))
    assert run_cli("build", site, "-q").code == 0
    store = BodyStore(site / ".provarchive-cache")
    first = set(store.keys())
    assert len(first) == 5  # four articles and b.md
    edited = site / "content/zhxx/yywl/a1.md"
    edited.write_text(edited.read_text("utf-8") + "\n补充一段。\n", "utf-8")
    (site / "content/zhxx/yywl/a2.md").unlink()
    assert run_cli("build", site, "-q").code == 0
    after_edit = set(store.keys())
    assert len(after_edit) == 4  # the edited body replaced, the removed one gone
    assert len(after_edit & first) == 3
    # a body no build of this site made (as a failed build may leave): swept too
    store.put([("orphan:key", "<p>x</p>", "x")])
    edited.write_text(edited.read_text("utf-8") + "\n再补一段。\n", "utf-8")
    assert run_cli("build", site, "-q").code == 0
    remaining = store.keys()
    assert len(remaining) == 4 and "orphan:key" not in remaining
    store.close()


def test_a_new_output_folder_reuses_the_articles_another_output_folder_read(make_site, tmp_path):
    site = make_site(site_files())
    age(site)
    assert run_cli("build", site, "-q").code == 0
    # changed behind the signature's back (same size, same time): a build that trusts
    # the cache does not read the file again, and so shows the old words
    page = site / "content/zwgk/b.md"
    stat = page.stat()
    page.write_text(page.read_text("utf-8").replace("公告", "通知"), "utf-8")
    os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    other = tmp_path / "other"
    result = run_cli("build", site, "-o", other)
    assert result.code == 0, result.err
    assert "公告" in (other / "zwgk/202305/b.html").read_text("utf-8")  # not read again
    assert "removed" not in result.out  # nothing of the other output's pages is assumed
    # the other folder now has a cache of its own, whole: an edit there is incremental
    page.write_text(article("第二版", "2023-05-05", body="新的公告。"), "utf-8")
    assert run_cli("build", site, "-q", "-o", other).code == 0
    assert snapshot(other) == clean_build(site, tmp_path / "clean")
    own = load_state(site / ".provarchive-cache", other)
    assert load_articles(site / ".provarchive-cache", other, own) and len(own.articles) == 7


def test_files_a_rebuild_replaces_in_the_spare_are_set_aside_and_removed_later(make_site, tmp_path):
    site = make_site(site_files())
    public = site / "public"
    assert run_cli("build", site, "-q").code == 0
    templates = site / "templates"
    templates.mkdir(exist_ok=True)
    theme = Path(__import__("provarchive.render").render.theme_dir())
    changed = (theme / "article.html").read_text("utf-8")
    changed = changed.replace('<div class="article-body">', '<div class="article-body" data-v="2">')
    (templates / "article.html").write_text(changed, "utf-8")
    assert run_cli("build", site, "-q").code == 0  # every article page written anew
    page = next(public.glob("zhxx/yywl/*/a3.html"))
    old = page.read_bytes()
    (templates / "article.html").unlink()
    spare_version = (site / ".public.spare" / page.relative_to(public)).stat().st_ino
    assert run_cli("build", site, "-q").code == 0  # starts from the spare, of two builds ago
    assert page.read_bytes() != old and page.stat().st_ino != spare_version
    deadline = time.monotonic() + 60
    while any(site.glob(".public.trash-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(site.glob(".public.trash-*"))  # what was set aside is gone
    edited = site / "content/zhxx/yywl/a1.md"
    edited.write_text(edited.read_text("utf-8") + "\n补充一段。\n", "utf-8")
    assert run_cli("build", site, "-q").code == 0
    assert snapshot(public) == clean_build(site, tmp_path / "clean")


def test_cached_articles_come_back_from_a_shard_file_exactly():
    import datetime as dt
    import zoneinfo

    from provarchive.cache import _decode_shard, _encode_shard
    from provarchive.model import Article
    from provarchive.records import CachedArticle

    zone = zoneinfo.ZoneInfo("Asia/Shanghai")
    full = Article(
        id="a/x.md",
        source_path="content/a/x.md",
        column="a",
        title="甲",
        date=dt.datetime(1988, 9, 11, 1, 30, tzinfo=zone, fold=1),
        has_time=True,
        slug="x",
        url="a/198809/x.html",
        kicker="引题",
        subtitle="副题",
        source="岚山日报",
        authors=("林晓", "周川"),
        editor="编辑",
        tags=("农业",),
        summary="摘要。",
        summary_given=True,
        original_url="http://old.example.gov.cn/a.html",
        aliases=("/old/a.html",),
        draft=True,
        extra={"版次": "第01版", "页": [1, 2.5, None]},
        text_length=12,
        toc=((2, "一", "一"),),
        links=(("b.md", "../b.html"), ("c.md", None)),
        body_line=9,
        content_hash="abc",
    )
    plain = Article(
        id="b.md",
        source_path="content/b.md",
        column="",
        title="乙",
        date=dt.datetime(2024, 5, 1, tzinfo=zone),
        has_time=False,
        slug="b",
        url="202405/b.html",
    )
    fixed = dataclasses.replace(plain, id="c.md", date=plain.date.astimezone(dt.timezone.utc))
    odd = dataclasses.replace(plain, id="d.md", extra={"日": dt.date(2024, 5, 1)})
    for shard in (
        {"a/x.md": CachedArticle.of((1, 2, 3), full), "b.md": CachedArticle.of((4, 5, 6), plain)},
        {"c.md": CachedArticle.of((7, 8, 9), fixed), "d.md": CachedArticle.of((1, 1, 1), odd)},
    ):
        back = _decode_shard(memoryview(_encode_shard(shard)))
        assert back == shard
        for article_id, entry in back.items():
            record = entry.article()
            original = shard[article_id].article()
            assert record == original and record.id == article_id
            assert (record.date.tzinfo, record.date.fold) == (
                original.date.tzinfo,
                original.date.fold,
            )
    assert [CachedArticle.of((1, 1, 1), a).article() for a in (full, plain, fixed, odd)] == [
        full,
        plain,
        fixed,
        odd,
    ]
    # the facts the passes over every article read are the record's
    entry = CachedArticle.of((1, 2, 3), full)
    assert (entry.content_hash, entry.url, entry.draft, entry.topics) == ("abc", full.url, True, ())
    assert entry.has_links and entry.shows_media
    assert not CachedArticle.of((1, 2, 3), plain).shows_media
    # a value marshal does not know: that record is pickled, and comes back all the same
    assert CachedArticle.of((1, 1, 1), full).encoded[:1] == b"m"
    assert CachedArticle.of((1, 1, 1), odd).encoded[:1] == b"p"


def test_the_no_change_shortcut_reports_what_a_clean_build_reports(make_site, tmp_path):
    site = make_site(site_files())
    age(site)
    assert run_cli("build", site, "-q").code == 0
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.md").write_text(article("外部", "2024-03-03"), "utf-8")
    (site / "content/evil").symlink_to(outside, target_is_directory=True)
    before = snapshot(site / "public")
    result = run_cli("build", site)
    clean = run_cli("build", site, "--no-cache", "-o", tmp_path / "clean")
    assert result.code == clean.code == 1
    assert "content/evil: error: this folder is a link" in result.err
    assert result.err == clean.err
    assert snapshot(site / "public") == before


def test_a_build_that_finds_nothing_changed_repeats_the_warnings(make_site):
    files = site_files()
    files["content/bare/b1.md"] = article("无栏目文件", "2024-02-02")
    site = make_site(files)
    age(site)
    first = run_cli("build", site)
    assert first.code == 0 and "content/bare: warning: no _column.yaml" in first.err
    again = run_cli("build", site)
    assert again.out.startswith("nothing changed:")
    assert again.err == first.err


@pytest.mark.parametrize("no_cache", [False, True])
def test_an_empty_content_folder_does_not_replace_a_site(make_site, no_cache):
    site = make_site(site_files(5))
    first = run_cli("build", site)
    assert first.code == 0
    count = len(list((site / "content").rglob("*.md")))
    assert f"built {count} articles" in first.out
    before = snapshot(site / "public")
    for path in (site / "content").rglob("*.md"):
        path.unlink()
    flags = ["--no-cache"] if no_cache else []
    result = run_cli("build", site, *flags)
    assert result.code == 1
    assert f"the current site has {count} articles" in result.err
    assert "--allow-empty" in result.err
    assert snapshot(site / "public") == before
    forced = run_cli("build", site, *flags, "--allow-empty")
    assert forced.code == 0, forced.err
    assert f"{count} articles removed since the last build" in forced.out


def test_a_build_says_how_many_articles_it_dropped(make_site):
    site = make_site(site_files(5))
    assert run_cli("build", site, "-q").code == 0
    (site / "content/zhxx/yywl/a1.md").unlink()
    result = run_cli("build", site)
    assert result.code == 0
    assert "1 article removed since the last build" in result.out
    again = run_cli("build", site)
    assert "removed" not in again.out


def test_an_article_with_errors_is_reported_as_such_not_as_an_empty_site(make_site):
    site = make_site(
        {
            "content/zhxx/_column.yaml": column("综合资讯"),
            "content/zhxx/a.md": article("甲", "2024-01-01"),
        }
    )
    assert run_cli("build", site, "-q").code == 0
    (site / "content/zhxx/a.md").write_text("---\ntitle: 甲\ndate: 明天\n---\n", "utf-8")
    result = run_cli("build", site)
    assert result.code == 1 and "'date' must look like" in result.err
    assert "no article to publish" not in result.err
    kept = run_cli("build", site, "--keep-going")
    assert kept.code == 1 and "no article to publish; the current site has 1 article" in kept.err


def test_bodies_go_to_the_store_as_they_are_read_and_are_not_kept(make_site):
    from provarchive.config import load_config
    from provarchive.reading import BodySink, read_content
    from provarchive.walk import scan_content

    site = make_site(site_files(80))  # enough articles for workers (64 or more)
    config = load_config(site)
    scan = scan_content(site)
    whole = read_content(site, config, scan, drafts=False, jobs=2)
    store = BodyStore(site / ".provarchive-cache")
    streamed = read_content(site, config, scan, drafts=False, jobs=2, sink=BodySink(store, "k"))
    assert streamed.fresh.keys() == whole.fresh.keys()
    assert all(not a.body_html and not a.text for a in streamed.articles.values())
    stored = store.get(f"{a.content_hash}:k" for a in whole.fresh.values())
    assert stored == {f"{a.content_hash}:k": (a.body_html, a.text) for a in whole.fresh.values()}
    store.close()


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_clean_build_leaves_a_spare_for_the_first_edit(make_site, tmp_path, jobs):
    """The spare is linked file by file as the pages are written (in the workers too)."""
    from provarchive.output import read_token

    site = make_site(site_files(80))  # enough pages for workers
    assert run_cli("build", site, "-q", "--no-cache", "-j", jobs).code == 0
    public, spare = site / "public", site / ".public.spare"
    assert read_token(spare) == read_token(public)  # hard links of the new output
    assert inodes(spare) == inodes(public)  # every file, the same file
    assert not list(site.glob(".public.staging*"))  # (old copies go in the background)
    edited = site / "content/zhxx/yywl/a1.md"
    edited.write_text(edited.read_text("utf-8") + "\n补充一段。\n", "utf-8")
    spare_folder = spare.stat().st_ino
    result = run_cli("build", site)
    assert result.code == 0, result.err
    assert public.stat().st_ino == spare_folder  # the edit started from the spare
    # the fingerprints the clean build made where it rendered each page are the ones
    # an edit makes: only the pages showing the edited article are rendered again
    written, unchanged = map(int, re.search(r"(\d+) written, (\d+) unchanged", result.out).groups())
    assert written > 0 and unchanged > 10 * written, result.out
    assert snapshot(public) == clean_build(site, tmp_path / "clean")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_clean_builds_fingerprints_are_kept_each_by_its_page(make_site, tmp_path, jobs):
    """A clean build keeps the fingerprints made where the pages were rendered as two
    lists, the plan's paths and the fingerprints: an edit that changes the plan looks
    up each page's old fingerprint by path, and renders only the pages that changed."""
    site = make_site(site_files(80))
    assert run_cli("build", site, "-q", "--no-cache", "-j", jobs).code == 0
    state = load_state(site / ".provarchive-cache", site / "public")
    assert isinstance(state.pages, dict) and "zhxx/yywl/index.html" in state.pages
    edited = site / "content/zhxx/yywl/a1.md"  # a new tag: a new page, so a new plan
    edited.write_text(edited.read_text("utf-8").replace("[标签1]", "[标签1, 新标签]"), "utf-8")
    result = run_cli("build", site, "-j", jobs)
    assert result.code == 0, result.err
    written, unchanged = map(int, re.search(r"(\d+) written, (\d+) unchanged", result.out).groups())
    assert written > 0 and unchanged > 10 * written, result.out
    assert snapshot(site / "public") == clean_build(site, tmp_path / "clean")


def test_a_build_that_leaves_a_page_out_still_leaves_a_whole_spare(make_site, tmp_path):
    """A page left out (``--keep-going``) is removed from the staging folder; the spare
    made beside it then cannot be used, and one is made of the output instead."""
    files = site_files(80)
    theme = Path(__import__("provarchive.render").render.theme_dir())
    template = (theme / "article.html").read_text("utf-8")
    failing = '{% block title %}{% if article.title == "要闻3" %}{{ article.titel }}{% endif %}'
    files["templates/article.html"] = template.replace("{% block title %}", failing, 1)
    site = make_site(files)
    result = run_cli("build", site, "-q", "--no-cache", "--keep-going")
    assert result.code == 1 and "'titel'" in result.err
    public, spare = site / "public", site / ".public.spare"
    assert not (public / "zhxx/yywl/202404/a3.html").exists()
    assert (public / "zhxx/yywl/202405/a4.html").is_file()
    assert inodes(spare) == inodes(public)
    assert not list(site.glob(".public.staging*"))  # (old copies go in the background)


def inodes(folder: Path) -> dict[str, int]:
    return {
        str(path.relative_to(folder)): path.stat().st_ino
        for path in folder.rglob("*")
        if path.is_file()
    }


def test_a_build_that_rewrites_most_files_leaves_a_spare_of_its_own_output(make_site, tmp_path):
    """The output a build replaces stays as the spare (the next build starts from it)
    unless the build rewrote more than half of the files: then the spare is a copy of
    the new output, so that the edit after a template edit costs what any edit costs."""
    site = make_site(site_files())
    public, spare = site / "public", site / ".public.spare"
    assert run_cli("build", site, "-q").code == 0
    templates = site / "templates"
    templates.mkdir(exist_ok=True)
    theme = Path(__import__("provarchive.render").render.theme_dir())
    base = (theme / "base.html").read_text("utf-8").replace("<body", "<body data-v=2", 1)
    (templates / "base.html").write_text(base, "utf-8")
    assert run_cli("build", site, "-q").code == 0  # every page written anew
    assert inodes(spare) == inodes(public)  # hard links of the new output, all of it
    edited = site / "content/zhxx/yywl/a1.md"
    for mark in ("一", "二"):
        spare_folder = spare.stat().st_ino
        edited.write_text(edited.read_text("utf-8") + f"\n补充第{mark}段。\n", "utf-8")
        assert run_cli("build", site, "-q").code == 0
        assert public.stat().st_ino == spare_folder, mark  # started from the spare
        assert snapshot(public) == clean_build(site, tmp_path / f"clean-{mark}")
        differ = {path for path, inode in inodes(public).items() if inodes(spare)[path] != inode}
        assert differ and len(differ) * 2 < len(inodes(public))  # the replaced output


def test_passes_over_every_cached_article_decode_none_of_them(make_site):
    """An edit's passes over every article (file hashes, topics, media) read the facts a
    cache entry keeps beside its record; only the records a page shows are decoded."""
    from provarchive.records import ArticleMap

    files = site_files(count=4)
    files["topics/kj/_topic.yaml"] = "title: 科技专题\n"
    for n in range(6):
        meta = {"topics": "[kj]"} if n % 3 == 0 else {}
        files[f"content/zwgk/p{n}.md"] = article(f"通知{n}", f"2023-06-1{n}", **meta)
    site = make_site(files)
    assert run_cli("build", site, "-q").code == 0
    cache_dir = site / ".provarchive-cache"
    state = load_state(cache_dir, site / "public")
    assert load_articles(cache_dir, site / "public", state)
    entries = state.articles
    records = {i: entry.article() for i, entry in entries.items()}
    ids = sorted(entries)
    # every record undecodable: a pass that decoded one would fail
    poisoned = {i: dataclasses.replace(e, encoded=b"m\x00") for i, e in entries.items()}
    lazy = ArticleMap(ids, poisoned, {})
    assert lazy.hashes() == {i: records[i].content_hash for i in ids}
    # entries of articles the site no longer has are no ids of the map
    fewer = ArticleMap(ids[1:], poisoned, {})
    assert fewer.hashes() == {i: records[i].content_hash for i in ids[1:]}
    assert fewer.distinct_hashes() == {records[i].content_hash for i in ids[1:]}
    topical = [i for i in ids if records[i].topics]
    showing = [i for i in ids if records[i].image or records[i].links or records[i].attachments]
    assert len(topical) == 2 and 0 < len(showing) < len(ids)
    with pytest.raises(ValueError):  # what a pass that decodes would meet
        lazy.with_topics()
    assert (
        list(ArticleMap(ids, poisoned, {i: records[i] for i in topical}).with_topics()) == topical
    )
    assert list(ArticleMap(ids, poisoned, {i: records[i] for i in showing}).with_media()) == showing
    # an article read anew has its own facts, not those of its out-of-date entry
    edited = dataclasses.replace(records[showing[0]], image=None, links=(), attachments=())
    edited = dataclasses.replace(edited, topics=("kj",), content_hash="new")
    fresh = ArticleMap(ids, entries, {edited.id: edited})
    assert edited.id not in fresh.with_media() and edited.id in fresh.with_topics()
    assert fresh.hashes()[edited.id] == "new" and fresh[edited.id] is edited
    # records decoded when asked for, once, and shared by a map in another order
    whole = ArticleMap(ids, entries, {})
    assert dict(whole) == records and list(whole) == ids
    first = whole[ids[0]]
    again = whole.reordered(reversed(ids))
    assert again[ids[0]] is first and list(again) == ids[::-1]
    with pytest.raises(ValueError):
        whole.reordered(ids[1:])
    with pytest.raises(ValueError):  # as many ids, one of them another
        whole.reordered([*ids[1:], "zhxx/nowhere.md"])
    # ids the caller knows are these (the layout's, by the structure digest): counted only
    assert list(whole.reordered(reversed(ids), known_same=True)) == ids[::-1]
    with pytest.raises(ValueError):
        whole.reordered(ids[1:], known_same=True)
    with pytest.raises(KeyError):
        whole["zhxx/nowhere.md"]
    assert "zhxx/nowhere.md" not in whole and len(whole) == len(ids)
    # ids the entries do not hold: counted over the records read anew, for the map's own
    added = dataclasses.replace(records[ids[0]], id="zwgk/new.md")
    grown = ArticleMap([*ids[2:], added.id], poisoned, {added.id: added, ids[3]: records[ids[3]]})
    assert grown.added_to(poisoned) == 1
    assert grown.added_to(dict(poisoned)) == 1  # not its own entries: a set difference
    assert fewer.added_to(poisoned) == 0
    assert ArticleMap(ids, {}, records).added_to(poisoned) == 0


def test_a_state_loaded_ahead_is_used_only_while_no_build_saved_another(make_site):
    site = make_site(site_files(3))
    assert run_cli("build", site, "-q").code == 0
    cache, output = site / ".provarchive-cache", site / "public"
    ahead = Preloaded.load(cache, output)
    assert ahead.current() is ahead.previous, "nothing saved since"
    assert ahead.previous.loaded and ahead.previous.plan is not None  # articles, graph, plan
    assert run_cli("build", site, "-q", "-o", site / "other").code == 0
    assert ahead.current() is ahead.previous, "a build into another folder leaves it"
    (site / "content/zhxx/yywl/a0.md").write_text(article("改过", "2024-05-01"), "utf-8")
    assert run_cli("build", site, "-q").code == 0
    assert ahead.current() is None, "a build into the same folder saved another state"
    ahead = Preloaded.load(cache, output)
    shutil.rmtree(output)
    assert ahead.current() is None, "the output it describes is gone"
    ahead = Preloaded.load(cache, site / "never-built")
    assert ahead.current() is ahead.previous and not ahead.previous.state.pages
