import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress as brotliCompressCallback, constants, gzip as gzipCallback } from 'node:zlib';
import superjson from 'superjson';

/**
 * A cached answer's bytes, made once: `json` is exactly what tRPC writes as a call's `result.data` (superjson applied,
 * then JSON), `etag` its version (a hash of those bytes, so every instance that holds the same entry agrees).
 * Compressed copies of whole bodies are made on first demand and kept with it.
 */
export type PreparedAnswer = {
  json: Buffer;
  etag: string;
  /** Whole response bodies by envelope and encoding (`single:gzip`, `batch:br`, …). */
  bodies: Map<string, Buffer>;
};

const brotliCompress = promisify(brotliCompressCallback);
const gzip = promisify(gzipCallback);

/** Answers made by `answerOfEntry` (their bytes are worth keeping), and the bytes once made. */
const preparable = new WeakSet<object>();
const prepared = new WeakMap<object, PreparedAnswer>();
const answersOfEntry = new WeakMap<object, Map<string, object>>();

/**
 * The answer a cached entry gives one kind of caller (`variant`: what differs between callers, e.g. the role), the
 * same object every time for the same entry object: its bytes are then serialized once, however many hits follow.
 * `make` builds it from the entry on first use. Procedures return it as any answer; server-side callers get data.
 */
export function answerOfEntry<T extends object>(entry: object, variant: string, make: () => T): T {
  let answers = answersOfEntry.get(entry);
  if (!answers) answersOfEntry.set(entry, (answers = new Map()));
  let answer = answers.get(variant) as T | undefined;
  if (!answer) {
    // Shared by every caller of the entry, and its bytes made from it once: nobody may change it afterwards.
    answer = Object.freeze(make());
    answers.set(variant, answer);
    preparable.add(answer);
  }
  return answer;
}

/** The prepared bytes of an answer made by `answerOfEntry`; undefined for any other value (serialize it per request). */
export function preparedOf(answer: unknown): PreparedAnswer | undefined {
  if (!answer || typeof answer !== 'object' || !preparable.has(answer)) return undefined;
  let made = prepared.get(answer);
  if (!made) {
    made = prepareAnswer(answer);
    prepared.set(answer, made);
  }
  return made;
}

/** What tRPC would write as `result.data` for this value (superjson, then JSON), and its version. */
export function prepareAnswer(data: unknown): PreparedAnswer {
  const json = Buffer.from(JSON.stringify(superjson.serialize(data)));
  return { json, etag: createHash('sha1').update(json).digest('base64url'), bodies: new Map() };
}

export type Encoding = 'br' | 'gzip';

/**
 * Compression of answers: brotli at a middle quality (about as fast as gzip's default, smaller), gzip otherwise. A
 * prepared body is compressed once; other answers per request.
 */
export function compress(body: Buffer, encoding: Encoding): Promise<Buffer> {
  // On libuv's threads, not the event loop: an answer that is not kept is compressed per request.
  return encoding === 'br'
    ? brotliCompress(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } })
    : gzip(body, { level: 6 });
}
