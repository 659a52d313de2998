/**
 * Draws the app's icons (tracked in public/icons/, run again only when the drawing changes):
 * `npx tsx scripts/build-icons.ts`. One drawing, a shelf of boxes with a check mark, in two frames: "any" (a
 * rounded tile with transparent corners) and "maskable" (full bleed, the drawing inside the central 80 % that
 * every launcher's mask keeps), at the sizes the web app manifest and iOS ask for.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import sharp from 'sharp';

const GREEN = '#0b5d3b';
const CREAM = '#f4f1e8';

/** The drawing on a 100 × 100 grid, centred; `scale` shrinks it around the centre. */
const glyph = (scale: number) => `
  <g transform="translate(50 50) scale(${scale}) translate(-50 -50)" fill="none" stroke="${CREAM}" stroke-width="5" stroke-linejoin="round" stroke-linecap="round">
    <path d="M18 74 H82" />
    <rect x="24" y="46" width="22" height="28" rx="2" fill="${CREAM}" stroke="none" />
    <rect x="50" y="34" width="26" height="40" rx="2" />
    <path d="M56 54 l6 6 l10 -13" />
    <rect x="29" y="28" width="12" height="14" rx="2" />
  </g>`;

const any = (size: number) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 100 100"><rect x="0" y="0" width="100" height="100" rx="22" fill="${GREEN}"/>${glyph(1)}</svg>`;
const maskable = (size: number) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 100 100"><rect width="100" height="100" fill="${GREEN}"/>${glyph(0.78)}</svg>`;
/** iOS rounds the corners itself and shows no transparency: full bleed, like maskable, a little larger. */
const apple = (size: number) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 100 100"><rect width="100" height="100" fill="${GREEN}"/>${glyph(0.9)}</svg>`;

const outputs: [string, string][] = [
  ['icon-192.png', any(192)],
  ['icon-512.png', any(512)],
  ['icon-maskable-192.png', maskable(192)],
  ['icon-maskable-512.png', maskable(512)],
  ['apple-touch-icon.png', apple(180)],
];

mkdirSync('public/icons', { recursive: true });
writeFileSync('public/icons/icon.svg', any(512));
for (const [file, svg] of outputs) {
  await sharp(Buffer.from(svg)).png({ compressionLevel: 9, palette: true }).toFile(`public/icons/${file}`);
}
process.stderr.write(`icons: ${outputs.map(([f]) => f).join(', ')} and icon.svg in public/icons\n`);
