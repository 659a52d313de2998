import type { Writable } from 'node:stream';

/** The reader went away (the client closed the connection): the export stops and its query is cancelled. */
export class ExportAborted extends Error {
  constructor() {
    super('The export was aborted: its reader went away');
    this.name = 'ExportAborted';
  }
}

/**
 * Resolves once `out` can take more: at once when its buffer is below its high-water mark, after its `drain`
 * otherwise. A slow reader thus holds the export (and its query) back instead of the server buffering the file.
 */
export function drained(out: Writable): Promise<void> {
  if (out.destroyed || out.writableEnded) return Promise.reject(new ExportAborted());
  if (!out.writableNeedDrain) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const settle = (error?: Error) => {
      out.off('drain', onDrain);
      out.off('close', onClose);
      out.off('error', onError);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = () => settle();
    const onClose = () => settle(new ExportAborted());
    const onError = (error: Error) => settle(error);
    out.on('drain', onDrain);
    out.on('close', onClose);
    out.on('error', onError);
  });
}

/** Writes a chunk and waits while `out` is full. */
export async function send(out: Writable, chunk: Buffer): Promise<void> {
  if (out.destroyed || out.writableEnded) throw new ExportAborted();
  out.write(chunk);
  await drained(out);
}

/** Ends `out` and resolves once everything written has been handed on (`finish`); rejects if it closes first. */
export function finish(out: Writable): Promise<void> {
  if (out.writableFinished) return Promise.resolve();
  if (out.destroyed) return Promise.reject(new ExportAborted());
  return new Promise((resolve, reject) => {
    const settle = (error?: Error) => {
      out.off('finish', onFinish);
      out.off('close', onClose);
      out.off('error', onError);
      if (error) reject(error);
      else resolve();
    };
    const onFinish = () => settle();
    const onClose = () => settle(new ExportAborted());
    const onError = (error: Error) => settle(error);
    out.on('finish', onFinish);
    out.on('close', onClose);
    out.on('error', onError);
    if (!out.writableEnded) out.end();
  });
}
