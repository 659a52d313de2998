import { DeleteObjectsCommand, GetObjectCommand, HeadBucketCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { ServiceUnavailableError } from '../integrations/resilience';
import { assertValidContentType, assertValidKey, type ObjectStore } from './store';

export type S3StoreOptions = {
  bucket: string;
  /** For S3-compatible services (R2, MinIO, Supabase Storage, the tests' s3rver); AWS itself needs none. */
  endpoint?: string;
  region: string;
  /** Both or neither: without them the SDK's default chain applies (instance role, AWS_* of the process). */
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle: boolean;
};

/** S3 answers that say it is busy or briefly unwell, whatever the status code it came with. */
const BUSY_CODES = new Set([
  'SlowDown',
  'ServiceUnavailable',
  'InternalError',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestTimeout',
]);
/** Errors of the connection itself (Node's system error codes and the SDK's own names for them). */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED', 'UND_ERR_SOCKET']);
const NETWORK_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'NetworkingError']);
/** The most keys one DeleteObjects request takes. */
const DELETE_BATCH = 1000;

type SdkError = Error & { code?: string; $metadata?: { httpStatusCode?: number } };

/**
 * An S3-compatible bucket through `@aws-sdk/client-s3`. The SDK does not retry (`maxAttempts: 1`): our cockatiel
 * policy does, with the breaker watching, and each attempt's signal aborts the request when its time is up.
 */
export function createS3Store(opts: S3StoreOptions): ObjectStore {
  if (Boolean(opts.accessKeyId) !== Boolean(opts.secretAccessKey)) throw new Error('storage: S3 needs both an access key id and a secret access key, or neither');
  const { bucket } = opts;
  const client = new S3Client({
    region: opts.region,
    endpoint: opts.endpoint,
    forcePathStyle: opts.forcePathStyle,
    credentials: opts.accessKeyId && opts.secretAccessKey ? { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey } : undefined,
    maxAttempts: 1,
    // Checksums only where S3 requires them (DeleteObjects): since 3.729 the SDK adds CRC32 headers to every put and
    // validates gets, which S3-compatible services refused at the time (R2: 501 NotImplemented, aws-sdk-js-v3#6810).
    // TLS and the service's own MD5 ETag remain.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const where = `s3://${bucket}${opts.endpoint ? ` at ${opts.endpoint}` : ''}`;

  /**
   * Outage (network, timeout, 5xx, 429, SlowDown, a garbled answer) → ServiceUnavailableError, retried and counted by
   * the breaker. A refusal (403 AccessDenied, 404 NoSuchBucket, a bad key id or signature) will not pass on retry:
   * a plain Error that names the likely cause, the configuration. The caller's own abort stays an abort.
   */
  const failure = (error: unknown, what: string, signal?: AbortSignal): unknown => {
    if (signal?.aborted || !(error instanceof Error)) return error;
    const e = error as SdkError;
    const status = e.$metadata?.httpStatusCode;
    const code = e instanceof S3ServiceException ? e.name : (e.code ?? e.name);
    const detail = `${code}${status ? `, HTTP ${status}` : ''}: ${e.message}`;
    if ((status !== undefined && (status >= 500 || status === 429)) || BUSY_CODES.has(code)) {
      return new ServiceUnavailableError('storage', `${where}: ${what} failed (${detail})`);
    }
    if (status !== undefined && status >= 300) {
      return new Error(`storage: ${where} refused ${what} (${detail}); check the S3_* settings (bucket, endpoint, region, credentials, permissions)`);
    }
    if (NETWORK_CODES.has(code) || NETWORK_NAMES.has(e.name)) {
      return new ServiceUnavailableError('storage', `${where}: ${what} failed, no usable answer (${detail})`);
    }
    // A 2xx the SDK could not read (a proxy's HTML page, a cut XML body): the service is not answering as S3 does.
    if (status !== undefined) {
      return new ServiceUnavailableError('storage', `${where}: ${what} got an answer it could not read (${detail})`);
    }
    return error;
  };

  return {
    kind: 's3',

    async put(key, body, contentType, signal) {
      assertValidKey(key);
      assertValidContentType(contentType);
      if (!Buffer.isBuffer(body)) throw new Error('storage: put needs a Buffer body');
      try {
        // One PutObject is atomic on S3: readers see the old object or the new one, never a part.
        await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType, ContentLength: body.length }), { abortSignal: signal });
      } catch (error) {
        throw failure(error, `put ${key}`, signal);
      }
    },

    async get(key, signal) {
      assertValidKey(key);
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
        // Read to the end inside the try: a connection cut mid-body (Node checks Content-Length) is an outage too.
        const body = Buffer.from((await out.Body?.transformToByteArray()) ?? new Uint8Array());
        return {
          body,
          contentType: out.ContentType ?? 'application/octet-stream',
          size: body.length,
          // S3 quotes its ETags; the quotes are HTTP syntax, not part of the tag.
          etag: (out.ETag ?? '').replace(/^(W\/)?"|"$/g, ''),
        };
      } catch (error) {
        const e = error as SdkError;
        // (Without s3:ListBucket, AWS answers 403 for a missing key: that stays a refusal, the permission is missing.)
        if (!signal?.aborted && (e.name === 'NoSuchKey' || (e.$metadata?.httpStatusCode === 404 && e.name !== 'NoSuchBucket'))) return null;
        throw failure(error, `get ${key}`, signal);
      }
    },

    async delete(keys, signal) {
      const unique = [...new Set(keys)];
      unique.forEach(assertValidKey); // every key checked before the first request
      for (let i = 0; i < unique.length; i += DELETE_BATCH) {
        const batch = unique.slice(i, i + DELETE_BATCH);
        let errors: { Key?: string; Code?: string; Message?: string }[];
        try {
          const out = await client.send(
            new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }),
            { abortSignal: signal },
          );
          errors = (out.Errors ?? []).filter((e) => e.Code !== 'NoSuchKey');
        } catch (error) {
          throw failure(error, `delete of ${batch.length} object(s)`, signal);
        }
        // DeleteObjects answers 200 and lists the keys it could not delete, each with its own reason.
        const first = errors[0];
        if (!first) continue;
        const what = `delete of ${errors.length} of ${batch.length} object(s), first ${first.Key} (${first.Code}: ${first.Message})`;
        if (errors.some((e) => BUSY_CODES.has(e.Code ?? ''))) throw new ServiceUnavailableError('storage', `${where}: ${what} failed`);
        throw new Error(`storage: ${where} refused ${what}; check the S3_* settings and the bucket's permissions`);
      }
    },

    async check(signal) {
      try {
        await client.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal: signal });
      } catch (error) {
        // A HEAD answer has no body to name the error: say what its status means for a bucket.
        const status = (error as SdkError).$metadata?.httpStatusCode;
        if (!signal?.aborted && (status === 403 || status === 404)) {
          const meaning = status === 404 ? 'the bucket does not exist' : 'access denied (credentials or bucket policy)';
          throw new Error(`storage: ${where} refused check (HeadBucket, HTTP ${status}: ${meaning}); check the S3_* settings`);
        }
        throw failure(error, 'check (HeadBucket)', signal);
      }
    },
  };
}
