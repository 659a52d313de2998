/**
 * Decides which camera reads become scans. A camera reads the same label many times a second while the clerk
 * holds it up, and misses it now and then (a blurred frame, a reflection). A clerk expects one can held in
 * front of the camera to count once, and the next can of the same product to count again once the first one
 * has been taken away. So:
 * - a code is accepted when `confirmReads` consecutive reads agree (one misread frame never counts);
 * - the accepted code is then held: it is not accepted again while it stays in view, and a few missed reads do
 *   not count as "taken away";
 * - it is released (and may be accepted again) once it has been absent from at least `releaseAfterMisses`
 *   consecutive reads spanning at least `releaseAfterMs`, or as soon as another code is accepted.
 * Both release conditions are needed because read rates differ: a fast device misses many frames in a short
 * blur, a slow one (ZXing on an old tablet) may miss only one read in a second.
 */
export type CameraCodeGateOptions = { confirmReads: number; releaseAfterMisses: number; releaseAfterMs: number };

export const DEFAULT_CAMERA_GATE: CameraCodeGateOptions = { confirmReads: 2, releaseAfterMisses: 3, releaseAfterMs: 800 };

export class CameraCodeGate {
  private candidate: string | null = null;
  private candidateReads = 0;
  private held: string | null = null;
  private heldLastSeenAt = 0;
  private heldMisses = 0;

  constructor(private readonly options: CameraCodeGateOptions = DEFAULT_CAMERA_GATE) {}

  /** One read of a frame (`null`: no code in it) at time `now` (ms); returns the code to count, or null. */
  read(code: string | null, now: number): string | null {
    if (this.held !== null) {
      if (code === this.held) {
        this.heldLastSeenAt = now;
        this.heldMisses = 0;
      } else {
        this.heldMisses += 1;
        if (this.heldMisses >= this.options.releaseAfterMisses && now - this.heldLastSeenAt >= this.options.releaseAfterMs) this.held = null;
      }
    }

    if (code === null || code === this.held) {
      this.candidate = null;
      this.candidateReads = 0;
      return null;
    }
    this.candidateReads = code === this.candidate ? this.candidateReads + 1 : 1;
    this.candidate = code;
    if (this.candidateReads < this.options.confirmReads) return null;

    this.held = code;
    this.heldLastSeenAt = now;
    this.heldMisses = 0;
    this.candidate = null;
    this.candidateReads = 0;
    return code;
  }
}
