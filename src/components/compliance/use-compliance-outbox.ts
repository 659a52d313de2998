'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import type { CompliancePhoto, ComplianceSubmission } from '~/offline/db';
import { offlineDb } from '~/offline/db';
import { forgetPhoto, forgetSubmission, keepPhoto, queueSubmission, reducePhoto, syncCompliance, type ComplianceSyncOutcome } from '~/offline/compliance';
import { api } from '~/lib/trpc/react';

/** How often waiting work is tried again while the tab is open (and at once when the browser says it is online). */
const RETRY_MS = 15_000;

export type ComplianceOutbox = {
  photos: CompliancePhoto[];
  submissions: ComplianceSubmission[];
  /** The last run: what it did, and why it stopped (offline, signed out, server busy). */
  last: ComplianceSyncOutcome | null;
  syncing: boolean;
  takePhoto(taskId: string, file: Blob): Promise<CompliancePhoto>;
  removePhoto(photo: Pick<CompliancePhoto, 'id' | 'taskId'>, onServer: boolean): Promise<void>;
  /** Forgets what the server refused (a photo or a sending), once the clerk has read why. */
  discard(row: CompliancePhoto | ComplianceSubmission): Promise<void>;
  submit(input: { taskId: string; photoIds: string[]; checklist: boolean[]; note: string | null }): Promise<ComplianceSubmission>;
  syncNow(): Promise<void>;
};

/**
 * The tablet's compliance outbox for the signed-in user: the photos and sendings kept in IndexedDB, and the loop
 * that uploads them (at once, when the browser comes online, and every RETRY_MS). The server's lists are refreshed
 * after anything reached it.
 */
export function useComplianceOutbox(userId: string): ComplianceOutbox {
  const utils = api.useUtils();
  const [photos, setPhotos] = useState<CompliancePhoto[]>([]);
  const [submissions, setSubmissions] = useState<ComplianceSubmission[]>([]);
  const [last, setLast] = useState<ComplianceSyncOutcome | null>(null);
  const [syncing, setSyncing] = useState(false);
  const mounted = useRef(true);
  const syncNowRef = useRef<(() => Promise<void>) | null>(null);

  const reload = useCallback(async () => {
    const db = offlineDb();
    const [p, s] = await Promise.all([db.compliancePhotos.toArray(), db.complianceSubmissions.toArray()]);
    if (!mounted.current) return;
    setPhotos(p.filter((r) => r.userId === userId).sort((a, b) => a.takenAt.getTime() - b.takenAt.getTime()));
    setSubmissions(s.filter((r) => r.userId === userId));
  }, [userId]);

  const syncNow = useCallback(async () => {
    setSyncing(true);
    try {
      const outcome = await syncCompliance(offlineDb(), userId, {
        upload: (form) => utils.client.compliance.uploadPhoto.mutate(form),
        submit: (input) => utils.client.compliance.submit.mutate(input),
      });
      if (!mounted.current) return;
      setLast(outcome);
      // The server asked to wait (an upload burst): try again then, not at the next round.
      if (outcome.stopped === 'server_busy' && outcome.retryAfterMs !== undefined && outcome.retryAfterMs < RETRY_MS) {
        setTimeout(() => mounted.current && void syncNowRef.current?.(), outcome.retryAfterMs);
      }
      if (outcome.uploaded + outcome.submitted + outcome.refused > 0) await utils.compliance.invalidate();
    } finally {
      await reload();
      if (mounted.current) setSyncing(false);
    }
  }, [reload, userId, utils]);

  useEffect(() => {
    syncNowRef.current = syncNow;
  }, [syncNow]);

  useEffect(() => {
    mounted.current = true;
    void reload().then(() => syncNow());
    const online = () => void syncNow();
    window.addEventListener('online', online);
    const timer = setInterval(() => void syncNow(), RETRY_MS);
    return () => {
      mounted.current = false;
      window.removeEventListener('online', online);
      clearInterval(timer);
    };
  }, [reload, syncNow]);

  return {
    photos,
    submissions,
    last,
    syncing,
    async takePhoto(taskId, file) {
      const reduced = await reducePhoto(file);
      const kept = await keepPhoto(offlineDb(), { taskId, userId, blob: reduced.blob, width: reduced.width, height: reduced.height });
      await reload();
      void syncNow();
      return kept;
    },
    async removePhoto(photo, onServer) {
      if (onServer) await utils.client.compliance.removePhoto.mutate({ taskId: photo.taskId, photoId: photo.id });
      await forgetPhoto(offlineDb(), photo.id);
      await reload();
      if (onServer) await utils.compliance.invalidate();
    },
    async discard(row) {
      await ('blob' in row ? forgetPhoto(offlineDb(), row.id) : forgetSubmission(offlineDb(), row.id));
      await reload();
    },
    async submit(input) {
      const queued = await queueSubmission(offlineDb(), { ...input, userId });
      await reload();
      void syncNow();
      return queued;
    },
    syncNow,
  };
}
