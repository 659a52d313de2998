import { z } from 'zod';
import { getMe } from '../../accounts/users';
import { SESSION_COOKIE } from '../../auth/secrets';
import { login, logout } from '../../auth/session-service';
import { serializeCookie } from '../../auth/cookies';
import { enforceRateLimit } from '../middleware/ratelimit';
import { authedProcedure, createTRPCRouter, publicProcedure } from '../trpc';
import { email } from '../validators';

export const authRouter = createTRPCRouter({
  login: publicProcedure
    .input(z.strictObject({ email, password: z.string().min(1, 'is required').max(200) }))
    // Brute force: a few tries per account and IP per minute, on top of the per-IP limit.
    .use(async ({ ctx, input, next }) => {
      await enforceRateLimit({ rateLimiter: ctx.services.rateLimiter, principal: null, ip: ctx.ip, setHeader: ctx.setHeader }, 'login', `${input.email}:${ctx.ip ?? 'unknown'}`);
      return next();
    })
    .mutation(async ({ ctx, input }) => {
      const session = await login(ctx.domain, input, { userAgent: ctx.userAgent });
      ctx.setHeader('Set-Cookie', serializeCookie(SESSION_COOKIE, session.secret, { expires: session.expiresAt, secure: ctx.secure }));
      return { userId: session.userId, expiresAt: session.expiresAt };
    }),

  logout: authedProcedure.mutation(async ({ ctx }) => {
    await logout(ctx.domain);
    ctx.setHeader('Set-Cookie', serializeCookie(SESSION_COOKIE, '', { expires: new Date(0), secure: ctx.secure }));
    return { ok: true as const };
  }),

  me: authedProcedure.query(({ ctx }) => getMe(ctx.domain)),
});
