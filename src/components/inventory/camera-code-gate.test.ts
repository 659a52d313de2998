import { describe, expect, it } from 'vitest';
import { CameraCodeGate } from './camera-code-gate';

const A = '7891234500017';
const B = '7891234500024';

/** Feeds reads 120 ms apart (the scanner's pace) and returns what was accepted. */
function run(gate: CameraCodeGate, reads: (string | null)[], start = 0, stepMs = 120): string[] {
  const accepted: string[] = [];
  reads.forEach((code, i) => {
    const got = gate.read(code, start + i * stepMs);
    if (got) accepted.push(got);
  });
  return accepted;
}

describe('CameraCodeGate', () => {
  it('accepts a code only once two consecutive reads agree', () => {
    const gate = new CameraCodeGate();
    expect(run(gate, [A, null, A, B, A])).toEqual([]);
    expect(run(gate, [A], 1000)).toEqual([A]);
  });

  it('counts a code held in view once, however long it stays there', () => {
    expect(run(new CameraCodeGate(), Array<string>(200).fill(A))).toEqual([A]);
  });

  it('does not count again when a code held in view is missed in a few frames', () => {
    // A blurred frame every 4th read, and once a 500 ms blur: the label never left.
    const reads = Array.from({ length: 120 }, (_, i) => (i % 4 === 3 || (i >= 50 && i < 54) ? null : A));
    expect(run(new CameraCodeGate(), reads)).toEqual([A]);
  });

  it('does not release a code on a single missed read of a slow reader', () => {
    // One read a second: a single miss spans more than the release time but is only one read.
    expect(run(new CameraCodeGate(), [A, A, null, A, A, null, A, A], 0, 1000)).toEqual([A]);
  });

  it('counts the same code again once it has been out of view', () => {
    const gate = new CameraCodeGate();
    const away = Array<null>(8).fill(null); // ~1 s without it
    expect(run(gate, [A, A, A, ...away, A, A, A, ...away, A, A])).toEqual([A, A, A]);
  });

  it('counts another code at once, and the first again after it', () => {
    expect(run(new CameraCodeGate(), [A, A, B, B, A, A])).toEqual([A, B, A]);
  });

  it('ignores a single misread of another code while a code is held', () => {
    expect(run(new CameraCodeGate(), [A, A, B, A, A, B, A])).toEqual([A]);
  });
});
