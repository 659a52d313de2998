import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { makePhotoJpeg } from '../../../tests/helpers/openfoodfacts-standin';
import { stripJpegMetadata } from './jpeg-strip';
import { sanitizePhoto } from './photo';

const pixels = async (jpeg: Buffer) => (await sharp(jpeg).raw().toBuffer()).toString('base64');

describe('a JPEG without its metadata', () => {
  it('drops EXIF (location), XMP and comments losslessly: the same pixels, no decode', async () => {
    const base = await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 10, g: 120, b: 200 } } }).jpeg({ progressive: true }).toBuffer();
    const tagged = await sharp(base)
      .withExif({ IFD0: { Copyright: 'Loja 1', ImageDescription: 'gôndola' }, IFD3: { GPSLatitudeRef: 'S', GPSLatitude: '23/1 33/1 0/1' } })
      .withXmp('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></x:xmpmeta>')
      .jpeg({ progressive: true })
      .toBuffer();
    expect((await sharp(tagged).metadata()).exif).toBeDefined();
    const withTrailer = Buffer.concat([tagged, Buffer.from('TRAILER with GPS 23.55S 46.63W')]);
    const stripped = stripJpegMetadata(withTrailer)!;
    const meta = await sharp(stripped).metadata();
    expect([meta.exif, meta.xmp, meta.format, meta.width]).toEqual([undefined, undefined, 'jpeg', 320]);
    expect(stripped.includes(Buffer.from('TRAILER'))).toBe(false);
    expect(stripped.includes(Buffer.from('Loja 1'))).toBe(false);
    expect(await pixels(stripped)).toBe(await pixels(tagged));
  });

  it('refuses what it cannot walk, and sanitizePhoto re-encodes a rotated photo upright without metadata', async () => {
    expect(stripJpegMetadata(Buffer.from('not a jpeg'))).toBeNull();
    const truncated = (await sharp({ create: { width: 64, height: 64, channels: 3, background: '#888' } }).jpeg().toBuffer()).subarray(0, 200);
    expect(stripJpegMetadata(truncated)).toBeNull();
    // The stand-in's photo: 800 × 600 stored sideways (EXIF orientation 6) with GPS.
    const sideways = await makePhotoJpeg();
    const sanitized = await sanitizePhoto(sideways, { maxPixels: 40_000_000 });
    expect(sanitized.reencoded).toBe(true);
    const meta = await sharp(sanitized.original.body).metadata();
    expect([meta.width, meta.height, meta.exif, meta.orientation]).toEqual([600, 800, undefined, undefined]);
    // What a tablet sends (upright, no EXIF) is kept as it is.
    const tablet = await sharp({ create: { width: 1600, height: 1200, channels: 3, background: '#4a4' } }).jpeg({ quality: 85 }).toBuffer();
    const kept = await sanitizePhoto(tablet, { maxPixels: 40_000_000 });
    expect(kept.reencoded).toBe(false);
    expect(kept.original.body.equals(tablet)).toBe(true);
  });
});
