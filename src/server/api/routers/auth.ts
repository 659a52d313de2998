import { z } from 'zod';
import { SESSION_COOKIE } from '../../auth/secrets';
import { login, logout } from '../../auth/session-service';
import { findUser } from '../../accounts/queries/users';
import { findOrganization } from '../../accounts/queries/organizations';
import { listStoresOfUser } from '../../accounts/queries/stores';
import { enforceRateLimit } from '../middleware/ratelimit';
import { authedProcedure, createTRPCRouter, publicProcedure } from '../trpc';
import { email } from '../validators';
import { serializeCookie } from '../../http/cookies';

export const authRouter = createTRPCRouter({
  login: publicProcedure
    .input(z.strictObject({ email, password: z.string().min(1, 'is required').max(200) }))
    .mutation(async ({ ctx, input }) => {
      // Brute force: a few tries per account and IP per minute, on top of the per-IP limit.
      await enforceRateLimit(ctx, 'login', `${input.email}:${ctx.ip ?? 'unknown'}`);
      const session = await login(ctx.services, input, { ip: ctx.ip, userAgent: ctx.userAgent, requestId: ctx.requestId });
      ctx.setHeader(
        'Set-Cookie',
        serializeCookie(SESSION_COOKIE, session.secret, { expires: session.expiresAt, secure: ctx.secure }),
      );
      return { userId: session.userId, expiresAt: session.expiresAt };
    }),

  logout: authedProcedure.mutation(async ({ ctx }) => {
    if (ctx.principal.kind === 'session') await logout(ctx.services, ctx.principal.credentialId, ctx.actor);
    ctx.setHeader('Set-Cookie', serializeCookie(SESSION_COOKIE, '', { expires: new Date(0), secure: ctx.secure }));
    return { ok: true as const };
  }),

  me: authedProcedure.query(async ({ ctx }) => {
    const p = ctx.principal;
    const [user, org, stores] = await Promise.all([
      findUser(ctx.services.db, ctx.orgId, p.userId),
      findOrganization(ctx.services.db, ctx.orgId),
      listStoresOfUser(ctx.services.db, ctx.orgId, p.role === 'admin' ? null : p.storeIds),
    ]);
    return {
      user: user!,
      organization: org!,
      /** Stores the user works at (admins: every active store). */
      stores,
      via: ctx.principal.kind,
      expiresAt: ctx.principal.expiresAt,
    };
  }),
});
