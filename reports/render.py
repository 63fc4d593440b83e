"""Render the report's templates: the HTML page, and the two parts of the e-mail.

Autoescape is on for HTML (feed text is hostile: markup in a title or a quote must
show as text) and off for the plain-text part, where escaping would print `&lt;`.
Undefined names are errors: a template asking for a field that does not exist fails
loudly rather than printing a blank.
"""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from reports.context import ReportPage, context_of
from reports.formatting import outlet

PAGE_TEMPLATE = "report.html"
EMAIL_HTML_TEMPLATE = "email.html"
EMAIL_TEXT_TEMPLATE = "email.txt"
TEMPLATES = (PAGE_TEMPLATE, EMAIL_HTML_TEMPLATE, EMAIL_TEXT_TEMPLATE)


def make_environment() -> Environment:
    """The Jinja2 environment of the report templates."""
    made = Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "xml"),
                                     disabled_extensions=("txt",), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    # a link says where it leads ("lemonde.fr"), not the bare word "source"
    made.filters["outlet"] = lambda url: outlet(url) or "source"
    return made


_environment: Environment | None = None


def environment() -> Environment:
    """The shared environment, built on first use (templates compiled once)."""
    global _environment
    if _environment is None:
        _environment = make_environment()
    return _environment


def render(template: str, page: ReportPage) -> str:
    """Render one of `TEMPLATES` with the fields of `page`."""
    return environment().get_template(template).render(context_of(page))


def render_page(page: ReportPage) -> str:
    """The self-contained HTML page."""
    return render(PAGE_TEMPLATE, page)


def render_email_html(page: ReportPage) -> str:
    """The e-mail's HTML part, with inline styles (mail clients drop <style>)."""
    return render(EMAIL_HTML_TEMPLATE, page)


def render_email_text(page: ReportPage) -> str:
    """The e-mail's plain-text part, which reads well on its own."""
    return render(EMAIL_TEXT_TEMPLATE, page)
