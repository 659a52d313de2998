/**
 * bench:queues runs the FCM stand-in in its own process, as FCM is its own service: in the benchmark's process
 * it shared an event loop with the producer, so every pause of the producer (a burst of tRPC calls, a GC) held
 * back the stand-in's receipt of sends the worker had already made, and that wait counted as latency.
 * IPC: sends `{ url }` once listening; answers `take` with the deliveries so far (and forgets them).
 */
import { startFcmStandIn } from '../../tests/helpers/fcm-standin';

const fcm = await startFcmStandIn();
process.on('message', (message) => {
  if (message === 'take') process.send!({ deliveries: fcm.deliveries.splice(0) });
});
process.on('disconnect', () => void fcm.close().then(() => process.exit(0)));
process.send!({ url: fcm.url });
