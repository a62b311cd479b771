"""The API description's text as HTML: it is Markdown-ish. It is escaped first; then paragraphs,
lists, headings, fenced code, `code`, **bold**, *emphasis* and links to http(s), the site or an
anchor become HTML. Nothing else from the description reaches the page as markup."""

from __future__ import annotations

import re
import textwrap

from markupsafe import Markup, escape

_INLINE = re.compile(
    r"`(?P<code>[^`\n]+)`"
    r"|\*\*(?P<strong>[^*\n]+?)\*\*"
    r"|(?<![\w*])\*(?P<em>[^*\s](?:[^*\n]*?[^*\s])?)\*(?![\w*])"
    r"|\[(?P<text>[^\]\n]+)\]\((?P<href>(?:https?://|/|#)[^\s)]*)\)"
)
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|(?P<number>\d+)[.)])\s+(?P<text>.*)$")
_HEADING = re.compile(r"^(?P<level>#{1,4})\s+(?P<text>.+?)\s*#*$")


def inline(text) -> Markup:
    """One line or paragraph of the description's text as safe HTML."""
    text = str(text)
    parts = []
    position = 0
    for match in _INLINE.finditer(text):
        parts.append(escape(text[position : match.start()]))
        if match["code"] is not None:
            parts.append(Markup("<code>{}</code>").format(match["code"]))
        elif match["strong"] is not None:
            parts.append(Markup("<strong>{}</strong>").format(inline(match["strong"])))
        elif match["em"] is not None:
            parts.append(Markup("<em>{}</em>").format(inline(match["em"])))
        else:
            parts.append(Markup('<a href="{}">{}</a>').format(match["href"], inline(match["text"])))
        position = match.end()
    parts.append(escape(text[position:]))
    return Markup("").join(parts)


def render_text(text, *, heading_level: int = 3) -> Markup:
    """The description's text as safe HTML blocks; its top headings (whatever number of `#` they
    have) are at `heading_level`, the others below, so the page's outline has no gaps."""
    if not text:
        return Markup("")
    lines = str(text).replace("\r\n", "\n").split("\n")
    top = min((len(h["level"]) for h in map(_HEADING.match, _outside_fences(lines)) if h), default=1)
    blocks: list[Markup] = []
    paragraph: list[str] = []
    items: list[list[str]] = []
    ordered = False

    def flush():
        nonlocal ordered
        if paragraph:
            blocks.append(Markup("<p>{}</p>").format(inline(" ".join(paragraph))))
            paragraph.clear()
        if items:
            tag = "ol" if ordered else "ul"
            inner = Markup("").join(Markup("<li>{}</li>").format(inline(" ".join(item))) for item in items)
            blocks.append(Markup("<{tag}>{inner}</{tag}>").format(tag=tag, inner=inner))
            items.clear()

    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        index += 1
        if stripped.startswith("```"):
            flush()
            language = stripped[3:].strip()
            code = []
            while index < len(lines) and not lines[index].strip().startswith("```"):
                code.append(lines[index])
                index += 1
            index += 1  # the closing fence
            body = textwrap.dedent("\n".join(code)).strip("\n")
            css = Markup(' class="language-{}"').format(language) if re.fullmatch(r"[\w+-]+", language) else ""
            blocks.append(Markup('<pre tabindex="0"><code{}>{}</code></pre>').format(css, body))
        elif not stripped:
            flush()
        elif heading := _HEADING.match(stripped):
            flush()
            level = min(6, heading_level + len(heading["level"]) - top)
            blocks.append(Markup("<h{level}>{text}</h{level}>").format(level=level, text=inline(heading["text"])))
        elif item := _LIST_ITEM.match(line):
            if paragraph or (items and ordered != (item["number"] is not None)):
                flush()
            ordered = item["number"] is not None
            items.append([item["text"].strip()])
        elif items and line[:1].isspace():
            items[-1].append(stripped)  # an item that goes on over several lines
        else:
            if items:
                flush()
            paragraph.append(stripped)
    flush()
    return Markup("\n").join(blocks)


def _outside_fences(lines: list[str]):
    fenced = False
    for line in lines:
        if line.strip().startswith("```"):
            fenced = not fenced
        elif not fenced:
            yield line.strip()
