import { checkHealth, healthHttpStatus } from '~/server/observability/health';
import { getServerlessServices } from '~/server/serverless';

export const dynamic = 'force-dynamic';

export async function GET() {
  const report = await checkHealth(getServerlessServices());
  return Response.json(report, { status: healthHttpStatus(report), headers: { 'cache-control': 'no-store' } });
}
