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
# A segment of one channel is the other speaker leaking in when the other channel is this much louder.
LEAK_DB = 2 * CHANNEL_DOMINANCE_DB


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
