import { availableParallelism } from 'node:os';
import { bulkhead } from 'cockatiel';
import sharp, { type Metadata, type Sharp } from 'sharp';

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
  try {
    return await conversions.execute(() => reduce(input, meta.format === 'jpeg' || meta.format === 'png' ? meta.format : 'webp'));
  } catch (error) {
    // A header that promised an image over data that is not one (truncated, corrupt).
    throw new PhotoRejected('image_invalid', `The image could not be read: ${(error as Error).message}`);
  }
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
