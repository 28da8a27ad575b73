#!/usr/bin/env python3
"""Real-trees harness: build public docs trees with kbfresh and report how faithfully it did.

For each tree of trees.txt (owner/name subdir tool [content]) this runs, from a cold start
(no .kbfresh-cache, no output folder):

  kbfresh build --root ROOT --content CONTENT --output OUT/site/ID
  kbfresh check --root ROOT --content CONTENT --offline --format json --output OUT/check/ID.json

and reports: both exit codes, articles built, cold build seconds and peak memory, warnings and
errors by kind (the message with its location and the parts in backticks taken out), broken
internal links by kind (from the check report), foreign syntax left in visible text (the article
body outside <pre>/<code>), and code fidelity: every fenced code block of every source page
(after the source tool's own include expansion, hidden-line rule and escapes) compared, in order,
with the <pre> blocks of the page kbfresh wrote.

Standard library only (Python 3.11). Usage: see run.sh, or `harness.py --help`.
"""

from __future__ import annotations

import argparse
import difflib
import html
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
import urllib.parse
from collections import Counter, defaultdict
from pathlib import Path

TOOLS = ("mdbook", "mkdocs", "docusaurus", "vitepress", "starlight", "hugo", "zola")
DEFAULT_CONTENT = {
    "mdbook": "src",
    "mkdocs": "docs",
    "docusaurus": "docs",
    "vitepress": ".",
    "starlight": "src/content/docs",
    "hugo": "content",
    "zola": "content",
}
MD_EXT = (".md", ".markdown", ".mdx")


# --------------------------------------------------------------------------------------------
# trees.txt


def read_trees(path: Path):
    trees = []
    for n, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) < 3 or parts[2] not in TOOLS:
            sys.exit(f"{path}:{n}: expected `owner/name subdir tool [content]`, got {raw!r}")
        repo, subdir, tool = parts[:3]
        content = parts[3] if len(parts) > 3 and parts[3] != "-" else None
        trees.append({"repo": repo, "subdir": subdir, "tool": tool, "content": content})
    return trees


def find_clone(trees_dir: Path, repo: str) -> Path | None:
    owner, name = repo.split("/", 1)
    for cand in (trees_dir / f"{owner}+{name}", trees_dir / owner / name, trees_dir / name):
        if cand.is_dir():
            return cand
    return None


def tree_id(t) -> str:
    owner, name = t["repo"].split("/", 1)
    sub = "" if t["subdir"] in (".", "") else "-" + t["subdir"].strip("/").replace("/", "-")
    return f"{owner}+{name}{sub}"


def content_dir(root: Path, tool: str, given: str | None) -> Path:
    if given:
        return (root / given).resolve()
    if tool == "mdbook":
        try:
            cfg = tomllib.loads((root / "book.toml").read_text())
            return (root / cfg.get("book", {}).get("src", "src")).resolve()
        except Exception:
            pass
    if tool == "mkdocs":
        m = re.search(r"(?m)^docs_dir:\s*['\"]?([^'\"\n#]+)", read(root / "mkdocs.yml"))
        if m:
            return (root / m.group(1).strip()).resolve()
    return (root / DEFAULT_CONTENT[tool]).resolve()


def read(p: Path) -> str:
    try:
        return p.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


# --------------------------------------------------------------------------------------------
# running kbfresh


TIMEOUT = 1200


