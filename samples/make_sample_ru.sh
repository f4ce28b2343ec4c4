#!/bin/sh
# Regenerates meeting_ru.wav from meeting_ru.script.txt.
# Engine: Festival with the Debian voice festvox-ru (msu_ru_nsh_clunits, a male Russian unit-selection
# voice recorded at Moscow State University); the second speaker is the same voice shifted in pitch and
# tempo by sox. Whisper base WER (an earlier wording of this script): espeak-ng -v ru 0.51,
# retro-ru-tts (PyPI) 0.54, Festival with one voice 0.20; this file 0.098 (tests/test_sample_ru.py).
# Lines were reworded until base heard them: "менеджер по продажам" (heard "меня джер по продажим")
# became "руководитель отдела продаж в компании", "привезти" (heard "привести") became "доставить".
# Only needed to change the sample; the wav is committed so tests need none of these tools.
# Needs: apt-get install -y festival festvox-ru sox
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
i=0
grep -v '^#' "$here/meeting_ru.script.txt" | while IFS='|' read -r speaker voice tempo pitch text; do
    i=$((i + 1))
    n=$(printf '%02d' "$i")
    # the voice reads UTF-8 text from a file
    printf '%s\n' "$text" > "$work/utt_$n.txt"
    text2wave -eval "(voice_$voice)" "$work/utt_$n.txt" -o "$work/raw_$n.wav"
    # no dither (-D) so a rerun gives the same bytes; 16 kHz mono, this speaker's pitch/tempo, then 0.5 s of silence so turns stay separate segments
    sox -D "$work/raw_$n.wav" -r 16000 -c 1 -b 16 "$work/utt_$n.wav" pitch "$pitch" tempo "$tempo" pad 0 0.5
done
sox $(ls "$work"/utt_*.wav | sort) "$here/meeting_ru.wav"
soxi "$here/meeting_ru.wav"
