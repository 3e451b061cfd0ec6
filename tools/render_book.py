"""Render the book offline: nbs/ -> nbdev's processed notebooks (_proc/) -> smalldocs -> _docs/, with no network.

Run from the repository root: `.venv/bin/python tools/render_book.py`. Needs node's `npm` once, for KaTeX.
"""
import posixpath, re, shutil, subprocess, sys
from pathlib import Path
from urllib.parse import urljoin

from nbdev.config import get_config
from nbdev.serve import proc_nbs
from smalldocs.layout import KATEX  # the CDN folder smalldocs links; its version is the one we install
from smalldocs.site import build

KATEX_VERSION = re.search(r"katex@([\d.]+)", KATEX).group(1)
LOADS = [  # what a browser fetches when the page loads: tags' src/href, CSS @import and url(), JS imports
    re.compile(r"<(?:script|link|img|iframe|source|video|audio|embed)\b[^>]*?\b(?:src|href)=[\"']?(https?:)?//", re.I),
    re.compile(r"@import\s+(?:url\()?[\"']?(https?:)?//|url\([\"']?(https?:)?//", re.I),
    re.compile(r"\bimport\b[^;'\"]*[\"'](https?:)?//|\bimport\([\"'](https?:)?//"),
]


def process_notebooks(cfg) -> Path:
    "nbdev's processing (front matter, show_doc, directives) of every notebook into `_proc/`; drop what has no source."
    sys.path.insert(0, str(cfg.config_path))  # show_doc imports the package; spawned workers inherit sys.path
    try:
        proc = proc_nbs(cfg.nbs_path)  # cached: only changed notebooks are run again
    except Exception as e:  # a show_doc cell, or a cell nbdev runs for it (any cell with an import), failed
        cause = re.findall(r"^\w+(?:Error|Exception): .*", str(e.__cause__ or ""), re.M)
        sys.exit(f"nbdev could not process a notebook: {e}\n{cause[0] if cause else ''}\n"
                 "(nbdev runs every cell that imports something, to render show_doc: keep imports in cells of their own)")
    for f in [f for f in proc.rglob("*") if f.is_file() and "_docs" not in f.relative_to(proc).parts]:
        if not (cfg.nbs_path / f.relative_to(proc)).exists() and f.name != "_quarto.yml":
            f.unlink()
    shutil.copy(cfg.config_path / "_quarto.yml", proc / "_quarto.yml")
    return proc


def katex_dist(root: Path) -> Path:
    "KaTeX's `dist/` from npm, installed once into `.cache/npm`, at the version smalldocs links."
    dist = root / ".cache/npm/node_modules/katex/dist"
    if not (dist / "katex.min.js").exists():
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(dist.parents[2]), f"katex@{KATEX_VERSION}"], check=True)
    return dist


def rename_pages(docs: Path, pages: dict[str, str], doc_url: str) -> None:
    "Give pages their `output-file` names (Quarto's: `01_simulate` -> `simulate.html`) and point every link there."
    for old, new in pages.items():
        (docs / old).replace(docs / new)

    def fix(href: str, page: str) -> str:
        if doc_url and href.startswith(doc_url):  # nbdev's links to this book's published site
            href = posixpath.relpath(href[len(doc_url):] or ".", posixpath.dirname(page) or ".") + "/" * href.endswith("/")
        path, sep, tail = href.partition("#")
        if path.endswith("/"):  # file:// would show the folder, not its index page
            path += "index.html"
        if re.match(r"[a-z]+:|/", path) or not path.endswith(".html"):
            return href
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page), path))
        return posixpath.relpath(pages.get(target, target), posixpath.dirname(page) or ".") + sep + tail

    for f in docs.rglob("*.html"):
        page = f.relative_to(docs).as_posix()
        html = f.read_text(encoding="utf-8")
        f.write_text(re.sub(r'(href=")([^"]*)"', lambda m: m[1] + fix(m[2], page) + '"', html), encoding="utf-8")
    for f in (docs / "search.json", docs / "sitemap.xml"):  # page names in the index and the sitemap
        if f.exists():
            text = f.read_text(encoding="utf-8")
            for o, n in pages.items():
                text = re.sub(rf'(?<=["/]){re.escape(o)}(?=[#"<])', n, text)
            f.write_text(text, encoding="utf-8")


