import { analyticsConsumer } from './analytics';
import { imagesConsumer } from './images';
import { liveAndCacheConsumer } from './live-and-cache';
import { pushConsumer } from './push';
import type { Consumer } from './types';

/** Run in this order for each event: the live event goes out after the figures it announces are written. */
export const consumers: Consumer[] = [analyticsConsumer, pushConsumer, liveAndCacheConsumer, imagesConsumer];
export const consumerNames = consumers.map((c) => c.name);
