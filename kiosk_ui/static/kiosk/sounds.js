// The kiosk's sounds: one per kind of answer, made on the spot (no files to load).
let audio = null;

/** Plays the sound of a kind of answer: "ok", "warn" or "bad". */
export function beep(kind) {
  try {
    audio = audio || new AudioContext();
    const notes = { ok: [660, 880], warn: [520, 520], bad: [220, 180] }[kind];
    notes.forEach((frequency, i) => {
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      oscillator.frequency.value = frequency;
      oscillator.type = kind === "bad" ? "square" : "sine";
      gain.gain.value = 0.15;
      oscillator.connect(gain).connect(audio.destination);
      const start = audio.currentTime + i * 0.14;
      oscillator.start(start);
      oscillator.stop(start + 0.12);
    });
  } catch (error) {
    // No audio device: the screen still says everything.
  }
}

