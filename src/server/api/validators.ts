import { z } from 'zod';
import { isValidEan13 } from '~/lib/ean';
import { matching } from '~/lib/problems';
import { userRoles } from '../db/schema';
import { queueNames, type QueueName } from '../queues/definitions';

/** Shared input shapes; objects are strict so an unknown field is a BAD_REQUEST, not silently ignored. */
export const id = z.uuid({ message: 'must be a UUID' });
export const text = (max: number) => z.string().trim().min(1, 'is required').max(max, `must be at most ${max} characters`);
export const optionalText = (max: number) => z.string().trim().max(max, `must be at most ${max} characters`).nullish();
export const email = z.string().trim().toLowerCase().max(254).pipe(z.email({ message: 'must be an email address' }));
export const password = z.string().min(8, 'must have at least 8 characters').max(200, 'must be at most 200 characters');
export const role = z.enum(userRoles);
export const ean13 = matching(/^\d{13}$/, 'ean_digits', 'must be 13 digits').refine(isValidEan13, { message: 'has a wrong check digit', params: { reason: 'check_digit' } });

/** The dates the system keeps: PostgreSQL holds far more, but a date outside these is a mistake or an attack. */
export const EARLIEST_DATE = new Date('1970-01-01T00:00:00.000Z');
export const LATEST_DATE = new Date('2100-01-01T00:00:00.000Z');
/** Every date input: a real date (not Invalid Date) within EARLIEST_DATE..LATEST_DATE. */
export const date = z.date().min(EARLIEST_DATE).max(LATEST_DATE);

export const pageInput = {
  cursor: z.string().max(500).nullish(),
  limit: z.number().int().min(1).max(200).default(50),
  /** Sent by tRPC's useInfiniteQuery; lists page forward only. */
  direction: z.enum(['forward', 'backward']).optional(),
};
export type Page<T> = { items: T[]; nextCursor: string | null };

export const queueName = z.enum(Object.values(queueNames) as [QueueName, ...QueueName[]]);
/** A page of dead letters: an org admin's (`admin.dlq.list`) or the platform operator's (`operator.dlq.list`). */
export const deadLetterListInput = z.strictObject({ ...pageInput, queue: queueName.nullish(), resolved: z.boolean().nullish() });
