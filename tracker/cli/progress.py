"""The progress line of `tracker poll` and `tracker ingest`, with what is said during it
written above it, never into it.

It is drawn on stderr only when that is a terminal and there is more than one feed;
otherwise it is silent and notes are plain lines on stderr. While it is drawn, log
records (an article that could not be read, -v lines) go above it too.
"""

from __future__ import annotations

import logging
import shutil
import sys
from collections.abc import Iterable
from typing import Any, TextIO

import click

from tracker.text import printable

CLEAR_LINE = "\r\x1b[K"
BAR_WIDTH = 24


class ProgressBar:
    """`with ProgressBar(n) as bar:` then `bar.advance(name)` per feed, `bar.note(line)`."""

    def __init__(self, length: int, *, label: str = "Polling",
                 stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.shown = length > 1 and self.stream.isatty()
        self.length, self.done, self.label, self.current = length, 0, label, ""
        self._swapped: list[tuple[logging.StreamHandler[Any], Any]] = []

    def __enter__(self) -> ProgressBar:
        if self.shown:
            for handler in logging.getLogger().handlers:
                if isinstance(handler, logging.StreamHandler) and handler.stream is self.stream:
                    self._swapped.append((handler, handler.setStream(_Above(self))))
            self._draw()
        return self

    def __exit__(self, *exc_info: object) -> None:
        for handler, stream in self._swapped:
            handler.setStream(stream)
        if self.shown:
            click.echo("", file=self.stream)

    def advance(self, name: str) -> None:
        """One more feed done: `name` was the last."""
        self.done, self.current = self.done + 1, name
        if self.shown:
            self._draw()

    def notes(self, lines: Iterable[str]) -> None:
        """Write each line once, above the bar when it is drawn."""
        for line in lines:
            self.write_above(line + "\n")

    def write_above(self, text: str) -> None:
        click.echo((CLEAR_LINE if self.shown else "") + text, file=self.stream, nl=False)
        if self.shown:
            self._draw()

    def _draw(self) -> None:
        filled = BAR_WIDTH * self.done // max(self.length, 1)
        line = (f"{self.label} [{'#' * filled}{'-' * (BAR_WIDTH - filled)}]"
                f" {self.done}/{self.length} {printable(self.current)}")
        width = shutil.get_terminal_size().columns - 1
        click.echo(CLEAR_LINE + line[:width], file=self.stream, nl=False)


class _Above:
    """A stream for a log handler: whole lines go above the progress bar."""

    def __init__(self, bar: ProgressBar) -> None:
        self.bar = bar
        self.pending = ""

    def write(self, text: str) -> int:
        self.pending += text
        if "\n" in self.pending:
            complete, _, self.pending = self.pending.rpartition("\n")
            self.bar.write_above(complete + "\n")
        return len(text)

    def flush(self) -> None:
        self.bar.stream.flush()
