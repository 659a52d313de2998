import type { ObjectStore } from '../storage/store';
import type { PreparedPhoto } from './photo';

/** The files of one stored photo under its key (products.image_key). */
export const photoKeys = (key: string) => ({ original: `${key}/original`, large: `${key}/512.webp`, thumb: `${key}/128.webp` });
export type PhotoSize = 'original' | 'large' | 'thumb';

/** Writes a prepared photo's three files under `key` (the same key again overwrites them). */
export async function storePhoto(storage: ObjectStore, key: string, photo: PreparedPhoto): Promise<void> {
  const files = photoKeys(key);
  await Promise.all([
    storage.put(files.original, photo.original.body, photo.original.contentType),
    storage.put(files.large, photo.large, 'image/webp'),
    storage.put(files.thumb, photo.thumb, 'image/webp'),
  ]);
}

/** Deletes a photo's files that nothing points at any more; a failure is logged, not thrown (the row is already right). */
export async function deletePhoto(storage: ObjectStore, key: string, logger: { warn: (obj: object, msg: string) => void }): Promise<void> {
  const files = photoKeys(key);
  await storage.delete([files.original, files.large, files.thumb]).catch((error: unknown) => logger.warn({ err: error, key }, 'old photo files not deleted'));
}
