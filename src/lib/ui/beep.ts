let context: AudioContext | null = null;

/**
 * A short tone through WebAudio, so a clerk looking at the shelf hears that a scan failed. Best effort: browsers
 * without audio, or that block it before a user gesture, stay silent.
 */
export function beep({ frequency = 330, durationMs = 180 }: { frequency?: number; durationMs?: number } = {}): void {
  try {
    const AudioContextClass = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
    if (!AudioContextClass) return;
    context ??= new AudioContextClass();
    if (context.state === 'suspended') void context.resume();
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    oscillator.type = 'square';
    oscillator.frequency.value = frequency;
    gain.gain.value = 0.06;
    oscillator.connect(gain).connect(context.destination);
    const now = context.currentTime;
    oscillator.start(now);
    oscillator.stop(now + durationMs / 1000);
  } catch {
    // No sound is better than a broken scan.
  }
}
