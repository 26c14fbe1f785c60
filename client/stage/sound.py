"""The stage screen's sound: the stream's decoded audio fed to Panda3D at the screen's position (OpenAL).

The player's worker thread decodes the AAC track with the pictures; each
frame, what is due (media time up to the picture on screen plus a short
lead) is converted to 16-bit stereo and appended to a ``UserDataAudio``
stream, played by a positional sound attached to the screen node
(``Audio3DManager``), so the talk is heard from the stage and fades with
distance. Sound that is already past is dropped, never played late, so sound
and picture stay together for every viewer. Offscreen runs have no audio
device (Panda3D's null manager): the same data is fed and counted.
"""

from __future__ import annotations

from collections import deque

import numpy as np
from direct.showbase.Audio3DManager import Audio3DManager
from direct.showbase.ShowBase import ShowBase
from panda3d.core import NodePath, UserDataAudio

RATE, CHANNELS = 48000, 2
LEAD_S = 0.25  # fed ahead of the picture: the audio device's own buffer
LATE_S = 0.1  # sound older than this behind the picture is dropped


def to_pcm16(samples: np.ndarray) -> bytes:
    """PyAV's planar float frame (channels × n) -> interleaved 16-bit stereo bytes."""
    planes = np.atleast_2d(samples).astype(np.float32)
    if planes.shape[0] == 1:
        planes = np.repeat(planes, 2, axis=0)
    pcm = np.clip(planes[:2].T, -1.0, 1.0) * 32767.0
    return pcm.astype("<i2").tobytes()


class ScreenSound:
    def __init__(self, base: ShowBase, screen: NodePath):
        self.data = UserDataAudio(RATE, CHANNELS, True)
        self.fed_s = 0.0  # seconds of sound handed to the audio stream
        manager = base.sfxManagerList[0] if base.sfxManagerList else None
        self.audio3d = self.sound = None
        if manager is not None:
            self.sound = manager.getSound(self.data, True)
            self.audio3d = Audio3DManager(manager, base.camera)
            self.audio3d.attachSoundToObject(self.sound, screen)
            self.audio3d.setSoundMinDistance(self.sound, 6.0)
            self.sound.play()

    def feed(self, audio: deque[tuple[float, np.ndarray]], position: float) -> None:
        """Append what is due by ``position`` (media seconds); drop what is already past."""
        while audio:
            t, samples = audio[0]
            if t > position + LEAD_S:
                return
            audio.popleft()
            if t + samples.shape[-1] / RATE < position - LATE_S:
                continue
            self.data.append(to_pcm16(samples))
            self.fed_s += samples.shape[-1] / RATE

    def stop(self) -> None:
        if self.sound is not None:
            self.sound.stop()
            if self.audio3d is not None:
                self.audio3d.detachSound(self.sound)
        self.data.done()