def run_timed(cmd, cwd):
    """Run cmd under /usr/bin/time when there is one: (rc, stdout, stderr, seconds, max_rss_kib)."""
    tfile = None
    full = list(cmd)
    if shutil.which("time") or os.path.exists("/usr/bin/time"):
        tfile = Path(os.environ.get("TMPDIR", "/tmp")) / f"kbfresh-rt-time-{os.getpid()}"
        full = ["/usr/bin/time", "-f", "%e %M", "-o", str(tfile)] + full
    t0 = time.monotonic()
    # its own process group, so that a timeout stops kbfresh too, not only /usr/bin/time
    proc = subprocess.Popen(full, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace", start_new_session=True)
    try:
        so, se = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        so, se = proc.communicate()
        return 124, so, se + f"\nerror: timed out after {TIMEOUT} s (harness)\n", time.monotonic() - t0, None
    p = subprocess.CompletedProcess(full, proc.returncode, so, se)
    wall = time.monotonic() - t0
    secs, rss = wall, None
    if tfile and tfile.exists():
        last = tfile.read_text().strip().splitlines()
        tfile.unlink()
        if last:
            try:
                s, m = last[-1].split()
                secs, rss = float(s), int(m)
            except ValueError:
                pass
    return p.returncode, p.stdout, p.stderr, secs, rss


# --------------------------------------------------------------------------------------------
# warnings by kind

LOC = re.compile(r"^(?P<sev>warning|error): (?:(?P<file>[^\s:][^:]*?):(?:(?P<line>\d+):(?:(?P<col>\d+):)?)? )?(?P<msg>.*)$")


def normalise(msg: str) -> str:
    m = re.sub(r"`[^`]*`", "`…`", msg)
    m = re.sub(r"\"[^\"]*\"", "\"…\"", m)
    m = re.sub(r"(?<![\w`])(/[\w.+-]+)+/?", "PATH", m)
    m = re.sub(r"\b[\w./+-]+\.(md|mdx|markdown|toml|yml|yaml|json|rs|js|ts|html)\b", "FILE", m)
    m = re.sub(r"\d+", "N", m)
    return m[:110]


def diagnostics(stderr: str):
    """[(severity, file, line, message, help)] from kbfresh's stderr."""
    out = []
    for line in stderr.splitlines():
        if line.startswith("  help:") and out:
            out[-1][4] = line.strip()[len("help:"):].strip()
            continue
        m = LOC.match(line)
        if not m:
            continue
        f = m.group("file")
        msg = m.group("msg")
        if f and " " in f:  # "error: the content folder `content` does not exist" has no location
            f, msg = None, line.split(": ", 1)[1]
        out.append([m.group("sev"), f, int(m.group("line")) if m.group("line") else None, msg, None])
    return out


# --------------------------------------------------------------------------------------------
# source: includes, fences


MDBOOK_LINK = re.compile(r"\\\{\{#.*?\}\}|\{\{\s*#([a-zA-Z0-9_]+)\s+([^}]+)\}\}")
ANCHOR_LINE = re.compile(r"ANCHOR(?:_END)?:\s*[\w_-]+")


def mdbook_select(text: str, sel: str | None, every_region: bool = False) -> str:
    """mdBook's line selection; `every_region`: rustdoc_include, which shows every region of an
    anchor (the rest is hidden), where include takes the first region only."""
    lines = text.split("\n")
    if text.endswith("\n"):
        lines = lines[:-1]
    if sel is None or sel == "":
        keep = lines
    else:
        parts = sel.split(":")
        if parts[0] == "" or parts[0].isdigit():
            try:
                a = int(parts[0]) if parts[0] else 1
                if len(parts) == 1:
                    b = a
                elif parts[1] == "":
                    b = len(lines)
                else:
                    b = int(parts[1])
                keep = lines[a - 1 : b]
            except ValueError:
                keep = lines
        else:
            name = sel
            keep, inside = [], False
            for ln in lines:
                m = re.search(r"ANCHOR(_END)?:\s*([\w_-]+)", ln)
                if m and m.group(2) == name:
                    if m.group(1):
                        if not every_region:
                            break
                        inside = False
                        continue
                    inside = True
                    continue
                if inside:
                    keep.append(ln)
    keep = [ln for ln in keep if not ANCHOR_LINE.search(ln)]
    return "\n".join(keep)


def expand_mdbook(text: str, base: Path, depth=0) -> str:
    def repl(m):
        whole = m.group(0)
        if whole.startswith("\\"):
            return whole[1:]
        kind, args = m.group(1), m.group(2).strip()
        if kind not in ("include", "rustdoc_include", "playground"):
            return whole
        target = args.split()[0] if args.split() else ""
        path, _, sel = target.partition(":")
        p = (base / path)
        if not p.is_file():
            return whole
        body = mdbook_select(read(p), sel if sel else None, every_region=(kind == "rustdoc_include"))
        if depth < 10:
            body = expand_mdbook(body, p.parent, depth + 1)
        if kind == "playground":
            body = "```rust\n" + body + "\n```"
        return body

    return MDBOOK_LINK.sub(repl, text)


SNIP_LINE = re.compile(r"^(?P<ind>[ \t]*)(?P<esc>;?)--8<--(?:[ \t]+(?P<q>['\"])(?P<path>[^'\"]*)(?P=q))?[ \t]*$")
SNIP_SECTION = re.compile(r"--8<--\s*\[(?:start|end):[\w_-]+\]")


def snippet_file(spec: str, bases):
    path, sel = spec, None
    m = re.match(r"^(.*?)((?::-?\d*(?::-?\d*)?(?:,-?\d*(?::-?\d*)?)*)|(?::[A-Za-z_][\w_-]*))$", spec)
    if m and m.group(2):
        path, sel = m.group(1), m.group(2)[1:]
    for b in bases:
        p = b / path
        if p.is_file():
            return p, sel
    return None, sel


def snippet_select(text: str, sel: str | None) -> list[str]:
    lines = text.split("\n")
    if text.endswith("\n"):
        lines = lines[:-1]
    if sel:
        if re.match(r"^[A-Za-z_]", sel):
            out, inside = [], False
            for ln in lines:
                m = re.search(r"--8<--\s*\[(start|end):([\w_-]+)\]", ln)
                if m and m.group(2) == sel:
                    if m.group(1) == "end":
                        break
                    inside = True
                    continue
                if inside:
                    out.append(ln)
            lines = out
        else:
            out = []
            for rng in sel.split(","):
                a, _, b = rng.partition(":")
                a = int(a) if a.strip("-") else 1
                b = int(b) if b.strip("-") else len(lines)
                out.extend(lines[max(a, 1) - 1 : b])
            lines = out
    return [ln for ln in lines if not SNIP_SECTION.search(ln)]


def expand_snippets(text: str, bases, depth=0) -> str:
    out, block = [], None
    for line in text.split("\n"):
        m = SNIP_LINE.match(line)
        if block is not None:
            if m and not m.group("path") and not m.group("esc"):
                for spec in block[1]:
                    out.extend(_snip(spec, block[0], bases, depth))
                block = None
            elif line.strip():
                block[1].append(line.strip())
            continue
        if not m:
            out.append(line)
            continue
        if m.group("esc"):
            out.append(line.replace(";--8<--", "--8<--", 1))
        elif m.group("path") is None:
            block = (m.group("ind"), [])
        else:
            out.extend(_snip(m.group("path"), m.group("ind"), bases, depth))
    return "\n".join(out)


def _snip(spec, ind, bases, depth):
    p, sel = snippet_file(spec, bases)
    if not p:
        return []
    lines = snippet_select(read(p), sel)
    if depth < 5:
        lines = expand_snippets("\n".join(lines), bases, depth + 1).split("\n")
    return [ind + ln if ln else ln for ln in lines]


FENCE_OPEN = re.compile(r"^(?P<q>(?:[ ]{0,3}>[ ]?)*)(?P<ind>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")


def strip_front_matter(lines):
    if lines and lines[0].strip() in ("---", "+++"):
        d = lines[0].strip()
        for i in range(1, min(len(lines), 2000)):
            if lines[i].strip() == d:
                return i + 1
    return 0


def fences(text: str):
    """Fenced code blocks: [{line, info, lang, text, in_jsx}] (line 1-based, in the expanded text)."""
    lines = text.replace("\r\n", "\n").split("\n")
    i = strip_front_matter(lines)
    blocks, jsx_depth, in_comment = [], 0, False
    while i < len(lines):
        line = lines[i]
        if in_comment:
            if "-->" in line:
                in_comment = False
            i += 1
            continue
        m = FENCE_OPEN.match(line)
        if m and not (m.group("fence")[0] == "`" and "`" in m.group("info")):
            q, ind = m.group("q"), len(m.group("ind").expandtabs(4))
            fch, flen = m.group("fence")[0], len(m.group("fence"))
            close = re.compile(r"^[ \t]*" + re.escape(fch) + "{" + str(flen) + r",}[ \t]*$")
            body, j = [], i + 1
            while j < len(lines):
                ln = lines[j]
                if q:
                    ln = re.sub(r"^(?:[ ]{0,3}>[ ]?){1,%d}" % q.count(">"), "", ln)
                if close.match(ln):
                    break
                # strip the container's indent, as CommonMark does (at most the fence's indent)
                k = 0
                while k < len(ln) and k < ind and ln[k] in " \t":
                    k += 1
                body.append(ln[k:])
                j += 1
            info = m.group("info").strip()
            lang = re.split(r"[\s,{]", info.lstrip("{."), maxsplit=1)[0].lower() if info else ""
            blocks.append({"line": i + 1, "info": info, "lang": lang, "text": "\n".join(body), "in_jsx": jsx_depth > 0})
            i = j + 1
            continue
        s = line.strip()
        if s.startswith("<!--") and "-->" not in s:
            in_comment = True
        # MDX: track capitalised component tags around a fence (their code is ambiguous to extract)
        for t in re.finditer(r"<(/?)([A-Z][\w.]*)\b[^>]*?(/?)>", line):
            if t.group(3):
                continue
            jsx_depth += -1 if t.group(1) else 1
        jsx_depth = max(jsx_depth, 0)
        i += 1
    return blocks


def hugo_shortcode_code(text: str):
    """Hugo `highlight` and `code-toggle` shortcode bodies: code the author wrote outside fences."""
    out = []
    for m in re.finditer(r"\{\{[<%]\s*(highlight|code-toggle|code)\b([^}]*?)(?<!/)\s*[>%]\}\}\n(.*?)\n?\{\{[<%]\s*/\s*\1\s*[>%]\}\}", text, re.S):
        line = text.count("\n", 0, m.start()) + 1
        out.append({"line": line, "info": m.group(1) + m.group(2), "lang": m.group(1), "text": m.group(3), "in_jsx": False, "shortcode": m.group(1)})
    return out


def expected_variants(block, tool):
    """The texts the source tool would show for a block (any one of them is a match)."""
    t = block["text"]
    if tool == "hugo":
        t = t.replace("{{</*", "{{<").replace("*/>}}", ">}}").replace("{{%/*", "{{%").replace("*/%}}", "%}}")
    if tool == "zola":
        t = t.replace("{{/*", "{{").replace("*/}}", "}}").replace("{%/*", "{%").replace("*/%}", "%}")
    if tool == "mkdocs":
        # Material's code annotations with `!` strip the comment that holds the marker
        t = re.sub(r"[ \t]*(?:#|//|--|;|%|/\*|<!--)[ \t]*\(\d+\)![ \t]*(?:\*/|-->)?[ \t]*$", "", t, flags=re.M)
    if tool == "vitepress":
        # Shiki notation comments (`// [!code ++]`, `# [!code focus]`) never reach readers
        t = re.sub(r"[ \t]*(?:#|//|--|/\*|<!--)[ \t]*\[!code [^\]]+\][ \t]*(?:\*/|-->)?[ \t]*$", "", t, flags=re.M)
        t = t.replace("[!!code", "[!code")
    variants = [t]
    if tool == "mdbook" and (block["lang"] == "rust" or block["lang"].startswith("rust")):
        shown, hidden_removed = [], []
        for ln in t.split("\n"):
            s = ln.lstrip()
            pre = ln[: len(ln) - len(s)]
            if s == "#" or s.startswith("# "):
                shown.append(pre + s[2:])
                continue
            if s.startswith("##"):
                ln = pre + s[1:]
            shown.append(ln)
            hidden_removed.append(ln)
        variants = ["\n".join(hidden_removed), "\n".join(shown)]
    return [norm_code(v) for v in variants]


def norm_code(t: str) -> str:
    lines = [ln.rstrip() for ln in t.replace("\r\n", "\n").replace("\t", "    ").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# output HTML


def article_body(page: str) -> str:
    m = re.search(r'<div class="article-body\b[^"]*">', page)
    if m:
        j = page.find('<footer class="article-footer">', m.start())
        body = page[m.start() : j if j > 0 else len(page)]
        # the table of contents repeats the headings' text
        return re.sub(r'<aside class="toc\b.*?</aside>', " ", body, flags=re.S)
    i = page.find("<main")
    if i >= 0:
        j = page.find("</main>", i)
        return page[i : j if j > 0 else len(page)]
    return page


TAG = re.compile(r"<[^>]+>")
PRE = re.compile(r"<pre\b[^>]*>(.*?)</pre>", re.S | re.I)


def output_code_blocks(body: str):
    out = []
    for m in PRE.finditer(body):
        inner = m.group(1)
        inner = re.sub(r"<br\s*/?>", "\n", inner)
        out.append(norm_code(html.unescape(TAG.sub("", inner))))
    return out


BLOCK_TAGS = re.compile(r"</?(p|div|li|ul|ol|h[1-6]|tr|td|th|table|blockquote|dd|dt|dl|section|details|summary|br|hr)\b[^>]*>", re.I)


def visible_text(body: str) -> str:
    b = re.sub(r"<(script|style|pre|code|kbd|samp|template)\b.*?</\1>", " ", body, flags=re.S | re.I)
    b = re.sub(r"<!--.*?-->", " ", b, flags=re.S)
    b = BLOCK_TAGS.sub("\n", b)
    b = TAG.sub("", b)
    return html.unescape(b)


FOREIGN = [
    ("{{#", re.compile(r"\{\{#")),
    ("{{< / {{%", re.compile(r"\{\{[<%]")),
    ("{% (Zola/Jinja)", re.compile(r"\{%")),
    ("{{ x() (Zola)", re.compile(r"\{\{\s*[a-z_]\w*\(")),
    ("--8<--", re.compile(r"--8<--")),
    (":::", re.compile(r":::")),
    ("!!! / ??? admonition", re.compile(r"(?m)^\s*(?:!!!|\?\?\?\+?)\s+\w")),
    ('=== "tab"', re.compile(r'(?m)^\s*===[+!]?\s+"')),
    ("<Component", re.compile(r"</?[A-Z][A-Za-z0-9]*(?:\.[A-Z]\w*)?(?:[\s/>]|$)")),
    ("import X from", re.compile(r"(?m)^\s*import\s+(?:[\w*{][^\n]*?\s+from\s+)?['\"][^'\"\n]+['\"]")),
    ("export ", re.compile(r"(?m)^\s*export\s+(?:default|const|let|var|function|async|class|\{)")),
    ("{: attr list", re.compile(r"\{:\s*[#.\w]")),
    ("{ #id } attr list", re.compile(r"\{\s*[#.][\w-]+(?:\s+[#.\w][^}\n]*)?\s*\}")),
    ("ANCHOR", re.compile(r"<!--\s*ANCHOR|\bANCHOR(?:_END)?:")),
    ("<<< @ (VitePress import)", re.compile(r"(?m)^\s*<<<\s+[@./]")),
]


def foreign_syntax(text: str):
    hits = []
    for name, rx in FOREIGN:
        for m in rx.finditer(text):
            a, b = max(0, m.start() - 40), min(len(text), m.end() + 60)
            hits.append((name, " ".join(text[a:b].split())))
    return hits


def page_file(out_dir: Path, url: str) -> Path | None:
    u = urllib.parse.unquote(url.split("#", 1)[0].split("?", 1)[0]).lstrip("/")
    cands = [out_dir / u / "index.html", out_dir / u] if not u.endswith(".html") else [out_dir / u]
    if u == "":
        cands = [out_dir / "index.html"]
    for c in cands:
        if c.is_file():
            return c
    return None


# --------------------------------------------------------------------------------------------
# one tree


def guess_articles(root: Path, content: Path, site: Path):
    arts = []
    for dirpath, dirs, files in os.walk(content):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")) and d not in ("node_modules", "public", "dist"))
        for f in sorted(files):
            if not f.lower().endswith(MD_EXT) or f.startswith((".", "_")) and f != "_index.md":
                continue
            rel = Path(dirpath, f).relative_to(content)
            stem = rel.with_suffix("")
            parts = list(stem.parts)
            if parts[-1].lower() in ("index", "_index", "readme"):
                parts = parts[:-1]
            url = "/" + "/".join(re.sub(r"\s+", "-", x.lower()) for x in parts) + ("/" if parts else "")
            if page_file(site, url):
                arts.append({"path": os.path.relpath(Path(dirpath, f), root), "url": url})
    return arts


def short_diff(exp: str, got: str | None, n=14):
    if got is None:
        return ["(no <pre> block left to compare with)"] + ["- " + l for l in exp.split("\n")[:6]]
    d = list(difflib.unified_diff(exp.split("\n"), got.split("\n"), "source", "output", n=1, lineterm=""))[2:]
    return d[:n]


def fidelity(tree, root: Path, content: Path, out_dir: Path, articles, tool: str, max_diffs: int):
    res = Counter()
    diffs = []
    kinds = Counter()
    per_page = Counter()
    bases_snip = [root, content]
    for art in articles:
        src = (root / art["path"]).resolve()
        if not src.is_file() or src.suffix.lower() not in MD_EXT:
            continue
        pf = page_file(out_dir, art.get("url") or "")
        if not pf:
            res["pages_without_output"] += 1
            continue
        text = read(src)
        raw_lines = [b["line"] for b in fences(text)]
        if tool == "mdbook":
            text = expand_mdbook(text, src.parent)
        if tool == "mkdocs":
            text = expand_snippets(text, bases_snip + [src.parent])
        blocks = fences(text)
        if len(raw_lines) == len(blocks):  # line numbers of the file itself, not of the expanded text
            for b, ln in zip(blocks, raw_lines):
                b["line"] = ln
        if tool == "hugo":
            blocks += hugo_shortcode_code(text)
            blocks.sort(key=lambda b: b["line"])
        if not blocks:
            continue
        res["pages_checked"] += 1
        outs = output_code_blocks(article_body(read(pf)))
        p = 0
        for b in blocks:
            exp = expected_variants(b, tool)
            if not exp[0] and not any(exp):
                res["empty"] += 1
                continue
            found = None
            for j in range(p, len(outs)):
                if outs[j] in exp:
                    found = j
                    break
            if found is not None:
                res["ok"] += 1
                p = found + 1
                continue
            raw = norm_code(b["text"])
            if tool == "mdbook" and raw not in exp and raw in outs[p:]:
                res["violations"] += 1
                kind = "mdBook hidden lines shown with their `# `"
                kinds[kind] += 1
                per_page[art["path"]] += 1
                got = outs[outs.index(raw, p)]
                p = outs.index(raw, p) + 1
                if len(diffs) < max_diffs:
                    diffs.append({"path": art["path"], "line": b["line"], "info": b["info"], "kind": kind, "diff": short_diff(exp[0], got)})
                continue
            # no exact match: the closest block in the next few is what it became
            best, bj = 0.0, None
            for j in range(p, min(len(outs), p + 8)):
                r = difflib.SequenceMatcher(None, exp[0], outs[j], autojunk=False).ratio()
                if r > best:
                    best, bj = r, j
            got = outs[bj] if bj is not None and best >= 0.5 else None
            # p stays: advancing past a near match would make the blocks after it look missing
            ambiguous = src.suffix.lower() == ".mdx" and b["in_jsx"]
            if ambiguous:
                res["unchecked"] += 1
                continue
            if b.get("shortcode"):
                res["shortcode_violations"] += 1
                kind = f"hugo {b['shortcode']} shortcode not shown as the code written"
            else:
                res["violations"] += 1
                kind = classify(exp[0], got)
            kinds[kind] += 1
            per_page[art["path"]] += 1
            if len(diffs) < max_diffs:
                diffs.append({"path": art["path"], "line": b["line"], "info": b["info"], "kind": kind, "diff": short_diff(exp[0], got)})
    res = dict(res)
    res["kinds"] = dict(kinds.most_common())
    res["pages_with_violations"] = len(per_page)
    res["worst_pages"] = per_page.most_common(5)
    return res, diffs


def classify(exp: str, got: str | None) -> str:
    if got is None:
        return "block missing from the output"
    e, g = exp.split("\n"), got.split("\n")
    if any(("{{#" in l) for l in e) and not any("{{#" in l for l in g):
        return "{{#…}} text removed from code"
    if any(l.strip() in ("{{#include", "{{#rustdoc_include") for l in g) or any("{{#include" in l or "{{#rustdoc_include" in l for l in g):
        return "include directive left unexpanded in code"
    if any(l.lstrip().startswith("# ") for l in g) and not any(l.lstrip().startswith("# ") for l in e):
        return "mdBook hidden lines shown with their `# `"
    sm = difflib.SequenceMatcher(None, e, g, autojunk=False)
    ins = sum(j2 - j1 for op, i1, i2, j1, j2 in sm.get_opcodes() if op in ("insert", "replace"))
    dele = sum(i2 - i1 for op, i1, i2, j1, j2 in sm.get_opcodes() if op in ("delete", "replace"))
    if dele and not ins:
        return "source lines dropped"
    if ins and not dele:
        return "lines added"
    if any(c in got for c in "“”‘’–…") and not any(c in exp for c in "“”‘’–…"):
        return "typography applied to code"
    if "[!code" in got and "[!code" not in exp:
        return "VitePress `[!code …]` notation kept in the code"
    if "[!!code" in got:
        return "VitePress `[!!code` escape shown as written"
    if any(re.search(r"[{<%]/\*|\*/[}>%]", l) for l in g):
        return "shortcode escape shown in code"
    return "lines changed"


def run_tree(t, trees_dir: Path, out: Path, kbfresh: str, max_diffs: int, log):
    tid = tree_id(t)
    rec = {"id": tid, "repo": t["repo"], "subdir": t["subdir"], "tool": t["tool"]}
    clone = find_clone(trees_dir, t["repo"])
    if not clone:
        rec["skipped"] = f"no clone of {t['repo']} in {trees_dir}"
        return rec
    root = (clone / t["subdir"]).resolve()
    content = content_dir(root, t["tool"], t["content"])
    rec["commit"] = subprocess.run(["git", "-C", str(clone), "log", "-1", "--format=%h %cs"], capture_output=True, text=True).stdout.strip()
    rec["root"], rec["content"] = str(root), os.path.relpath(content, root)
    site = out / "site" / tid
    shutil.rmtree(site, ignore_errors=True)
    shutil.rmtree(root / ".kbfresh-cache", ignore_errors=True)
    common = ["--root", str(root), "--content", str(content)]
    log(f"[{tid}] build ({t['tool']}, content {rec['content']})")
    rc, so, se, secs, rss = run_timed([kbfresh, "build", *common, "--output", str(site)], cwd=root)
    (out / "logs").mkdir(parents=True, exist_ok=True)
    (out / "logs" / f"{tid}.build.txt").write_text(so + se)
    rec.update(build_exit=rc, build_seconds=round(secs, 2), build_max_rss_mib=round(rss / 1024) if rss else None)
    m = re.search(r"Built (\d+) pages \((\d+) articles", so + se)
    rec["pages"] = int(m.group(1)) if m else None
    rec["articles"] = int(m.group(2)) if m else None
    rec["summary_line"] = next((l for l in (so + se).splitlines() if l.startswith("Built ")), None)
    diags = diagnostics(se)
    rec["warnings"] = dict(Counter(normalise(d[3]) for d in diags if d[0] == "warning").most_common())
    rec["warning_count"] = sum(rec["warnings"].values())
    rec["errors"] = [{"file": d[1], "line": d[2], "message": d[3], "help": d[4]} for d in diags if d[0] == "error"]
    rec["error_kinds"] = dict(Counter(normalise(d[3]) for d in diags if d[0] == "error").most_common())
    ex = defaultdict(list)
    for d in diags:
        k = normalise(d[3])
        if len(ex[k]) < 2:
            loc = ":".join(str(x) for x in (d[1], d[2]) if x)
            ex[k].append(f"{loc}: {d[3]}" if loc else d[3])
    rec["diagnostic_examples"] = dict(ex)
    if (root / "public").exists() and site != root / "public" and not (root / "public").is_dir():
        pass

    if rc == 124:
        rec["check_exit"] = None
        rec["timed_out"] = True
        return rec
    (out / "check").mkdir(parents=True, exist_ok=True)
    cj = out / "check" / f"{tid}.json"
    cj.unlink(missing_ok=True)
    log(f"[{tid}] check")
    crc, cso, cse, csecs, _ = run_timed([kbfresh, "check", *common, "--offline", "--format", "json", "--output", str(cj)], cwd=root)
    (out / "logs" / f"{tid}.check.txt").write_text(cso + cse)
    rec.update(check_exit=crc, check_seconds=round(csecs, 2))
    report = None
    if cj.exists():
        try:
            report = json.loads(cj.read_text())
        except json.JSONDecodeError:
            report = None
    if report:
        rec["check_failures"] = report.get("failures", [])
        rec["check_summary"] = report.get("summary", {})
        broken = [l for l in report.get("links", []) if l.get("status") == "broken"]
        rec["broken_links"] = dict(Counter(l.get("kind") for l in broken).most_common())
        rec["broken_link_messages"] = dict(Counter(l.get("kind") + ": " + normalise(l.get("message", "")) for l in broken).most_common(8))
        rec["broken_link_examples"] = [f"{l['path']}:{l['line']}:{l['column']}: {l['message']}" for l in broken[:5]]
        articles = report.get("articles", [])
    else:
        rec["check_errors"] = [{"file": d[1], "line": d[2], "message": d[3]} for d in diagnostics(cse) if d[0] == "error"][:10]
        articles = []

    if rc == 0 and not articles:
        # no check report (check failed where build did not): map sources to pages by their names
        articles = guess_articles(root, content, site)
        rec["page_mapping"] = f"guessed from file names ({len(articles)} pages found), check gave no report"
    # foreign syntax and code fidelity need the built site
    if rc == 0 and articles:
        hits, pages_with = Counter(), Counter()
        examples = defaultdict(list)
        for art in articles:
            pf = page_file(site, art.get("url") or "")
            if not pf:
                continue
            seen = set()
            for name, ctx in foreign_syntax(visible_text(article_body(read(pf)))):
                hits[name] += 1
                if name not in seen:
                    pages_with[name] += 1
                    seen.add(name)
                if len(examples[name]) < 3:
                    examples[name].append(f"{art['path']}: …{ctx}…")
        rec["foreign"] = dict(hits.most_common())
        rec["foreign_pages"] = dict(pages_with)
        rec["foreign_examples"] = dict(examples)
        fid, diffs = fidelity(t, root, content, site, articles, t["tool"], max_diffs)
        rec["fidelity"] = fid
        rec["fidelity_diffs"] = diffs
    return rec


# --------------------------------------------------------------------------------------------
# reports


def fmt_kinds(d: dict, n=3, width=60) -> str:
    if not d:
        return "0"
    items = [f"{v}× {k[:width]}" for k, v in list(d.items())[:n]]
    more = len(d) - n
    return "<br>".join(items) + (f"<br>(+{more} more kinds)" if more > 0 else "")


def md_escape(s: str) -> str:
    return s.replace("|", "\\|").replace("\n", " ")


def table(records) -> str:
    head = ("| tree | tool | articles | build | check | cold s | warnings (by kind) | foreign syntax in text | "
            "code blocks ok / differ / unchecked | broken internal links |\n|" + " --- |" * 10 + "\n")
    rows = []
    for r in records:
        if r.get("skipped"):
            rows.append(f"| {r['repo']} | {r['tool']} | skipped: {r['skipped']} |||||||||")
            continue
        name = r["repo"] + ("" if r["subdir"] == "." else f" ({r['subdir']})")
        fid = r.get("fidelity")
        if fid:
            diff = fid.get("violations", 0)
            sc = fid.get("shortcode_violations", 0)
            fidc = f"{fid.get('ok', 0)} / **{diff}**" if diff else f"{fid.get('ok', 0)} / 0"
            fidc += f" / {fid.get('unchecked', 0)}"
            if sc:
                fidc += f" (+{sc} shortcode)"
        else:
            fidc = "–"
        if r["build_exit"] != 0:
            warns = f"{len(r.get('errors', []))} errors: " + fmt_kinds(r.get("error_kinds", {}), 2)
        else:
            warns = f"{r.get('warning_count', 0)}: " + fmt_kinds(r.get("warnings", {}), 3) if r.get("warning_count") else "0"
        foreign = ", ".join(f"`{k}` {v}" for k, v in r.get("foreign", {}).items()) if r.get("foreign") else ("0" if r["build_exit"] == 0 else "–")
        links = ", ".join(f"{k} {v}" for k, v in r.get("broken_links", {}).items() if k != "external") or ("0" if "broken_links" in r else "–")
        check = "–" if r.get("check_exit") is None else str(r["check_exit"])
        fails = [f for f in r.get("check_failures", []) if "stale" not in f and "expiring" not in f and "unknown" not in f]
        if r.get("check_exit") == 1 and not fails:
            check += " (stale only)"
        rows.append("| " + " | ".join(md_escape(c) for c in [
            name, r["tool"], str(r.get("articles") if r.get("articles") is not None else "–"),
            f"**{r['build_exit']}**" if r["build_exit"] else "0", check,
            str(r.get("build_seconds")), warns.replace("`…`", "X"), foreign, fidc, links]) + " |")
    return head + "\n".join(rows) + "\n"


def details(records) -> str:
    out = []
    for r in records:
        if r.get("skipped"):
            continue
        out.append(f"### {r['repo']} ({r['subdir']}, {r['tool']}) at {r.get('commit')}\n")
        out.append(f"- build exit {r['build_exit']} in {r['build_seconds']} s ({r.get('build_max_rss_mib')} MiB); check exit {r.get('check_exit')}"
                   + (f" ({'; '.join(r.get('check_failures', []))})" if r.get("check_failures") else ""))
        if r.get("summary_line"):
            out.append(f"- `{r['summary_line']}`")
        for e in r.get("errors", [])[:6]:
            out.append(f"- error: `{e['file']}:{e['line']}`: {md_escape(e['message'])}")
        for k, v in list(r.get("warnings", {}).items())[:8]:
            exs = r["diagnostic_examples"].get(k, [])
            out.append(f"- {v}× warning `{md_escape(k)}`" + (f", e.g. `{md_escape(exs[0][:220])}`" if exs else ""))
        for k, v in r.get("foreign_examples", {}).items():
            out.append(f"- foreign `{k}`: {r['foreign'][k]} in {r['foreign_pages'][k]} pages, e.g. `{md_escape(v[0][:200])}`")
        fid = r.get("fidelity") or {}
        if fid.get("kinds"):
            out.append("- code fidelity: " + ", ".join(f"{v}× {k}" for k, v in fid["kinds"].items()))
        for d in r.get("fidelity_diffs", [])[:3]:
            out.append(f"  - `{d['path']}` block at line {d['line']} (```{md_escape(d['info'])}): {d['kind']}\n\n    ```diff\n" +
                       "\n".join("    " + l for l in d["diff"]) + "\n    ```\n")
        for e in r.get("broken_link_examples", [])[:3]:
            out.append(f"- broken link: `{md_escape(e[:200])}`")
        out.append("")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("trees_dir", type=Path, help="folder holding the clones (owner+name)")
    ap.add_argument("out_dir", type=Path, help="where sites, logs, results.json and table.md go")
    ap.add_argument("--trees", type=Path, default=Path(__file__).with_name("trees.txt"))
    ap.add_argument("--kbfresh", default=os.environ.get("KBFRESH", "kbfresh"))
    ap.add_argument("--only", action="append", default=[], help="only trees whose repo or id contains this (repeatable)")
    ap.add_argument("--tool", action="append", default=[], help="only trees of this tool (repeatable)")
    ap.add_argument("--max-diffs", type=int, default=12, help="code-fidelity diffs kept per tree")
    ap.add_argument("--timeout", type=int, default=1200, help="seconds a build or check may take (default %(default)s)")
    ap.add_argument("--render-only", action="store_true", help="only rewrite table.md (and --doc) from OUT_DIR/results.json")
    ap.add_argument("--doc", type=Path, help="also put the table between the real-trees markers of this Markdown file")
    a = ap.parse_args()
    globals()["TIMEOUT"] = a.timeout
    trees = read_trees(a.trees)
    if a.only:
        trees = [t for t in trees if any(o.lower() in (t["repo"] + " " + tree_id(t)).lower() for o in a.only)]
    if a.tool:
        trees = [t for t in trees if t["tool"] in a.tool]
    a.out_dir.mkdir(parents=True, exist_ok=True)
    if a.render_only:
        result = json.loads((a.out_dir / "results.json").read_text())
        write_reports(result, a)
        return
    version = subprocess.run([a.kbfresh, "--version"], capture_output=True, text=True).stdout.strip()
    log = lambda s: print(s, file=sys.stderr, flush=True)
    records = []
    for t in trees:
        try:
            records.append(run_tree(t, a.trees_dir.resolve(), a.out_dir.resolve(), a.kbfresh, a.max_diffs, log))
        except Exception as e:  # a harness bug on one tree must not lose the others
            records.append({"id": tree_id(t), "repo": t["repo"], "subdir": t["subdir"], "tool": t["tool"], "skipped": f"harness error: {e!r}"})
        r = records[-1]
        log(f"[{r['id']}] build {r.get('build_exit')} check {r.get('check_exit')} {r.get('build_seconds')} s; "
            f"warnings {r.get('warning_count')}; foreign {sum(r.get('foreign', {}).values())}; "
            f"fidelity {json.dumps({k: v for k, v in (r.get('fidelity') or {}).items() if isinstance(v, int)})}")
    result = {"schema": "kbfresh/real-trees/1", "kbfresh": version, "date": time.strftime("%Y-%m-%d"), "trees": records}
    (a.out_dir / "results.json").write_text(json.dumps(result, indent=1, ensure_ascii=False))
    write_reports(result, a)


def write_reports(result, a):
    records, version = result["trees"], result["kbfresh"]
    tbl = table(records)
    (a.out_dir / "table.md").write_text(f"Run with {version} on {result['date']}.\n\n" + tbl + "\n\n## Details\n\n" + details(records))
    if a.doc:
        doc = a.doc.read_text()
        begin, end = "<!-- real-trees:begin -->", "<!-- real-trees:end -->"
        if begin in doc and end in doc:
            pre, rest = doc.split(begin, 1)
            _, post = rest.split(end, 1)
            a.doc.write_text(pre + begin + f"\n\nRun with `{version}` on {result['date']}.\n\n" + tbl + "\n" + end + post)
    print(tbl)
    print(f"results: {a.out_dir / 'results.json'}; details: {a.out_dir / 'table.md'}", file=sys.stderr)


if __name__ == "__main__":
    main()
