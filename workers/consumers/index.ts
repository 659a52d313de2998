import { analyticsConsumer } from './analytics';
import { imagesConsumer } from './images';
import { liveAndCacheConsumer } from './live-and-cache';
import { pushConsumer } from './push';
import type { Consumer } from './types';

/**
 * Run in this order for each event: push first (a person is waiting for it; the analytics counters are hot rows
 * that concurrent events queue on), and the live event after the figures it announces are written.
 */
export const consumers: Consumer[] = [pushConsumer, analyticsConsumer, liveAndCacheConsumer, imagesConsumer];
export const consumerNames = consumers.map((c) => c.name);
