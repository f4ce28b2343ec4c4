"""A recording decoded once to 16 kHz 16-bit PCM in a temporary file, read back in windows.

faster-whisper's ``decode_audio`` builds the whole recording as one float32 array (plus the
resampler's copies): a 3-hour silent WAV peaked at 2.6 GB before it was refused. Here PyAV's frames
are resampled and appended to a file as they come, so decoding holds one frame at a time; the
stages read back a window (transcription), one segment (diarisation) or a streaming block
(loudness, channel dominance). ``np.fromfile`` copies a window into ordinary memory, so resident
memory is the window, never the file.

Stereo recordings keep both channels (interleaved), because a call recorded one speaker per channel
is transcribed and labelled per channel.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from summarizer.errors import InputError, SummarizerError

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
_ERRNO = re.compile(r"^\[Errno -?\d+\] ")
_SUPPORTED = "supported: wav, flac, mp3, m4a, ogg/opus, webm, mp4 and anything else FFmpeg decodes"
_BLOCK_S = 60  # streaming passes read this much audio at a time
_FRAME = SAMPLE_RATE // 10  # 100 ms energy frames
_INT16 = 32768.0


@dataclass
class PcmFile:
    """Decoded audio on disk: ``frames`` samples per channel, ``channels`` 1 or 2, int16 interleaved."""

    path: Path
    channels: int
    frames: int
    declared: float | None  # the container's own duration, for the truncation check

    @property
    def duration(self) -> float:
        return self.frames / SAMPLE_RATE

    def read(self, start: int, end: int) -> np.ndarray:
        """Samples [start, end) as float32, shape (n, channels)."""
        start = max(0, min(start, self.frames))
        end = max(start, min(end, self.frames))
        count = (end - start) * self.channels
        raw = np.fromfile(self.path, dtype="<i2", count=count, offset=start * self.channels * 2)
        return (raw.astype(np.float32) / _INT16).reshape(-1, self.channels)

    def mono(self, start: int, end: int) -> np.ndarray:
        block = self.read(start, end)
        return block[:, 0].copy() if self.channels == 1 else block.mean(axis=1, dtype=np.float32)

    def channel(self, index: int, start: int, end: int) -> np.ndarray:
        return self.read(start, end)[:, min(index, self.channels - 1)].copy()

    def blocks(self, seconds: float = _BLOCK_S) -> Iterator[tuple[int, np.ndarray]]:
        """(first frame, samples (n, channels)) over the whole file, ``seconds`` at a time."""
        step = int(seconds * SAMPLE_RATE)
        for start in range(0, self.frames, step):
            yield start, self.read(start, start + step)

    def close(self) -> None:
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> PcmFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class PcmView:
    """One channel (or the mono mix) of a ``PcmFile`` that slices like an array: ``view[a:b]``."""

    def __init__(self, pcm: PcmFile, channel: int | None = None) -> None:
        self.pcm = pcm
        self.channel = channel

    def __len__(self) -> int:
        return self.pcm.frames

    def __getitem__(self, span: slice) -> np.ndarray:
        start, stop, _ = span.indices(self.pcm.frames)
        if self.channel is None:
            return self.pcm.mono(start, stop)
        return self.pcm.channel(self.channel, start, stop)

    def rms(self) -> float:
        """Root mean square over the whole view, in one streaming pass."""
        total, count = 0.0, 0
        for _, samples in self.pcm.blocks():
            picked = samples.mean(axis=1) if self.channel is None else samples[:, self.channel]
            block = picked.astype(np.float64)
            total += float(np.dot(block, block))
            count += len(block)
        return (total / count) ** 0.5 if count else 0.0


def decode_to_pcm(path: Path, *, folder: Path | None = None, keep_stereo: bool = True) -> PcmFile:
    """Decode ``path`` (any FFmpeg input) to a temporary PCM file; problems become InputError on ``path``.

    The caller closes the result (it is a context manager), which deletes the temporary file.
    """
    import av

    fd, name = tempfile.mkstemp(prefix="summarizer-pcm-", suffix=".raw", dir=folder)
    out = Path(name)
    try:
        with os.fdopen(fd, "wb") as sink:
            channels, written, declared = _decode_into(path, sink, keep_stereo)
    except SummarizerError:
        out.unlink(missing_ok=True)
        raise
    except (av.FFmpegError, OSError, ValueError, IndexError) as exc:
        out.unlink(missing_ok=True)
        # PyAV's text starts with "[Errno 1094995529]", a number that means nothing to a person
        raise InputError(path, f"not a readable audio or video file ({_ERRNO.sub('', str(exc))})",
                         hint=_SUPPORTED) from exc
    except BaseException:
        out.unlink(missing_ok=True)
        raise
    return PcmFile(out, channels, written // (2 * channels), declared)


def _decode_into(path: Path, sink: BinaryIO, keep_stereo: bool) -> tuple[int, int, float | None]:
    import av as _av

    written = 0
    with _av.open(str(path), mode="r", metadata_errors="ignore") as container:
        if not container.streams.audio:
            raise InputError(path, "has no audio track")
        declared = container.duration / 1_000_000 if container.duration else None
        stream = container.streams.audio[0]
        source_channels = stream.codec_context.channels or 1
        channels = 2 if keep_stereo and source_channels >= 2 else 1
        resampler = _av.AudioResampler(format="s16", layout="stereo" if channels == 2 else "mono",
                                       rate=SAMPLE_RATE)
        write = sink.write
        for frame in _frames(container, stream):
            for out in resampler.resample(frame):
                data = out.to_ndarray().tobytes()
                write(data)
                written += len(data)
        for out in resampler.resample(None):
            data = out.to_ndarray().tobytes()
            write(data)
            written += len(data)
    return channels, written, declared


def _frames(container: Any, stream: Any) -> Iterator[Any]:
    """Decoded frames, skipping the damaged ones FFmpeg reports (as faster-whisper does)."""
    import av as _av

    iterator = container.decode(stream)
    while True:
        try:
            frame = next(iterator)
        except StopIteration:
            return
        except _av.error.InvalidDataError:
            continue
        frame.pts = None  # the resampler would otherwise complain about gaps in damaged files
        yield frame


def frame_energy_db(pcm: PcmFile) -> np.ndarray:
    """Energy in dBFS of every 100 ms frame, per channel: shape (frames, channels), one streaming pass."""
    parts: list[np.ndarray] = []
    carry = np.zeros((0, pcm.channels), dtype=np.float32)
    for _, block in pcm.blocks():
        block = np.concatenate((carry, block)) if len(carry) else block
        n = len(block) // _FRAME
        frames = block[: n * _FRAME].astype(np.float64).reshape(n, _FRAME, pcm.channels)
        parts.append(10 * np.log10(np.maximum((frames**2).mean(axis=1), 1e-12)))
        carry = block[n * _FRAME:]
    return np.concatenate(parts) if parts else np.zeros((0, pcm.channels))


def quietest_cut(pcm: PcmFile, start: int, end: int, channel: int | None = None) -> int:
    """The frame in [start, end) at the middle of its quietest half second: where a window may end
    without splitting a word."""
    audio = pcm.mono(start, end) if channel is None else pcm.channel(channel, start, end)
    n = len(audio) // _FRAME
    if n < 6:
        return end
    energy = (audio[: n * _FRAME].astype(np.float64).reshape(n, _FRAME) ** 2).mean(axis=1)
    smooth = np.convolve(energy, np.ones(5), mode="valid")  # 5 × 100 ms
    best = int(np.argmin(smooth)) + 2  # centre of the quietest stretch
    return start + best * _FRAME + _FRAME // 2
