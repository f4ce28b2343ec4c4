#!/bin/sh
# Regenerates meeting_en.wav from meeting_en.script.txt with espeak-ng voices joined by sox.
# Only needed to change the sample; the wav is committed so tests need neither tool.
# Needs: apt-get install -y espeak-ng sox
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
i=0
parts=""
grep -v '^#' "$here/meeting_en.script.txt" | while IFS='|' read -r speaker voice speed pitch text; do
    i=$((i + 1))
    n=$(printf '%02d' "$i")
    espeak-ng -v "$voice" -s "$speed" -p "$pitch" -w "$work/raw_$n.wav" "$text"
    # 16 kHz mono, then 0.4 s of silence after each turn so turns stay separate segments
    sox "$work/raw_$n.wav" -r 16000 -c 1 -b 16 "$work/utt_$n.wav" pad 0 0.4
done
sox $(ls "$work"/utt_*.wav | sort) "$here/meeting_en.wav"
soxi "$here/meeting_en.wav"
