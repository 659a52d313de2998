/**
 * A camera's view of an EAN-13 label, as a Y4M video for Chromium's fake capture device
 * (`--use-file-for-fake-video-capture=<file>.y4m`, which plays the file in a loop). Pure TypeScript, no ffmpeg:
 * Y4M is a text header, then per frame `FRAME\n` and the raw Y, U and V planes (4:2:0).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { isValidEan13 } from '../../src/lib/ean';

/** Left-hand odd-parity ("L") patterns; R is L inverted, G is R reversed. 1 = dark module. */
const L_CODES = ['0001101', '0011001', '0010011', '0111101', '0100011', '0110001', '0101111', '0111011', '0110111', '0001011'];
const R_CODES = L_CODES.map((p) => [...p].map((bit) => (bit === '1' ? '0' : '1')).join(''));
const G_CODES = R_CODES.map((p) => [...p].reverse().join(''));
/** The first digit is not drawn: it is the L/G pattern of the six left-hand digits. */
const PARITY = ['LLLLLL', 'LLGLGG', 'LLGGLG', 'LLGGGL', 'LGLLGG', 'LGGLLG', 'LGGGLL', 'LGLGLG', 'LGLGGL', 'LGGLGL'];

/** The 95 modules of an EAN-13 symbol, left to right (true = bar). */
export function ean13Modules(code: string): boolean[] {
  if (!isValidEan13(code)) throw new Error(`not a valid EAN-13: "${code}"`);
  const digits = [...code].map(Number);
  const parity = PARITY[digits[0]!]!;
  let bits = '101';
  for (let i = 1; i <= 6; i++) bits += (parity[i - 1] === 'L' ? L_CODES : G_CODES)[digits[i]!]!;
  bits += '01010';
  for (let i = 7; i <= 12; i++) bits += R_CODES[digits[i]!]!;
  bits += '101';
  return [...bits].map((bit) => bit === '1');
}

export type Ean13VideoOptions = {
  width?: number;
  height?: number;
  moduleWidth?: number;
  fps?: number;
  /** Length of one loop of the video. */
  seconds?: number;
  /** Blank frames at the end of each loop: the label out of sight for a moment (a hand passing, a reflection). */
  gapFrames?: number;
};

/** One frame's luma: the symbol centred, black bars on white, with at least the 11/7-module quiet zones. */
function lumaPlane(code: string, width: number, height: number, moduleWidth: number): Uint8Array {
  const modules = ean13Modules(code);
  const symbolWidth = modules.length * moduleWidth;
  const left = Math.floor((width - symbolWidth) / 2);
  if (left < 11 * moduleWidth) throw new Error(`a ${width}px frame is too narrow for modules of ${moduleWidth}px and their quiet zones`);
  const top = Math.round(height * 0.2);
  const bottom = Math.round(height * 0.8);
  const plane = new Uint8Array(width * height).fill(255);
  for (let y = top; y < bottom; y++) {
    modules.forEach((bar, m) => {
      if (bar) plane.fill(0, y * width + left + m * moduleWidth, y * width + left + (m + 1) * moduleWidth);
    });
  }
  return plane;
}

/** The whole .y4m: `seconds` of identical frames (grey chroma), 640×480 with 5 px modules unless told. */
export function ean13Y4m(code: string, { width = 640, height = 480, moduleWidth = 5, fps = 10, seconds = 3, gapFrames = 0 }: Ean13VideoOptions = {}): Buffer {
  if (width % 2 || height % 2) throw new Error('4:2:0 needs an even width and height');
  const frames = Math.round(fps * seconds);
  if (gapFrames >= frames) throw new Error(`a gap of ${gapFrames} frames leaves no frame with the label in ${frames}`);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420jpeg\n`, 'ascii');
  const chroma = Buffer.alloc((width * height) / 2, 128);
  const label = Buffer.concat([Buffer.from('FRAME\n', 'ascii'), lumaPlane(code, width, height, moduleWidth), chroma]);
  const blank = Buffer.concat([Buffer.from('FRAME\n', 'ascii'), Buffer.alloc(width * height, 255), chroma]);
  return Buffer.concat([header, ...Array<Buffer>(frames - gapFrames).fill(label), ...Array<Buffer>(gapFrames).fill(blank)]);
}

/** Writes the video to `path` (its folder is created) and returns the path, for the Chromium flag. */
export function writeEan13Y4m(path: string, code: string, options?: Ean13VideoOptions): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, ean13Y4m(code, options));
  return path;
}
