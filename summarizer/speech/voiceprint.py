"""Speaker embeddings ("voiceprints") from the Resemblyzer voice encoder, without librosa.

The ``resemblyzer`` wheel carries its trained weights (``pretrained.pt``, 17 MB), which is what makes
offline diarisation possible here: no model hub is reachable. Importing the ``resemblyzer`` package
itself pulls ``librosa`` (numba, llvmlite, scikit-learn) and ``webrtcvad`` (which imports the removed
``pkg_resources``), so this module locates the weights file through package metadata and runs the
same network and the same feature pipeline with numpy and torch. ``tests/test_diarize.py`` checks
the features against the published librosa formula values.

torch is imported lazily so that ``summarizer --help`` stays fast.
"""

from __future__ import annotations

import functools
import logging
from importlib import metadata, util
from pathlib import Path
from typing import Any

import numpy as np

from summarizer.errors import DiarizationUnavailable

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
# Resemblyzer's hyper-parameters (resemblyzer/hparams.py); the weights were trained with these.
_N_FFT = 400  # 25 ms
_HOP = 160  # 10 ms
_N_MELS = 40
_PARTIAL_FRAMES = 160  # 1.6 s per partial utterance
_NORM_TARGET_DBFS = -30.0
_VAD_WINDOW = 480  # 30 ms at 16 kHz
_VAD_AVERAGE_WIDTH = 8
_VAD_MAX_SILENCE = 6
_INT16_MAX = 2**15 - 1


def weights_path() -> Path | None:
    """Where the resemblyzer wheel put ``pretrained.pt`` (without importing the package)."""
    try:
        dist = metadata.distribution("resemblyzer")
    except metadata.PackageNotFoundError:
        return None
    path = Path(str(dist.locate_file("resemblyzer/pretrained.pt")))
    return path if path.is_file() else None


def encoder_available() -> bool:
    return weights_path() is not None and util.find_spec("torch") is not None


# -- features ------------------------------------------------------------------------------------
def _hz_to_mel(hz: np.ndarray) -> np.ndarray:
    # Slaney's auditory toolbox scale (librosa's default, htk=False): linear below 1 kHz, log above.
    f_sp = 200.0 / 3
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = np.log(6.4) / 27.0
    hz = np.asarray(hz, dtype=np.float64)
    mels = hz / f_sp
    above = hz >= min_log_hz
    mels[above] = min_log_mel + np.log(hz[above] / min_log_hz) / logstep
    return mels


def _mel_to_hz(mels: np.ndarray) -> np.ndarray:
    f_sp = 200.0 / 3
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = np.log(6.4) / 27.0
    mels = np.asarray(mels, dtype=np.float64)
    hz = f_sp * mels
    above = mels >= min_log_mel
    hz[above] = min_log_hz * np.exp(logstep * (mels[above] - min_log_mel))
    return hz


@functools.cache
def mel_filterbank() -> np.ndarray:
    """librosa.filters.mel(sr=16000, n_fft=400, n_mels=40) with Slaney area normalisation."""
    fft_freqs = np.fft.rfftfreq(_N_FFT, 1.0 / SAMPLE_RATE)
    mel_f = _mel_to_hz(np.linspace(_hz_to_mel(np.array([0.0]))[0],
                                   _hz_to_mel(np.array([SAMPLE_RATE / 2]))[0], _N_MELS + 2))
    fdiff = np.diff(mel_f)
    ramps = np.subtract.outer(mel_f, fft_freqs)
    weights = np.zeros((_N_MELS, len(fft_freqs)))
    for i in range(_N_MELS):
        lower = -ramps[i] / fdiff[i]
        upper = ramps[i + 2] / fdiff[i + 1]
        weights[i] = np.maximum(0, np.minimum(lower, upper))
    weights *= (2.0 / (mel_f[2 : _N_MELS + 2] - mel_f[:_N_MELS]))[:, None]
    return weights


def mel_spectrogram(wav: np.ndarray) -> np.ndarray:
    """Power mel spectrogram, frames × 40 (not log: the encoder was trained on linear power)."""
    padded = np.pad(wav.astype(np.float64), _N_FFT // 2)  # librosa: center=True, zero padding
    n_frames = 1 + (len(padded) - _N_FFT) // _HOP
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(_N_FFT) / _N_FFT)  # periodic Hann
    idx = np.arange(_N_FFT)[None, :] + _HOP * np.arange(n_frames)[:, None]
    power = np.abs(np.fft.rfft(padded[idx] * window, axis=1)) ** 2
    return (power @ mel_filterbank().T).astype(np.float32)


def normalize_volume(wav: np.ndarray) -> np.ndarray:
    """Raise quiet audio to -30 dBFS (never lower it), as the encoder's training data was."""
    rms = float(np.sqrt(np.mean(wav.astype(np.float64) ** 2))) if len(wav) else 0.0
    gain = volume_gain(rms)
    return wav if gain == 1.0 else (wav * gain).astype(np.float32)


