import { availableParallelism } from 'node:os';
import { bulkhead } from 'cockatiel';
import sharp, { type Metadata, type Sharp } from 'sharp';
import { stripJpegMetadata } from './jpeg-strip';

/** Why a photo was refused: what manual review shows. */
export class PhotoRejected extends Error {
  override name = 'PhotoRejected';
  constructor(
    readonly reason: 'image_invalid' | 'image_too_large',
    message: string,
  ) {
    super(message);
  }
}

export type PreparedPhoto = {
  /** The photo upright, metadata (EXIF, GPS, ICC comments) stripped, at most ORIGINAL_MAX px on its longest side. */
  original: { body: Buffer; contentType: string };
  /** 512 px WebP: the product page, the review screen and what the scorer sees. */
  large: Buffer;
  /** 128 px WebP: lists and the scanner. */
  thumb: Buffer;
  width: number;
  height: number;
};

const ORIGINAL_MAX = 2048;

/**
 * Conversions at once in this process: as many as cores. The pipeline runs many jobs at once because they wait on
 * the network; their CPU-bound part queues here instead of thirty of them sharing two cores (each slower, all later).
 */
const conversions = bulkhead(availableParallelism(), Number.MAX_SAFE_INTEGER);
const ACCEPTED = new Map([
  ['jpeg', 'image/jpeg'],
  ['png', 'image/png'],
  ['webp', 'image/webp'],
  ['avif', 'image/avif'],
  ['gif', 'image/gif'],
]);

/**
 * A downloaded or uploaded photo made safe to store and show. The format is what the bytes are (sharp reads the
 * content; a Content-Type or a file name is never trusted); the pixel count is checked from the header before
 * anything is decoded, so a 20,000 × 20,000 PNG of a few kilobytes stops here; orientation is applied and every
 * piece of metadata dropped (a tablet's photo carries its location).
 */
export async function preparePhoto(bytes: Buffer, opts: { maxPixels: number }): Promise<PreparedPhoto> {
  const { meta, input } = await inspectPhoto(bytes, opts);
  try {
    return await conversions.execute(() => reduce(input, meta.format === 'jpeg' || meta.format === 'png' ? meta.format : 'webp'));
  } catch (error) {
    // A header that promised an image over data that is not one (truncated, corrupt).
    throw new PhotoRejected('image_invalid', `The image could not be read: ${(error as Error).message}`);
  }
}

/**
 * What the bytes are (sharp reads the content's own header; a Content-Type or a file name is never trusted), and
 * that they are a photo we take: a known format, not tiny, not more pixels than `maxPixels` (checked from the header
 * before anything is decoded, so a 20,000 × 20,000 PNG of a few kilobytes stops here).
 */
async function inspectPhoto(bytes: Buffer, opts: { maxPixels: number }) {
  const input = () => sharp(bytes, { limitInputPixels: opts.maxPixels, failOn: 'error', animated: false });
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    throw new PhotoRejected('image_invalid', 'The file is not an image (its content is no JPEG, PNG, WebP, AVIF or GIF)');
  }
  const contentType = meta.format && ACCEPTED.get(meta.format);
  if (!contentType) throw new PhotoRejected('image_invalid', `Unsupported image format: ${meta.format ?? 'unknown'}`);
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (width < 16 || height < 16) throw new PhotoRejected('image_invalid', `The image is too small to show a product (${width} × ${height} px)`);
  if (width * height > opts.maxPixels) {
    throw new PhotoRejected('image_too_large', `The image has ${width} × ${height} px; at most ${opts.maxPixels.toLocaleString('en')} pixels are accepted`);
  }
  return { meta, input, width, height };
}

export type SanitizedPhoto = { original: { body: Buffer; contentType: string }; width: number; height: number; reencoded: boolean };

/**
 * An uploaded photo made safe to store, at the least cost: checked as preparePhoto checks it, then a JPEG that is
 * already upright and at most ORIGINAL_MAX px (what the tablet sends) loses its metadata losslessly
 * (jpeg-strip.ts, no re-encoding; a scaled decode checks its image data); anything else is re-encoded upright without metadata. Thumbnails are made later,
 * by the workers (makeThumbnails), so an upload burst costs the API server little CPU.
 */
