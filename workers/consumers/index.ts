import { imagesConsumer } from './images';
import { liveAndCacheConsumer } from './live-and-cache';
import { pushConsumer } from './push';
import type { Consumer } from './types';

export const consumers: Consumer[] = [pushConsumer, liveAndCacheConsumer, imagesConsumer];
export const consumerNames = consumers.map((c) => c.name);
