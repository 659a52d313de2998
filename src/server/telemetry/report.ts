/**
 * Where the code reports an unexpected failure (a 5xx, an unhandled request error, a job failed for good). Light
 * to import everywhere: Sentry (errors.ts) plugs itself in when SENTRY_DSN is set; otherwise a report does nothing.
 */
export type ErrorTags = { requestId?: string; orgId?: string | null; userId?: string | null; [tag: string]: string | number | null | undefined };
type Reporter = { report(error: unknown, tags: ErrorTags): void; flush(timeoutMs: number): Promise<void> };

let reporter: Reporter | null = null;
export const setErrorReporter = (next: Reporter | null) => {
  reporter = next;
};

export function reportError(error: unknown, tags: ErrorTags): void {
  reporter?.report(error, tags);
}

/** Tests and shutdown: wait until what was reported has been sent (at most `timeoutMs`). */
export const flushErrors = async (timeoutMs = 2000) => reporter?.flush(timeoutMs);
