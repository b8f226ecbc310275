"""Rendering the appendix forms in forms/ to A4 PDF with weasyprint (C7.4), and the start-up check for a CJK font."""

import hashlib
import shutil
import subprocess
import threading
from functools import cache
from pathlib import Path

import jinja2
import segno

FORMS_DIR = Path(__file__).resolve().parents[3] / "forms"
CJK_FONT_HINTS = ("wqy", "uming", "ukai", "notosanscjk", "notoserifcjk", "sourcehan", "droidsansfallback")


class FontMissing(RuntimeError):
    """No CJK font: the forms would print empty boxes instead of Chinese."""


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(FORMS_DIR), autoescape=True, undefined=jinja2.ChainableUndefined
    )


@cache
def template_version() -> str:
    """The SHA-256 of every template and style sheet in forms/: a layout change renders documents afresh."""
    digest = hashlib.sha256()
    for path in sorted(FORMS_DIR.glob("*.*")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def cjk_fonts() -> list[str]:
    """Installed font families that cover Chinese (fontconfig), else font files whose names say so."""
    fc_list = shutil.which("fc-list")
    if fc_list:
        result = subprocess.run(  # noqa: S603  (fixed arguments, no shell)
            [fc_list, ":lang=zh", "family"], capture_output=True, text=True, check=False
        )
        return sorted({line.split(",")[0] for line in result.stdout.splitlines() if line.strip()})
    roots = [Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts"]
    found = [p.name for root in roots if root.exists() for p in root.rglob("*") if p.suffix in (".ttf", ".ttc", ".otf")]
    return sorted({n for n in found if any(h in n.lower().replace("-", "").replace("_", "") for h in CJK_FONT_HINTS)})


def check_cjk_font() -> None:
    if not cjk_fonts():
        raise FontMissing(
            "No Chinese (CJK) font is installed, so the appendix forms would print empty boxes. Install one, e.g. "
            "`sudo apt-get install fonts-arphic-uming fonts-wqy-microhei` (make run does this), then start again."
        )


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=4, border=1)


def render_html(kind: str, content: dict) -> str:
    return _environment().get_template(f"{kind}.html").render(d=content)


_local = threading.local()


def _style():
    """The parsed style sheet and font configuration, kept per thread: parsing them for every form costs ~50 ms."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    if getattr(_local, "version", None) != template_version():
        _local.fonts = FontConfiguration()
        _local.css = CSS(filename=str(FORMS_DIR / "forms.css"), font_config=_local.fonts)
        _local.version = template_version()
    return _local.css, _local.fonts


def render_pdf(kind: str, content: dict) -> tuple[bytes, int]:
    """The PDF bytes and the page count."""
    from weasyprint import HTML

    css, fonts = _style()
    html = render_html(kind, content).replace('<link rel="stylesheet" href="forms.css">', "")
    document = HTML(string=html, base_url=str(FORMS_DIR)).render(stylesheets=[css], font_config=fonts)
    return document.write_pdf(), len(document.pages)
