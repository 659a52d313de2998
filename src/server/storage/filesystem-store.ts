import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ServiceUnavailableError } from '../integrations/resilience';
import { assertValidContentType, assertValidKey, type ObjectStore, type StoredObject } from './store';

/**
 * The embedded default: one file per object under `rootDir` (`<DATA_DIR>/objects`), at the key's path.
 *
 * The content type lives in the object's own file, as a one-line header before the bytes, not in a sidecar: a put
 * then replaces type and bytes with one rename, so no reader (and no crash) can pair new bytes with the old type or
 * see an object without its type, and there is no second file that could be mistaken for an object. Deriving the
 * type from the key's extension would lose what the caller said (a `.jpg` key holding a PNG).
 *
 * Writes go to a temp file in the same directory, are fsynced and then renamed over the target, so an object is
 * whole or absent. Temp names contain `~`, which no valid key does: a leftover of a crash can never be read as an
 * object (it is garbage on disk, nothing more). The filesystem cannot hold both `a/b` and `a/b/c` as S3 can; our
 * keys end in a file name with an extension, so they never collide that way, and a put that does is refused.
 */

const MAGIC = Buffer.from('myinventory-object/1\n');
const NEWLINE = 0x0a;

/** Codes that mean "no object at this key" on a read or delete. */
const ABSENT = new Set(['ENOENT', 'ENOTDIR', 'EISDIR']);
/** Codes that mean a key's path collides with another object's (a file where a directory must be, or vice versa). */
const PATH_CONFLICT = new Set(['ENOTDIR', 'EISDIR', 'EEXIST']);
/** Platforms that cannot fsync a directory say so with these; the rename itself is still atomic there. */
const NO_DIRECTORY_SYNC = new Set(['EINVAL', 'EISDIR', 'EPERM', 'EBADF']);

const codeOf = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : undefined;

/** sha256 of the bytes, shortened: stable across processes and restarts, changes whenever the content does. */
export const contentEtag = (body: Buffer) => createHash('sha256').update(body).digest('hex').slice(0, 32);

/** What is left of `parts` once their first `written` bytes are on disk. */
function unwritten(parts: Buffer[], written: number): Buffer[] {
  let skip = written;
  const left: Buffer[] = [];
  for (const part of parts) {
    if (skip >= part.length) skip -= part.length;
    else {
      left.push(skip > 0 ? part.subarray(skip) : part);
      skip = 0;
    }
  }
  return left;
}

export function createFilesystemStore(rootDir: string): ObjectStore {
  const root = path.resolve(rootDir);
  const pathOf = (key: string) => {
    assertValidKey(key);
    return path.join(root, ...key.split('/'));
  };

  /**
   * I/O failures of the disk (EIO, ENOSPC, EACCES, EROFS, EMFILE...) are the store being unusable: the breaker counts
   * them. An abort by the caller's signal stays what it is.
   */
  const failure = (error: unknown, what: string, signal?: AbortSignal): unknown => {
    if (signal?.aborted) return error;
    const code = codeOf(error);
    if (!code) return error;
    const message = (error as Error).message;
    return new ServiceUnavailableError('storage', `filesystem store: ${what} failed: ${message.includes(code) ? message : `${code} ${message}`}`);
  };

  return {
    kind: 'filesystem',

    async put(key, body, contentType, signal) {
      const file = pathOf(key);
      assertValidContentType(contentType);
      if (!Buffer.isBuffer(body)) throw new Error('storage: put needs a Buffer body');
      signal?.throwIfAborted();
      const dir = path.dirname(file);
      const temp = `${file}~${randomBytes(8).toString('hex')}.tmp`;
      const header = Buffer.from(`${JSON.stringify({ contentType })}\n`);
      try {
        await fs.mkdir(dir, { recursive: true, mode: 0o700 });
        const handle = await fs.open(temp, 'wx', 0o600);
        try {
          // The parts as they are (no copy of a photo-sized body per object written), until all are written: a
          // short write is followed by one that says why (EFBIG, ENOSPC).
          let parts = [MAGIC, header, body];
          while (parts.length > 0) {
            const { bytesWritten } = await handle.writev(parts);
            signal?.throwIfAborted();
            parts = unwritten(parts, bytesWritten);
          }
          await handle.sync();
        } finally {
          await handle.close();
        }
        signal?.throwIfAborted();
        await fs.rename(temp, file);
      } catch (error) {
        await fs.rm(temp, { force: true }).catch(() => undefined);
        const code = codeOf(error);
        if (code && PATH_CONFLICT.has(code) && !signal?.aborted) {
          throw new Error(`storage: key ${key} collides with another object's path in the filesystem store (${code})`);
        }
        throw failure(error, `put ${key}`, signal);
      }
      // The rename is durable once the directory entry is: without this a power cut may bring the old object back.
      await syncDirectory(dir).catch((error: unknown) => {
        throw failure(error, `put ${key} (directory sync)`, signal);
      });
    },

    async get(key, signal) {
      const file = pathOf(key);
      signal?.throwIfAborted();
      let raw: Buffer;
      try {
        raw = await fs.readFile(file, { signal });
      } catch (error) {
        const code = codeOf(error);
        if (code && ABSENT.has(code)) return null;
        throw failure(error, `get ${key}`, signal);
      }
      return decode(raw, key);
    },

    async delete(keys, signal) {
      const files = [...new Set(keys)].map(pathOf); // every key checked before the first unlink
      for (const file of files) {
        signal?.throwIfAborted();
        try {
          await fs.unlink(file);
        } catch (error) {
          const code = codeOf(error);
          if (code && ABSENT.has(code)) continue;
          throw failure(error, `delete ${path.relative(root, file)}`, signal);
        }
      }
    },

    async check(signal) {
      signal?.throwIfAborted();
      // A write, not just a stat: a full disk, a read-only mount or lost permissions must show here, not at the next upload.
      const probe = path.join(root, `.check~${randomBytes(8).toString('hex')}.tmp`);
      try {
        await fs.mkdir(root, { recursive: true, mode: 0o700 });
        await fs.writeFile(probe, 'ok', { mode: 0o600, flag: 'wx', signal });
        await fs.unlink(probe);
      } catch (error) {
        await fs.rm(probe, { force: true }).catch(() => undefined);
        throw failure(error, 'check', signal);
      }
    },
  };
}

async function syncDirectory(dir: string): Promise<void> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(dir, 'r');
  } catch (error) {
    if (NO_DIRECTORY_SYNC.has(codeOf(error) ?? '')) return;
    throw error;
  }
  try {
    await handle.sync();
  } catch (error) {
    if (!NO_DIRECTORY_SYNC.has(codeOf(error) ?? '')) throw error;
  } finally {
    await handle.close();
  }
}

/** The file's header line, then the bytes. Anything else under the root is not ours to serve. */
function decode(raw: Buffer, key: string): StoredObject {
  const end = raw.indexOf(NEWLINE, MAGIC.length);
  let contentType: unknown;
  if (raw.subarray(0, MAGIC.length).equals(MAGIC) && end !== -1) {
    try {
      contentType = (JSON.parse(raw.subarray(MAGIC.length, end).toString('utf8')) as { contentType?: unknown }).contentType;
    } catch {
      contentType = undefined;
    }
  }
  if (typeof contentType !== 'string') throw new Error(`storage: the file of ${key} is not a stored object (damaged or written by something else)`);
  const body = raw.subarray(end + 1);
  return { body, contentType, size: body.length, etag: contentEtag(body) };
}
