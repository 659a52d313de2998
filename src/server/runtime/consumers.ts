import { analyticsConsumer } from '../dashboard/analytics-consumer';
import { imagesConsumer } from '../images/consumer';
import { liveAndCacheConsumer } from '../dashboard/live-consumer';
import { pushConsumer } from '../notifications/push-consumer';
import type { Consumer } from '../events/consumer';

/**
 * Run in this order for each event: push first (a person is waiting for it; the analytics counters are hot rows
 * that concurrent events queue on), and the live event after the figures it announces are written.
 */
export const consumers: Consumer[] = [pushConsumer, analyticsConsumer, liveAndCacheConsumer, imagesConsumer];
export const consumerNames = consumers.map((c) => c.name);
