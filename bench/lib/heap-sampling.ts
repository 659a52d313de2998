import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';

/** V8's sampling heap profiler in this process, counting objects collected since too (what a run allocates, not what it keeps). */
export async function startHeapSampling(file: string) {
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.startSampling', { samplingInterval: 32 * 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  return {
    async stop() {
      const { profile } = await session.post('HeapProfiler.stopSampling');
      await writeFile(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}
