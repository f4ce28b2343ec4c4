"""Review in the person's own text editor: the protocol in the editing format (``approval.review``),
opened in ``$VISUAL``/``$EDITOR``, validated on save and merged.

A save that does not validate is never thrown away: ``review_in_editor`` keeps it in
``<meeting folder>/review/recovery-*.toml`` and reopens it with the errors at the top.
"""

from __future__ import annotations

import datetime as dt
import os
import shlex
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from summarizer.approval.review import ERROR_MARK, protocol_to_text, strip_error_block, text_to_protocol
from summarizer.errors import ConfigError, ValidationFailed
from summarizer.schema import Protocol


def editor_command() -> list[str]:
    """``$VISUAL``, then ``$EDITOR``, then nano, then vi."""
    for var in ("VISUAL", "EDITOR"):
        value = os.environ.get(var, "").strip()
        if value:
            return shlex.split(value)
    for name in ("nano", "vi"):
        found = shutil.which(name)
        if found:
            return [found]
    raise ConfigError("no text editor found", hint="set the EDITOR environment variable, e.g. EDITOR=nano")


def run_editor(path: Path) -> None:
    cmd = editor_command()
    try:
        result = subprocess.run([*cmd, str(path)], check=False)
    except OSError as exc:
        raise ConfigError(f"cannot start the editor {cmd[0]!r}: {exc}") from exc
    if result.returncode != 0:
        raise ConfigError(f"the editor {cmd[0]!r} exited with status {result.returncode}; nothing saved",
                          hint=f"your text is still in {path}")


def with_errors(text: str, errors: list[tuple[int | None, str]]) -> str:
    """Put the errors on top of ``text`` as marked comments (replacing an older block).

    ``errors`` count lines in ``text`` as given; the numbers shown refer to the new file.
    """
    body, old = strip_error_block(text)
    shift = len(errors) + 1 - old
    shown = [
        f"{ERROR_MARK}line {line + shift}: {msg}" if line else f"{ERROR_MARK}{msg}" for line, msg in errors
    ]
    head = [*shown, f"{ERROR_MARK}Fix the lines named above, save and close; the !! lines are removed."]
    return "\n".join(head) + "\n" + body


def review_in_editor(
    base: Protocol,
    workdir: Path,
    *,
    title: str = "",
    ask_retry: Callable[[ValidationFailed, Path], bool] = lambda err, path: False,
    edit: Callable[[Path], None] = run_editor,
) -> Protocol | None:
    """Let a person edit ``base`` in their editor; return the merged protocol, or None if unchanged.

    On a save that does not validate the text is kept in ``workdir/recovery-*.toml``; ``ask_retry``
    decides whether to reopen it (with the errors on top). If it declines, ``ValidationFailed`` is
    raised with a hint naming the recovery file, which ``--file`` can import once fixed.
    """
    from summarizer.store.files import write_new

    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    original = protocol_to_text(base, title=title)
    # an exclusive create: another review started in the same second (or an earlier session's unsaved
    # text) never shares or overwrites this file
    path = write_new(workdir, f"recovery-{stamp}", ".toml", original)
    while True:
        edit(path)
        text = path.read_text(encoding="utf-8")
        if strip_error_block(text)[0] == original:
            path.unlink()
            return None
        try:
            protocol = text_to_protocol(text, base)
        except ValidationFailed as exc:
            path.write_text(with_errors(text, exc.errors), encoding="utf-8")
            # report lines as they are in the file now on disk, below the new error block
            shift = len(exc.errors) + 1 - strip_error_block(text)[1]
            exc.errors = [(ln + shift if ln else None, msg) for ln, msg in exc.errors]
            exc.hint = f"your text is kept in {path}; fix it and import it with `--file {path}`"
            if ask_retry(exc, path):
                continue
            raise
        path.unlink()
        return protocol