def volume_gain(rms: float) -> float:
    """The factor ``normalize_volume`` applies to audio of this RMS (full scale 1.0); never below 1."""
    if rms <= 0:
        return 1.0
    change = _NORM_TARGET_DBFS - 20 * np.log10(rms)
    return 1.0 if change < 0 else float(10 ** (change / 20))


def voiced_mask(wav: np.ndarray) -> np.ndarray:
    """Per-sample voice activity (webrtcvad, mode 3, smoothed and dilated like resemblyzer's)."""
    import webrtcvad  # from webrtcvad-wheels

    usable = len(wav) - len(wav) % _VAD_WINDOW
    if usable == 0:
        return np.zeros(len(wav), dtype=bool)
    pcm = (np.clip(wav[:usable], -1, 1) * _INT16_MAX).round().astype("<i2").tobytes()
    vad = webrtcvad.Vad(3)
    flags = np.array([
        vad.is_speech(pcm[start * 2 : (start + _VAD_WINDOW) * 2], SAMPLE_RATE)
        for start in range(0, usable, _VAD_WINDOW)
    ], dtype=float)
    width = _VAD_AVERAGE_WIDTH
    padded = np.concatenate((np.zeros((width - 1) // 2), flags, np.zeros(width // 2)))
    smooth = np.convolve(padded, np.ones(width) / width, mode="valid")
    mask = np.round(smooth).astype(bool)
    from scipy.ndimage import binary_dilation

    mask = binary_dilation(mask, np.ones(_VAD_MAX_SILENCE + 1))
    full = np.repeat(mask, _VAD_WINDOW)
    return np.concatenate((full, np.zeros(len(wav) - usable, dtype=bool)))


# -- the network ---------------------------------------------------------------------------------
class VoiceEncoder:
    """Resemblyzer's 3-layer LSTM speaker encoder (256-d, L2-normalised, non-negative)."""

    def __init__(self) -> None:
        path = weights_path()
        if path is None:
            raise DiarizationUnavailable("the resemblyzer voice encoder weights")
        try:
            import torch
        except ImportError as exc:
            raise DiarizationUnavailable("torch") from exc
        self._torch = torch
        torch.set_num_threads(max(1, min(2, torch.get_num_threads())))
        self.lstm = torch.nn.LSTM(_N_MELS, 256, 3, batch_first=True)
        self.linear = torch.nn.Linear(256, 256)
        checkpoint = torch.load(path, map_location="cpu", weights_only=False)
        state: dict[str, Any] = checkpoint["model_state"]
        self.lstm.load_state_dict({k[5:]: v for k, v in state.items() if k.startswith("lstm.")})
        self.linear.load_state_dict({k[7:]: v for k, v in state.items() if k.startswith("linear.")})
        self.lstm.eval()
        self.linear.eval()

    def embed_partials(self, mels: np.ndarray) -> np.ndarray:
        torch = self._torch
        with torch.no_grad():
            _, (hidden, _) = self.lstm(torch.from_numpy(mels))
            raw = torch.relu(self.linear(hidden[-1]))
            out = raw / torch.norm(raw, dim=1, keepdim=True).clamp_min(1e-9)
        return np.asarray(out.numpy())

    def embed_utterance(
        self, wav: np.ndarray, *, rate: float = 1.3, min_coverage: float = 0.75
    ) -> np.ndarray:
        """Mean of 1.6 s partial embeddings, as ``resemblyzer.VoiceEncoder.embed_utterance``."""
        n_frames = int(np.ceil((len(wav) + 1) / _HOP))
        step = int(np.round((SAMPLE_RATE / rate) / _HOP))
        starts = list(range(0, max(1, n_frames - _PARTIAL_FRAMES + step + 1), step))
        last = starts[-1] * _HOP
        coverage = (len(wav) - last) / (_PARTIAL_FRAMES * _HOP)
        if coverage < min_coverage and len(starts) > 1:
            starts = starts[:-1]
        needed = (starts[-1] + _PARTIAL_FRAMES) * _HOP
        if needed >= len(wav):
            wav = np.pad(wav, (0, needed - len(wav)))
        mel = mel_spectrogram(wav)
        mels = np.stack([mel[s : s + _PARTIAL_FRAMES] for s in starts])
        partials = self.embed_partials(mels)
        mean = partials.mean(axis=0)
        return np.asarray(mean / np.linalg.norm(mean), dtype=np.float32)


@functools.cache
def load_encoder() -> VoiceEncoder:
    """One encoder per process: loading the weights takes ~0.1 s, but there is no reason to repeat it."""
    return VoiceEncoder()
