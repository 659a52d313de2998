/**
 * Decides which camera reads become scans: one can held up counts once, the next can again once the first is gone.
 * A code is accepted after `confirmReads` agreeing reads, held while in view, and released after
 * `releaseAfterMisses` missed reads spanning `releaseAfterMs` (both: read rates differ; docs/architecture.md).
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
