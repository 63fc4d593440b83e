"""The command line: `tracker` and its commands, the composition root of the program.

Commands validate their options, call one library function and echo its outcome;
`tracker.cli.app` opens the stores and turns our errors into one line on stderr.
"""

from tracker.cli.main import cli, main

__all__ = ["cli", "main"]
