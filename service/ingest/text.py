"""HTML and RTF bodies to plain text (for e-mails with no plain-text body)."""

from __future__ import annotations

import re

_BLANKS = re.compile(r"\n[ \t\r\f\v]*(?:\n[ \t\r\f\v]*)+")
_RTF_TOKEN = re.compile(rb"\\([a-zA-Z]+)(-?\d+)? ?|\\'([0-9a-fA-F]{2})|\\(.)|([{}])|([^\\{}]+)", re.DOTALL)
_SKIP_DESTINATIONS = {
    b"fonttbl",
    b"colortbl",
    b"stylesheet",
    b"info",
    b"pict",
    b"object",
    b"header",
    b"footer",
    b"listtable",
    b"listoverridetable",
    b"rsidtbl",
    b"generator",
    b"themedata",
    b"datastore",
    b"latentstyles",
    b"xmlnstbl",
    b"mmathPr",
    b"filetbl",
    b"revtbl",
}


def tidy(text: str) -> str:
    """Normalise line ends, strip trailing spaces, collapse runs of blank lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ")
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return _BLANKS.sub("\n\n", text).strip()


def html_to_text(html: bytes | str) -> str:
    """Visible text of an HTML body, one block per line."""
    from bs4 import BeautifulSoup  # BeautifulSoup only for HTML bodies

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "head", "title", "meta"]):
        tag.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    return tidy(soup.get_text("\n"))


def rtf_to_text(rtf: bytes) -> str:
    """Plain text of an RTF body: paragraphs, \\'hh bytes in the document code page, \\u characters."""
    codepage = re.search(rb"\\ansicpg(\d+)", rtf[:2000])
    encoding = f"cp{int(codepage.group(1))}" if codepage else "cp1252"
    try:
        "".encode(encoding)
    except LookupError:
        encoding = "cp1252"
    out: list[str] = []
    pending = bytearray()
    stack: list[tuple[bool, int]] = []
    skip, uc, to_skip = False, 1, 0

    def flush() -> None:
        if pending:
            out.append(pending.decode(encoding, "replace"))
            pending.clear()

    for word, arg, hexbyte, symbol, brace, plain in _RTF_TOKEN.findall(rtf):
        if brace:
            flush()
            if brace == b"{":
                stack.append((skip, uc))
            elif stack:
                skip, uc = stack.pop()
            continue
        if to_skip and (hexbyte or plain):
            if plain:
                plain, to_skip = plain[to_skip:], max(0, to_skip - len(plain))
            else:
                to_skip -= 1
                continue
        if skip:
            continue
        if hexbyte:
            pending.append(int(hexbyte, 16))
        elif plain:
            flush()
            out.append(plain.replace(b"\r", b"").replace(b"\n", b"").decode(encoding, "replace"))
        elif symbol == b"*" or word in _SKIP_DESTINATIONS:
            skip = True
        elif symbol in (b"\\", b"{", b"}"):
            flush()
            out.append(symbol.decode())
        elif symbol == b"~":
            out.append(" ")
        elif word in (b"par", b"line", b"row", b"sect", b"page"):
            flush()
            out.append("\n")
        elif word in (b"tab", b"cell"):
            flush()
            out.append("\t")
        elif word == b"uc" and arg:
            uc = int(arg)
        elif word == b"u" and arg:
            flush()
            out.append(chr(int(arg) % 65536))
            to_skip = uc
    flush()
    return tidy("".join(out))
