import { sql } from 'drizzle-orm';
import { boolean, foreignKey, index, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex, unique, uuid } from 'drizzle-orm/pg-core';
import { createdAt, orgId, updatedAt } from './_columns';
import { organizations } from './organizations';
import { stores } from './stores';

export const userRoles = ['clerk', 'buyer', 'manager', 'admin'] as const;
export type UserRole = (typeof userRoles)[number];
export const userRole = pgEnum('user_role', userRoles);

export const users = pgTable(
  'users',
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: orgId().references(() => organizations.id, { onDelete: 'cascade' }),
    /** Stored lower-cased; login is by email, so it is unique across orgs. */
    email: text().notNull(),
    name: text().notNull(),
    role: userRole().notNull(),
    passwordHash: text().notNull(),
    /**
     * The password is a temporary code an admin handed over (a new user, a reset): it signs in until
     * `passwordExpiresAt`, and then only to choose a password of the user's own.
     */
    passwordTemporary: boolean().notNull().default(false),
    passwordExpiresAt: timestamp({ withTimezone: true }),
    active: boolean().notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('users_email_unique').on(t.email),
    unique('users_org_id_unique').on(t.orgId, t.id),
    // Seed Sprint 5.2 idx_users_active, per org.
    index('users_org_active_idx').on(t.orgId, t.name, t.id).where(sql`${t.active}`),
    index('users_org_role_idx').on(t.orgId, t.role),
  ],
);

/** Which stores a user works in (clerks and managers are scoped by it). */
export const storeMemberships = pgTable(
  'store_memberships',
  {
    orgId: orgId(),
    userId: uuid().notNull(),
    storeId: uuid().notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.storeId] }),
    foreignKey({ columns: [t.orgId, t.userId], foreignColumns: [users.orgId, users.id] }).onDelete('cascade'),
    foreignKey({ columns: [t.orgId, t.storeId], foreignColumns: [stores.orgId, stores.id] }).onDelete('cascade'),
    index('store_memberships_store_idx').on(t.storeId),
  ],
);
