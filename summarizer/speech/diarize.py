"""Who spoke each transcript segment: offline speaker diarisation over Whisper's segments.

Two methods, chosen per recording:

* ``channels``: a call recorded one speaker per stereo channel (common for telephony and many call
  recorders). Each segment goes to the channel that is louder during it; no model is needed.
* ``embeddings``: one Resemblyzer voiceprint per segment (``summarizer.speech.voiceprint``), then
  agglomerative clustering (cosine distance, average linkage). Per-segment embeddings were measured
  to separate voices far better than fixed sliding windows, and they keep the segment as the unit
  the rest of the pipeline cites. Segments with too little voiced audio for a stable voiceprint
  are not clustered; they join the nearest speaker afterwards, with a lower confidence.

The number of speakers is taken from the caller or estimated by walking down the clustering tree
while each split's silhouette (a relative measure of how well two groups separate) stays high,
because an absolute distance threshold tuned on synthetic voices does not carry over to real ones.

Needs the ``diarize`` extra (torch, resemblyzer weights, webrtcvad-wheels, scipy); everything heavy
is imported lazily.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import util
from pathlib import Path

import numpy as np

from summarizer.errors import InputError
from summarizer.speech.audio import PcmView
from summarizer.speech.voiceprint import SAMPLE_RATE, DiarizationUnavailable, encoder_available
from summarizer.transcript import Transcript

log = logging.getLogger(__name__)

Audio = np.ndarray | PcmView  # samples in memory, or read from the decoded file on demand
Progress = Callable[[float, float], None]  # (done, total)

__all__ = [
    "DiarizationResult",
    "DiarizationUnavailable",
    "apply_diarization",
    "diarization_available",
    "diarize_transcript",
    "estimate_speaker_count",
]

MAX_SPEAKERS = 6
# Below this much voiced audio a voiceprint is mostly noise; such segments are attached afterwards.
MIN_VOICED_SECONDS = 1.0
# Segments shorter than this take the label of the nearest reliable segment in time.
MIN_EMBED_SECONDS = 0.3
# A cluster is split in two only when the two parts separate at least this well (silhouette).
SPLIT_SILHOUETTE = 0.3
# Channel split: a 100 ms frame "belongs" to a channel when it is this much louder there.
CHANNEL_DOMINANCE_DB = 6.0
SILENCE_DBFS = -55.0


@dataclass
class DiarizationResult:
    labels: dict[str, str]  # segment id -> SPEAKER_00, ...
    confidences: dict[str, float]  # segment id -> 0..1
    num_speakers: int
    confidence: float  # how sure the speaker count is (1.0 when given or by channel)
    method: str  # "channels" | "embeddings"
    estimated: bool  # False when the caller gave num_speakers
    details: dict[str, object] = field(default_factory=dict)

    @property
    def message(self) -> str:
        noun = "speaker" if self.num_speakers == 1 else "speakers"
        if self.method == "channels":
            return f"{self.num_speakers} {noun} (one per stereo channel)"
        if not self.estimated:
            return f"{self.num_speakers} {noun} (given)"
        return f"{self.num_speakers} {noun} (estimated, confidence {self.confidence:.2f})"


def diarization_available() -> bool:
    """True when the ``diarize`` extra is installed, so the pipeline can diarise by default."""
    return (
        encoder_available()
        and util.find_spec("scipy") is not None
        and util.find_spec("webrtcvad") is not None
    )


def speaker_label(index: int) -> str:
    return f"SPEAKER_{index:02d}"


# -- audio -----------------------------------------------------------------------------------------
def load_channels(audio_path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Left and right at 16 kHz (a mono file gives two equal channels)."""
    from faster_whisper.audio import decode_audio

    if not audio_path.is_file():
        raise InputError(audio_path, "audio file not found")
    try:
        left, right = decode_audio(str(audio_path), sampling_rate=SAMPLE_RATE, split_stereo=True)
    except Exception as exc:  # PyAV raises many types for corrupt input
        raise InputError(audio_path, f"cannot decode audio for diarisation ({exc})") from exc
    if len(left) == 0:
        raise InputError(audio_path, "the audio stream is empty")
    return np.asarray(left, dtype=np.float32), np.asarray(right, dtype=np.float32)


