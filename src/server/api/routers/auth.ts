import { z } from 'zod';
import { changeOwnPassword, getMe } from '../../accounts/users';
import { SESSION_COOKIE } from '../../auth/secrets';
import { assertAcceptablePassword } from '../../auth/password-policy';
import { login, logout } from '../../auth/session-service';
import { serializeCookie } from '../../auth/cookies';
import { enforceRateLimit } from '../middleware/ratelimit';
import { authedProcedure, createTRPCRouter, publicProcedure, signedInProcedure } from '../trpc';
import { email } from '../validators';

export const authRouter = createTRPCRouter({
  login: publicProcedure
    .input(z.strictObject({ email, password: z.string().min(1, 'is required').max(200) }))
    // Brute force: a few tries per account and IP per minute, on top of the per-IP limit.
    .use(async ({ ctx, input, next }) => {
      await enforceRateLimit({ rateLimiter: ctx.services.rateLimiter, caller: null, ip: ctx.ip, setHeader: ctx.setHeader }, 'login', `${input.email}:${ctx.ip ?? 'unknown'}`);
      return next();
    })
    .mutation(async ({ ctx, input }) => {
      const { secret, ...session } = await login(ctx.domain, input, { userAgent: ctx.userAgent });
      ctx.setHeader('Set-Cookie', serializeCookie(SESSION_COOKIE, secret, { expires: session.expiresAt, secure: ctx.secure }));
      // `kind` tells the login page where to go: an org's screens, or the platform operator's.
      return session;
    }),

  logout: signedInProcedure.mutation(async ({ ctx }) => {
    await logout(ctx.domain, ctx.caller);
    ctx.setHeader('Set-Cookie', serializeCookie(SESSION_COOKIE, '', { expires: new Date(0), secure: ctx.secure }));
    return { ok: true as const };
  }),

  me: authedProcedure.meta({ duringPasswordChange: true }).query(({ ctx }) => getMe(ctx.domain)),

  /**
   * The signed-in user chooses a new password (at least 10 characters, not one of the most common, not built from
   * their email or name), proving the current one or the temporary code; their other sessions end.
   */
  changePassword: authedProcedure
    .meta({ duringPasswordChange: true })
    .input(z.strictObject({ currentPassword: z.string().min(1, 'is required').max(200), newPassword: z.string().max(400) }))
    .mutation(async ({ ctx, input }) => {
      // A new password the policy refuses says so at once; past that, guessing the current password through this
      // door is limited like logging in.
      assertAcceptablePassword(input.newPassword, ctx.principal, 'newPassword');
      await enforceRateLimit({ rateLimiter: ctx.services.rateLimiter, caller: null, ip: ctx.ip, setHeader: ctx.setHeader }, 'login', `${ctx.principal.email}:${ctx.ip ?? 'unknown'}`);
      return changeOwnPassword(ctx.domain, input);
    }),
});