export async function sanitizePhoto(bytes: Buffer, opts: { maxPixels: number }): Promise<SanitizedPhoto> {
  const { meta, input, width, height } = await inspectPhoto(bytes, opts);
  const upright = !meta.orientation || meta.orientation === 1;
  if (meta.format === 'jpeg' && upright && Math.max(width, height) <= ORIGINAL_MAX) {
    const stripped = stripJpegMetadata(bytes);
    if (stripped) {
      await assertJpegDecodes(stripped, width);
      return { original: { body: stripped, contentType: 'image/jpeg' }, width, height, reencoded: false };
    }
  }
  const format = meta.format === 'jpeg' || meta.format === 'png' ? meta.format : 'webp';
  try {
    // A JPEG's damaged data is refused here too, not re-encoded into grey blocks (checked first, at an eighth of the
    // size); other formats keep libvips' default, since PNG's warnings (an old colour profile) are no damage.
    if (meta.format === 'jpeg') await assertJpegDecodes(bytes, width);
    const { data, info } = await conversions.execute(() =>
      input()
        .rotate()
        .resize(ORIGINAL_MAX, ORIGINAL_MAX, { fit: 'inside', withoutEnlargement: true })
        .toFormat(format, format === 'png' ? {} : { quality: 88 })
        .toBuffer({ resolveWithObject: true }),
    );
    return { original: { body: data, contentType: `image/${format}` }, width: info.width, height: info.height, reencoded: true };
  } catch (error) {
    throw new PhotoRejected('image_invalid', `The image could not be read: ${(error as Error).message}`);
  }
}

/**
 * libjpeg's warnings that mean the image data is damaged: a scan cut short or broken by a stray marker ("premature
 * end of data segment"), an undecodable code, a decoder that lost its place. Other warnings are kept photos: some
 * phones' encoders write "Invalid SOS parameters for sequential JPEG" or padding "extraneous bytes before marker"
 * into every picture. (Flipped bits that still decode are picture content to any decoder: no check finds them.)
 */
const DAMAGED_JPEG = /premature end|huffman|resync/i;

/**
 * A JPEG kept as it came is decoded once here, at an eighth of its size (libjpeg's scaled decoding reads every bit
 * of the entropy-coded data but skips most of the arithmetic: ~4 ms for a tablet's 1,600 px photo, against ~7 for a
 * whole decode), so image data libjpeg finds damaged (DAMAGED_JPEG) is refused while the photo is still on the
 * tablet, instead of being stored and shown to the reviewer, and to Vision, as grey blocks.
 */
async function assertJpegDecodes(jpeg: Buffer, width: number) {
  try {
    await conversions.execute(() =>
      sharp(jpeg, { failOn: 'warning' })
        .resize({ width: Math.max(1, Math.ceil(width / 8)), fastShrinkOnLoad: true, kernel: 'nearest' })
        .raw()
        .toBuffer(),
    );
  } catch (error) {
    const message = (error as Error).message;
    if (DAMAGED_JPEG.test(message)) throw new PhotoRejected('image_invalid', `The photo's image data is damaged (${message.replace(/^VipsJpeg: /, '')}); take it again`);
    // A warning that is no damage (see DAMAGED_JPEG): decoded as libvips decodes by default, an error refused.
    try {
      await conversions.execute(() => sharp(jpeg, { failOn: 'error' }).resize({ width: Math.max(1, Math.ceil(width / 8)), fastShrinkOnLoad: true }).raw().toBuffer());
    } catch (again) {
      throw new PhotoRejected('image_invalid', `The image could not be read: ${(again as Error).message}`);
    }
  }
}

/**
 * The 512 px and 128 px WebP of a stored original (the workers' part of an upload): one input, each size decoded
 * at the scale it needs (JPEG shrink-on-load), WebP at effort 2 (a third less CPU than the default 4 for files a few
 * percent larger: a burst of 600 photos is judged sooner).
 */
export async function makeThumbnails(original: Buffer): Promise<{ large: Buffer; thumb: Buffer }> {
  return conversions.execute(async () => {
    const upright = sharp(original, { failOn: 'error' }).rotate();
    const [large, thumb] = await Promise.all([
      upright.clone().resize(512, 512, { fit: 'inside', withoutEnlargement: true }).webp({ quality: 80, effort: 2 }).toBuffer(),
      upright.clone().resize(128, 128, { fit: 'inside', withoutEnlargement: true }).webp({ quality: 75, effort: 2 }).toBuffer(),
    ]);
    return { large, thumb };
  });
}

/**
 * The three files, upright. The original is re-encoded in its own format (plain libjpeg at 88: mozjpeg's smaller
 * files cost three times the CPU, and the original is the size people rarely open).
 */
async function reduce(input: () => Sharp, originalFormat: 'jpeg' | 'png' | 'webp'): Promise<PreparedPhoto> {
  const upright = () => input().rotate();
  const [original, large, thumb] = await Promise.all([
    upright()
      .resize(ORIGINAL_MAX, ORIGINAL_MAX, { fit: 'inside', withoutEnlargement: true })
      .toFormat(originalFormat, originalFormat === 'png' ? {} : { quality: 88 })
      .toBuffer({ resolveWithObject: true }),
    upright().resize(512, 512, { fit: 'inside', withoutEnlargement: true }).webp({ quality: 80 }).toBuffer(),
    upright().resize(128, 128, { fit: 'inside', withoutEnlargement: true }).webp({ quality: 75 }).toBuffer(),
  ]);
  return {
    original: { body: original.data, contentType: `image/${originalFormat}` },
    large,
    thumb,
    width: original.info.width,
    height: original.info.height,
  };
}
