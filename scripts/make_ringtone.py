"""Synthesise the agent desktop's ringtone (a classic two-tone ring) into assets/audio/ring.wav."""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

RATE = 16_000
TARGET = Path(__file__).resolve().parents[1] / 'assets' / 'audio' / 'ring.wav'


def ring_samples() -> list[int]:
    samples: list[int] = []
    for burst in range(2):
        for n in range(int(RATE * 0.4)):
            t = n / RATE
            fade = min(1.0, n / 400, (RATE * 0.4 - n) / 400)
            value = 0.35 * fade * (math.sin(2 * math.pi * 440 * t) + math.sin(2 * math.pi * 480 * t))
            samples.append(int(value * 32767 / 2))
        samples.extend([0] * int(RATE * (0.2 if burst == 0 else 1.0)))
    return samples


def main() -> None:
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(TARGET), 'wb') as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(struct.pack(f'<{len(s := ring_samples())}h', *s))


if __name__ == '__main__':
    main()
