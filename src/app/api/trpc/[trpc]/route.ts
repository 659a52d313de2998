import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { appRouter } from '~/server/api/root';
import { createContext } from '~/server/api/trpc';
import { SESSION_COOKIE } from '~/server/auth/secrets';
import { readCookie } from '~/server/auth/cookies';
import { bearerFrom, clientIpFrom, requestIdFrom } from '~/server/http/request-meta';
import { getServerlessServices } from '~/server/serverless';

/** The same router for serverless deploys; `npm start` serves /api/trpc from our own server instead. */
const handler = (req: Request) => {
  const services = getServerlessServices();
  const requestId = requestIdFrom(req.headers.get('x-request-id'));
  return fetchRequestHandler({
    endpoint: '/api/trpc',
    req,
    router: appRouter,
    createContext: ({ resHeaders }) => {
      resHeaders.set('x-request-id', requestId);
      return createContext({
        services,
        requestId,
        ip: clientIpFrom(req.headers.get('x-forwarded-for'), null, services.env.TRUST_PROXY),
        userAgent: req.headers.get('user-agent'),
        credentials: {
          bearer: bearerFrom(req.headers.get('authorization')),
          sessionSecret: readCookie(req.headers.get('cookie'), SESSION_COOKIE),
        },
        secure: new URL(req.url).protocol === 'https:',
        setHeader: (name, value) => resHeaders.set(name, value),
      });
    },
  });
};

export const dynamic = 'force-dynamic';
export { handler as GET, handler as POST };
