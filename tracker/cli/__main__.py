"""`python -m tracker.cli`: the same command as the `tracker` console script."""

from tracker.cli.main import main

main()