def link_code_comments(docs: Path) -> None:
    "Make the Markdown links nbdev writes into signatures' comments (`[`name`](url)`) HTML links."
    for f in docs.rglob("*.html"):
        html = f.read_text(encoding="utf-8")
        f.write_text(re.sub(r"\[`([^`\]]+)`\]\(([^)\s]+)\)", r'<a href="\2">\1</a>', html), encoding="utf-8")


def unlink_missing_anchors(docs: Path) -> int:
    "Turn links to a section a page does not have (a private name or a property nbdev linked) into plain text."
    ids = {f.relative_to(docs).as_posix(): set(re.findall(r'\bid="([^"]+)"', f.read_text(encoding="utf-8")))
           for f in docs.rglob("*.html")}
    count = 0
    def unlink(m, page):
        nonlocal count
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page), m[1]))
        if target not in ids or m[2] in ids[target]: return m[0]
        count += 1
        return m[3]
    for f in docs.rglob("*.html"):
        page, html = f.relative_to(docs).as_posix(), f.read_text(encoding="utf-8")
        link = r'<a\b[^>]*\bhref="([^"#:]+\.html)#([^"]+)"[^>]*>(.*?)</a>'
        f.write_text(re.sub(link, lambda m: unlink(m, page), html, flags=re.S), encoding="utf-8")
    return count


def localise(docs: Path, dist: Path) -> None:
    "Serve KaTeX from `site_libs/katex` and drop the theme's Google Fonts import."
    lib = docs / "site_libs/katex"
    (lib / "contrib").mkdir(parents=True)
    for part in ("katex.min.css", "katex.min.js", "contrib/auto-render.min.js", "fonts"):
        (shutil.copytree if (dist / part).is_dir() else shutil.copy)(dist / part, lib / part)
    for f in docs.rglob("*.html"):
        up = "../" * (len(f.relative_to(docs).parts) - 1)
        f.write_text(f.read_text(encoding="utf-8").replace(KATEX, f"{up}site_libs/katex"), encoding="utf-8")
    for f in docs.rglob("*.css"):
        f.write_text(re.sub(r"@import\s+url\([\"']?https?://[^)]*\)\s*;?", "", f.read_text(encoding="utf-8")), encoding="utf-8")


def remote_loads(docs: Path) -> list[str]:
    "Every place in the book where loading a page would fetch something from the network."
    out = []
    for f in [*docs.rglob("*.html"), *docs.rglob("*.css"), *docs.rglob("*.js")]:
        text = f.read_text(encoding="utf-8", errors="replace")
        out += [f"{f.relative_to(docs)}: {m[0][:120]}" for rx in LOADS for m in rx.finditer(text)]
    return out


def leftovers(docs: Path) -> list[str]:
    "Quarto syntax that reached the reader as text: `:::` fences and `#|` cell options."
    out = []
    for f in docs.rglob("*.html"):
        text = re.sub(r"<[^>]*>", "", f.read_text(encoding="utf-8"))
        out += [f"{f.relative_to(docs)}: {line.strip()[:80]}" for line in text.splitlines() if line.lstrip().startswith((":::", "#|"))]
    return out


def main() -> int:
    cfg = get_config()
    root = cfg.config_path
    proc = process_notebooks(cfg)
    site = build(proc, quiet=True)
    for w in site.warnings:
        if "output-file is not read" not in w:  # nbdev's front matter; rename_pages applies it
            print(f"smalldocs: {w}", file=sys.stderr)
    docs = root / cfg.doc_path.name
    shutil.rmtree(docs, ignore_errors=True)
    shutil.move(site.out, docs)
    pages = {str(p.out): str(p.out.with_name(p.front["output-file"])) for p in site.pages.values() if p.front.get("output-file")}
    doc_url = urljoin(cfg.doc_host + "/", cfg.doc_baseurl).rstrip("/") + "/" if cfg.get("doc_host") else ""
    link_code_comments(docs)
    rename_pages(docs, pages, doc_url)
    print(f"links to sections no page has, left as text: {unlink_missing_anchors(docs)}", file=sys.stderr)
    localise(docs, katex_dist(root))
    for w in leftovers(docs):
        print(f"raw markup: {w}", file=sys.stderr)
    bad = remote_loads(docs)
    for b in bad:
        print(f"network load: {b}", file=sys.stderr)
    if not (docs / "index.html").exists():
        print("no nbs/index.ipynb: the book has no front page", file=sys.stderr)
    print(f"book: {docs / 'index.html'} ({len(site.pages)} pages)")
    return 1 if bad else 0


if __name__ == "__main__":  # proc_nbs runs notebooks in spawned processes
    sys.exit(main())
