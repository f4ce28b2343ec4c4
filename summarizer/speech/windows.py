"""How a long recording is cut for Whisper, and what a stereo call's channels carry.

Whisper gets the recording in windows of about ``WINDOW_S`` (the decoded audio of a whole 2-hour
meeting as float32 is 460 MB, and faster-whisper's features and VAD add several copies of it); each
window ends at the quietest half second of its last ``CUT_SEARCH_S`` seconds, so no word is split.
A call recorded one speaker per channel is transcribed channel by channel (mixing them down lost
the quieter speaker's overlapping words), and what one microphone picked up from the other speaker
is dropped.
"""

from __future__ import annotations

import logging

import numpy as np

from summarizer.speech.audio import SAMPLE_RATE, PcmFile, frame_energy_db, quietest_cut
from summarizer.speech.diarize import CHANNEL_DOMINANCE_DB, is_channel_split_db
from summarizer.transcript import Segment

log = logging.getLogger(__name__)

WINDOW_S = 180
CUT_SEARCH_S = 20
# Below this (dBFS, every 100 ms frame of a window) a window is digital silence and skipped: speech,
# even whispered into a far microphone, is 30 dB louder. A 16-bit recorder's noise floor is ~-90 dBFS.
SILENT_DBFS = -70.0
# A segment of one channel is the other speaker leaking in when the other channel is this much louder.
LEAK_DB = 2 * CHANNEL_DOMINANCE_DB


def is_silent(audio: np.ndarray) -> bool:
    """No 100 ms frame reaches SILENT_DBFS: there is nothing to transcribe in this stretch."""
    frame = SAMPLE_RATE // 10
    n = len(audio) // frame
    if n == 0:
        return bool(len(audio) == 0 or float(np.max(np.abs(audio))) < 10 ** (SILENT_DBFS / 20))
    energy = (audio[: n * frame].astype(np.float64).reshape(n, frame) ** 2).mean(axis=1)
    return bool(10 * np.log10(max(float(energy.max()), 1e-12)) < SILENT_DBFS)


def channel_split(pcm: PcmFile) -> bool:
    """True for a stereo recording with one speaker per channel."""
    if pcm.channels < 2:
        return False
    energy = frame_energy_db(pcm)
    return is_channel_split_db(energy[:, 0], energy[:, 1])


def windows(pcm: PcmFile, channel: int | None = None) -> list[tuple[int, int]]:
    """[start, end) frames of the windows Whisper gets (channel None: the mono mix)."""
    size, search = WINDOW_S * SAMPLE_RATE, CUT_SEARCH_S * SAMPLE_RATE
    spans: list[tuple[int, int]] = []
    start = 0
    while start < pcm.frames:
        end = start + size
        if end >= pcm.frames - search:  # the rest fits: one last window
            spans.append((start, pcm.frames))
            break
        cut = quietest_cut(pcm, end - search, end, channel)
        spans.append((start, cut))
        start = cut
    return spans


def own_channel(pcm: PcmFile, segments: list[Segment], channel: int) -> list[Segment]:
    """Drop what a channel picked up from the other one: a segment where the other channel is much
    louder is the other speaker leaking into this microphone, and is transcribed there already."""
    kept: list[Segment] = []
    for seg in segments:
        a, b = int((seg.start or 0) * SAMPLE_RATE), int((seg.end or 0) * SAMPLE_RATE)
        block = pcm.read(a, b).astype(np.float64)
        if len(block):
            energy = 10 * np.log10(np.maximum((block**2).mean(axis=0), 1e-12))
            if energy[1 - channel] - energy[channel] > LEAK_DB:
                log.debug("segment of channel %d is the other channel leaking in: %r", channel, seg.text)
                continue
        kept.append(seg)
    return kept
