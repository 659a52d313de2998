import { numeric, timestamp, uuid } from 'drizzle-orm/pg-core';

/** Columns every tenant-owned table shares. */
export const orgId = () => uuid().notNull();
/** Millisecond precision, like a JS Date: keyset cursors round-trip through the client without losing order. */
export const createdAt = () => timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow();
export const updatedAt = () =>
  timestamp({ withTimezone: true })
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date());
/** Money in BRL with centavos; numeric keeps it exact, read as a string and converted at the edge. */
export const money = () => numeric({ precision: 14, scale: 2, mode: 'number' });
/** Quantities allow fractions (kg from scale labels). */
export const quantity = () => numeric({ precision: 14, scale: 3, mode: 'number' });
