"""`tracker demo`: the bundled sample feeds, copied into a folder with their config."""

from __future__ import annotations

import tempfile
from datetime import date
from importlib import resources
from pathlib import Path

from tracker.errors import TrackerError

SAMPLES = ("microsoft-tiktok-en.xml", "microsoft-tiktok-fr.xml", "deal-desk-briefs.xml",
           "pages/2020-08-20-microsoft-tiktok-clock.html")
# The day after the last sample article: the story as a reader saw it that morning.
DEMO_AS_OF = date(2020, 9, 15)


MARKER = ".tracker-demo"


def prepare_demo(folder: Path | None) -> Path:
    """Copy the samples and the demo config into `folder` (or a new temporary one)."""
    if folder is None:
        folder = Path(tempfile.mkdtemp(prefix="tracker-demo-"))
    _refuse_a_real_tracker(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / MARKER).write_text("a folder made by `tracker demo`\n", encoding="utf-8")
        samples = resources.files("tracker") / "samples"
        for name in SAMPLES:
            (folder / name).parent.mkdir(exist_ok=True)
            (folder / name).write_bytes((samples / name).read_bytes())
        config = folder / "tracker.toml"
        config.write_bytes((samples / "demo.toml").read_bytes())
    except OSError as error:
        raise TrackerError(f"cannot prepare the demo in {folder}: {error.strerror}") from None
    return config


def _refuse_a_real_tracker(folder: Path) -> None:
    # the demo writes its config and sample events: never into someone's real log
    mine = ("tracker.toml", "tracker.db")
    if not (folder / MARKER).exists() and any((folder / name).exists() for name in mine):
        raise TrackerError(f"{folder} already holds a tracker.toml or tracker.db that the demo"
                           " did not make; give `tracker demo --dir` an empty or new folder")


