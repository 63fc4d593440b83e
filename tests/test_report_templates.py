"""The templates and their documented contexts agree; rendering is strict about names."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import jinja2
import pytest
from jinja2 import meta

from reports.context import ReportPage, context_of
from reports.render import TEMPLATES, environment, make_environment
from tests.test_report_story import build_story, report_of


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_name_a_template_uses_is_a_documented_field(template: str) -> None:
    env = make_environment()
    assert env.loader is not None
    source = env.loader.get_source(env, template)[0]
    used = meta.find_undeclared_variables(env.parse(source))
    assert used <= {f.name for f in dataclasses.fields(ReportPage)}


def test_the_environment_is_strict_and_escapes_html_but_not_text() -> None:
    env = environment()
    assert env.undefined is jinja2.StrictUndefined
    assert env.autoescape("report.html") and env.autoescape("email.html")  # type: ignore[operator]
    assert not env.autoescape("email.txt")  # type: ignore[operator]
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ page.nothing }}").render(page=object())


@pytest.mark.parametrize("day", ["2020-07-30", "2020-08-03", "2020-08-11", "2020-09-18"])
@pytest.mark.parametrize("template", TEMPLATES)
def test_each_template_renders_the_real_context_on_several_days(tmp_path: Path, template: str,
                                                                 day: str) -> None:
    page = report_of(build_story(tmp_path / "tracker.db"), day).page
    out = environment().get_template(template).render(context_of(page))
    assert page.day_label in out or page.day_label.upper() in out
    assert set(context_of(page)) == {f.name for f in dataclasses.fields(ReportPage)}