def _db(x: np.ndarray) -> np.ndarray:
    return np.asarray(10 * np.log10(np.maximum(x, 1e-12)))


def _frame_energy_db(wav: np.ndarray, frame: int = SAMPLE_RATE // 10) -> np.ndarray:
    n = len(wav) // frame
    if n == 0:
        return np.zeros(0)
    return _db((wav[: n * frame].astype(np.float64).reshape(n, frame) ** 2).mean(axis=1))


def is_channel_split(left: np.ndarray, right: np.ndarray) -> bool:
    """One speaker per channel: both channels have stretches where they clearly dominate the other.

    A mono file decoded as stereo, or a room recording with two microphones, has channels within a
    few dB of each other nearly everywhere.
    """
    return is_channel_split_db(_frame_energy_db(left), _frame_energy_db(right))


def is_channel_split_db(el: np.ndarray, er: np.ndarray) -> bool:
    """``is_channel_split`` from per-100 ms energies (dBFS) of the two channels."""
    voiced = np.maximum(el, er) > SILENCE_DBFS
    if voiced.sum() < 5:
        return False
    diff = (el - er)[voiced]
    left_dom = int((diff >= CHANNEL_DOMINANCE_DB).sum())
    right_dom = int((diff <= -CHANNEL_DOMINANCE_DB).sum())
    share = (left_dom + right_dom) / len(diff)
    minimum = max(2, int(0.05 * len(diff)))
    log.debug("channel dominance: left %d, right %d of %d voiced frames", left_dom, right_dom, len(diff))
    return share >= 0.3 and left_dom >= minimum and right_dom >= minimum


def _span(seg_start: float | None, seg_end: float | None, n: int) -> tuple[int, int] | None:
    if seg_start is None or seg_end is None or seg_end <= seg_start:
        return None
    a = max(0, int(seg_start * SAMPLE_RATE))
    b = min(n, int(seg_end * SAMPLE_RATE))
    return (a, b) if b > a else None


# -- channel method --------------------------------------------------------------------------------
def diarize_by_channel(transcript: Transcript, left: Audio, right: Audio) -> DiarizationResult:
    labels: dict[str, str] = {}
    confidences: dict[str, float] = {}
    for seg in transcript.segments:
        span = _span(seg.start, seg.end, len(left))
        if span is None:
            continue
        a, b = span
        el = float(np.mean(left[a:b].astype(np.float64) ** 2))
        er = float(np.mean(right[a:b].astype(np.float64) ** 2))
        diff = float(_db(np.array([el]))[0] - _db(np.array([er]))[0])
        labels[seg.id] = speaker_label(0 if diff >= 0 else 1)
        confidences[seg.id] = round(min(1.0, abs(diff) / 12.0), 3)
    used = sorted(set(labels.values()))
    return DiarizationResult(labels, confidences, num_speakers=max(1, len(used)), confidence=1.0,
                             method="channels", estimated=False)


# -- embedding method ------------------------------------------------------------------------------
def cosine_distances(emb: np.ndarray) -> np.ndarray:
    unit = emb / np.linalg.norm(emb, axis=1, keepdims=True).clip(1e-9)
    return np.asarray(np.clip(1.0 - unit @ unit.T, 0.0, 2.0))


def silhouette(dist: np.ndarray, clusters: np.ndarray) -> float:
    """Mean silhouette (Rousseeuw 1987) for a precomputed distance matrix; singletons score 0."""
    ids = np.unique(clusters)
    if len(ids) < 2 or len(ids) >= len(clusters):
        return -1.0
    scores = np.zeros(len(clusters))
    for i in range(len(clusters)):
        own = clusters == clusters[i]
        if own.sum() <= 1:
            continue
        a = dist[i, own].sum() / (own.sum() - 1)
        b = min(dist[i, clusters == c].mean() for c in ids if c != clusters[i])
        scores[i] = (b - a) / max(a, b, 1e-9)
    return float(scores.mean())


def cluster_embeddings(emb: np.ndarray, k: int) -> np.ndarray:
    """Average-linkage agglomerative clustering on cosine distance, cut at exactly k clusters."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    if k <= 1 or len(emb) <= 1:
        return np.zeros(len(emb), dtype=int)
    condensed = squareform(cosine_distances(emb), checks=False)
    tree = linkage(condensed, method="average")
    return np.asarray(fcluster(tree, t=k, criterion="maxclust")) - 1


def estimate_speaker_count(
    emb: np.ndarray, max_speakers: int = MAX_SPEAKERS
) -> tuple[int, float, dict[int, float]]:
    """(count, confidence 0..1, local split silhouette per k) from the segment voiceprints.

    Walks down the average-linkage tree: the k -> k+1 split is accepted while the cluster it divides
    separates into two parts with a silhouette of at least SPLIT_SILHOUETTE (each part needing two
    segments to be judged). A silhouette is relative (within- vs between-part distance), so it is far
    less tied to how alike the voices are than a fixed distance threshold.
    """
    n = len(emb)
    if n < 4:
        return 1, 0.3 if n else 0.0, {}
    dist = cosine_distances(emb)
    scores: dict[int, float] = {}
    k = 1
    current = cluster_embeddings(emb, 1)
    stop_score: float | None = None
    while k < min(max_speakers, n):
        finer = cluster_embeddings(emb, k + 1)
        split = [c for c in np.unique(current) if len(np.unique(finer[current == c])) > 1]
        if not split:
            break
        members = current == split[0]
        sub = finer[members]
        sizes = [int((sub == c).sum()) for c in np.unique(sub)]
        if min(sizes) < 2:
            break
        local = silhouette(dist[np.ix_(members, members)], sub)
        scores[k + 1] = round(local, 3)
        if local < SPLIT_SILHOUETTE:
            stop_score = local
            break
        k, current = k + 1, finer
    accepted = [v for kk, v in scores.items() if kk <= k]
    margin_up = (min(accepted) - SPLIT_SILHOUETTE) if accepted else 1.0
    margin_down = (SPLIT_SILHOUETTE - stop_score) if stop_score is not None else 0.1
    conf = 0.2 + 0.8 * float(np.clip(min(margin_up, margin_down) / 0.15, 0.0, 1.0))
    if n < 6:
        conf *= 0.7  # few segments: any count is a guess
    return k, round(conf, 2), scores


def diarize_by_voice(transcript: Transcript, wav: Audio, num_speakers: int | None,
                     progress: Progress | None = None) -> DiarizationResult:
    """Voiceprints per segment, clustered. ``wav`` is an array or a ``PcmView`` read segment by segment."""
    from summarizer.speech.voiceprint import load_encoder, voiced_mask, volume_gain

    encoder = load_encoder()
    rms = wav.rms() if isinstance(wav, PcmView) else (
        float(np.sqrt(np.mean(np.asarray(wav, dtype=np.float64) ** 2))) if len(wav) else 0.0)
    gain = volume_gain(rms)
    total = len(transcript.segments)
    ids: list[str] = []
    embeds: list[np.ndarray] = []
    reliable: list[bool] = []
    spans: dict[str, tuple[int, int]] = {}
    for number, seg in enumerate(transcript.segments, start=1):
        if progress:
            progress(number - 1, total)
        span = _span(seg.start, seg.end, len(wav))
        if span is None:
            continue
        spans[seg.id] = span
        a, b = span
        if (b - a) < MIN_EMBED_SECONDS * SAMPLE_RATE:
            continue
        audio = wav[a:b]
        if gain != 1.0:
            audio = (audio * gain).astype(np.float32)
        voiced = audio[voiced_mask(audio)]
        long_enough = len(voiced) >= MIN_VOICED_SECONDS * SAMPLE_RATE
        # Voice activity trimming drops nearly everything on quiet or very short turns; the raw
        # audio still carries the voice better than nothing.
        embeds.append(encoder.embed_utterance(voiced if len(voiced) >= 0.5 * SAMPLE_RATE else audio))
        ids.append(seg.id)
        reliable.append(long_enough)
    if not ids:
        return DiarizationResult({}, {}, num_speakers=0, confidence=0.0, method="embeddings",
                                 estimated=num_speakers is None)

    emb = np.stack(embeds)
    core = np.array(reliable) if sum(reliable) >= 2 else np.ones(len(ids), dtype=bool)
    core_emb = emb[core]
    if num_speakers is not None:
        k = max(1, min(num_speakers, len(core_emb)))
        count_conf, scores = 1.0, dict[int, float]()
    else:
        k, count_conf, scores = estimate_speaker_count(core_emb)
    clusters = cluster_embeddings(core_emb, k)
    # Name speakers in order of first appearance so SPEAKER_00 is whoever speaks first.
    order: dict[int, int] = {}
    for c in clusters:
        order.setdefault(int(c), len(order))
    first_seen = sorted(order, key=lambda c: order[c])
    centroids = np.stack([core_emb[clusters == c].mean(axis=0) for c in first_seen])
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True).clip(1e-9)

    labels: dict[str, str] = {}
    confidences: dict[str, float] = {}
    sims = emb @ centroids.T
    for i, seg_id in enumerate(ids):
        best = int(np.argmax(sims[i]))
        labels[seg_id] = speaker_label(best)
        if len(centroids) == 1:
            conf = float(np.clip(sims[i, 0], 0.0, 1.0))
        else:
            other = float(np.max(np.delete(sims[i], best)))
            conf = float(np.clip((sims[i, best] - other) / 0.15, 0.0, 1.0))
        confidences[seg_id] = round(conf if reliable[i] else 0.5 * conf, 3)

    # Segments too short to embed take the label of the closest labelled segment in time.
    for seg_id, (a, b) in spans.items():
        if seg_id in labels:
            continue
        mid = (a + b) / 2
        nearest = min(ids, key=lambda other: abs((spans[other][0] + spans[other][1]) / 2 - mid))
        labels[seg_id] = labels[nearest]
        confidences[seg_id] = round(0.3 * confidences[nearest], 3)

    return DiarizationResult(
        labels, confidences, num_speakers=len(centroids), confidence=count_conf, method="embeddings",
        estimated=num_speakers is None,
        details={"silhouette": {str(k): round(v, 3) for k, v in scores.items()},
                 "embedded": len(ids), "clustered": int(core.sum())},
    )


# -- entry points ----------------------------------------------------------------------------------
def diarize_transcript(transcript: Transcript, audio_path: Path, *,
                       num_speakers: int | None = None,
                       progress: Progress | None = None) -> DiarizationResult:
    """Assign SPEAKER_xx labels to the transcript's timed segments from the recording's audio.

    The audio is decoded to a temporary PCM file and read one segment at a time, so memory stays
    flat however long the recording is. ``progress(done, total)`` counts segments.
    """
    from summarizer.speech.audio import decode_to_pcm, frame_energy_db

    if num_speakers is not None and num_speakers < 1:
        raise ValueError("num_speakers must be at least 1")
    if not diarization_available():
        raise DiarizationUnavailable("the 'diarize' extra (torch, resemblyzer, webrtcvad-wheels, scipy)")
    if not audio_path.is_file():
        raise InputError(audio_path, "audio file not found")
    with decode_to_pcm(audio_path) as pcm:
        if pcm.frames == 0:
            raise InputError(audio_path, "the audio stream is empty")
        energy = frame_energy_db(pcm) if pcm.channels == 2 else None
        if energy is not None and is_channel_split_db(energy[:, 0], energy[:, 1]):
            result = diarize_by_channel(transcript, PcmView(pcm, 0), PcmView(pcm, 1))
        else:
            result = diarize_by_voice(transcript, PcmView(pcm), num_speakers, progress)
    if progress:
        progress(len(transcript.segments), len(transcript.segments))
    log.info("diarisation of %s: %s", audio_path, result.message)
    return result


def apply_diarization(transcript: Transcript, result: DiarizationResult) -> Transcript:
    """A copy with speaker labels set where the transcript had none (labels from a file win)."""
    out = transcript.model_copy(deep=True)
    changed = 0
    for seg in out.segments:
        label = result.labels.get(seg.id)
        if label and not seg.speaker:
            seg.speaker = label
            changed += 1
    out.meta["diarization"] = {
        "method": result.method,
        "num_speakers": result.num_speakers,
        "confidence": result.confidence,
        "estimated": result.estimated,
        "message": result.message,
        "labelled_segments": changed,
        "segment_confidence": dict(result.confidences),
    }
    return out
