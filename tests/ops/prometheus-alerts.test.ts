import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createAppServer } from '~/server/http/server';
import { createMetrics } from '~/server/metrics/metrics';
import { createTestServices } from '../helpers/harness';
import { startSlackStandIn } from '../helpers/slack-standin';
import { until } from '../helpers/until';
import { spawnWorkerProcess } from '../helpers/worker-process';
import { freePort } from '../helpers/free-port';

/**
 * Issue 18's alerts with Prometheus: the rules and configs in ops/ pass promtool and amtool, every alert's unit
 * tests pass, and a real Prometheus + Alertmanager scraping the app and a worker process tell a Slack stand-in that
 * the worker was killed within 30 s, and that it is back once it restarts. Debian's `prometheus` and
 * `prometheus-alertmanager` packages provide the binaries (.ci/run installs them); without them this file fails,
 * it does not skip.
 */

const RULES = path.resolve('ops/prometheus/alerts.yml');
const RULE_TESTS = path.resolve('ops/prometheus/alerts.test.yml');
const PROMETHEUS_CONFIG = path.resolve('ops/prometheus/prometheus.yml');
const ALERTMANAGER_CONFIG = path.resolve('ops/alertmanager/alertmanager.yml');
const DASHBOARD = path.resolve('ops/grafana/myinventory.json');
const DETECTION_LIMIT_SECONDS = 30;

function binary(...names: string[]): string {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/bin', '/usr/local/bin'];
  for (const name of names) for (const dir of dirs) if (dir && existsSync(path.join(dir, name))) return path.join(dir, name);
  throw new Error(`${names.join(' / ')} not found: install Debian's prometheus and prometheus-alertmanager packages (.ci/run does)`);
}

function run(bin: string, args: string[]) {
  const result = spawnSync(bin, args, { encoding: 'utf8', timeout: 120_000 });
  return { code: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}` };
}

/** `text` with `from` replaced by `to`; fails when `from` is not there, so the test follows the repo's file or says it changed. */
function replaceIn(text: string, from: string | RegExp, to: string): string {
  const found = typeof from === 'string' ? text.includes(from) : from.test(text);
  if (!found) throw new Error(`the repository's config no longer contains ${String(from)}: update tests/ops/prometheus-alerts.test.ts`);
  return typeof from === 'string' ? text.split(from).join(to) : text.replace(from, to);
}


/** The metric names our registry declares (a histogram's series add _bucket, _sum and _count). */
async function declaredMetrics(): Promise<Set<string>> {
  // The registry itself says what it declares: names built by helpers count too.
  const names = createMetrics({ role: 'app', version: 'test', defaultMetrics: false })
    .registry.getMetricsAsArray()
    .map((m) => m.name)
    .filter((n) => n.startsWith('myinventory_'));
  return new Set(names.flatMap((n) => [n, `${n}_bucket`, `${n}_sum`, `${n}_count`]));
}
const ourMetricsIn = (text: string) => new Set([...text.matchAll(/(?<![:\w])(myinventory_\w+)/g)].map((m) => m[1]!));

type Dashboard = { panels: { title: string; type: string; targets?: { expr: string }[] }[]; annotations: { list: { expr?: string }[] } };
/** Every PromQL expression of the Grafana dashboard, with Grafana's variables given a value Prometheus accepts. */
async function dashboardExpressions(): Promise<{ title: string; expr: string }[]> {
  const dashboard = JSON.parse(await readFile(DASHBOARD, 'utf8')) as Dashboard;
  const all = [
    ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ title: p.title, expr: t.expr }))),
    ...dashboard.annotations.list.filter((a) => a.expr).map((a) => ({ title: 'annotation', expr: a.expr! })),
  ];
  return all.map(({ title, expr }) => ({ title, expr: expr.replaceAll('$__rate_interval', '1m').replaceAll('$procedure', '.*') }));
}

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** A long-running binary whose output is kept (printed when the test fails). */
function startDaemon(name: string, bin: string, args: string[]) {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.once('exit', () => children.delete(child));
  return {
    child,
    log: () => `---- ${name} ----\n${output}`,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function answers(url: string, headers: Record<string, string> = {}): Promise<boolean> {
  try {
    const response = await fetch(url, { headers, signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

const cleanups: (() => Promise<unknown>)[] = [];
const logs: (() => string)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => console.warn('cleanup failed', error));
});

describe('Prometheus rules and configs (ops/)', () => {
  it('promtool check rules: the alert and recording rules are valid', () => {
    const { code, output } = run(binary('promtool'), ['check', 'rules', RULES]);
    expect(output).toMatch(/SUCCESS: \d+ rules found/);
    expect(code).toBe(0);
  });

  it('promtool check config: the example Prometheus configuration is valid (syntax; its token file lives on the server)', () => {
    const { code, output } = run(binary('promtool'), ['check', 'config', '--syntax-only', PROMETHEUS_CONFIG]);
    expect(output).toContain('SUCCESS');
    expect(code).toBe(0);
  });

  it('amtool check-config: the Alertmanager configuration is valid', () => {
    const { code, output } = run(binary('amtool'), ['check-config', ALERTMANAGER_CONFIG]);
    expect(output).toContain('SUCCESS');
    expect(code).toBe(0);
  });

  it('promtool test rules: every alert fires on its failure and stays quiet on its near misses', async () => {
    const { code, output } = run(binary('promtool'), ['test', 'rules', RULE_TESTS]);
    expect(output, output).toContain('SUCCESS');
    expect(code, output).toBe(0);

    // Every alert of the rule file has at least one firing and one quiet expectation in the unit tests.
    const alerts = [...(await readFile(RULES, 'utf8')).matchAll(/^\s*- alert: (\w+)/gm)].map((m) => m[1]!);
    const tests = await readFile(RULE_TESTS, 'utf8');
    const expectations = [...tests.matchAll(/alertname: (\w+)\n\s*exp_alerts:( \[\])?/g)].map((m) => ({ alert: m[1]!, quiet: m[2] !== undefined }));
    expect(alerts.length).toBeGreaterThanOrEqual(9);
    for (const alert of alerts) {
      expect(expectations.some((e) => e.alert === alert && !e.quiet), `${alert} never fires in alerts.test.yml`).toBe(true);
      expect(expectations.some((e) => e.alert === alert && e.quiet), `${alert} is never tested quiet in alerts.test.yml`).toBe(true);
    }
  });

  it('the rules and the dashboard only name metrics that src/server/metrics/metrics.ts declares, and every dashboard panel queries', async () => {
    const declared = await declaredMetrics();
    expect(declared.size).toBeGreaterThan(40);
    const unknown = (text: string) => [...ourMetricsIn(text)].filter((n) => !declared.has(n));
    expect(unknown(await readFile(RULES, 'utf8'))).toEqual([]);
    expect(unknown(await readFile(DASHBOARD, 'utf8'))).toEqual([]);
    const dashboard = JSON.parse(await readFile(DASHBOARD, 'utf8')) as Dashboard;
    const panels = dashboard.panels.filter((p) => p.type !== 'row');
    expect(panels.length).toBeGreaterThanOrEqual(10);
    for (const panel of panels) expect(panel.targets?.length ?? 0, panel.title).toBeGreaterThan(0);
  });
});

describe('Prometheus + Alertmanager end to end', () => {
  it(`a killed worker process reaches Slack within ${DETECTION_LIMIT_SECONDS} s, and its restart is told as resolved`, async () => {
    const prometheusBin = binary('prometheus');
    const promtoolBin = binary('promtool');
    const alertmanagerBin = binary('alertmanager', 'prometheus-alertmanager');
    const amtoolBin = binary('amtool');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'mi-alerts-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const token = randomBytes(24).toString('hex');

    try {
      const slack = await startSlackStandIn();
      cleanups.push(() => slack.close());

      // The app's side: services on this file's database, serving /api/metrics (role app: the heartbeats' count).
      const { services, database, close } = await createTestServices({ METRICS_TOKEN: token });
      cleanups.push(close);
      const app = createAppServer({ services });
      const appPort = await app.listen(0, '127.0.0.1');
      cleanups.push(() => app.shutdown(2_000));

      // The worker process, scraped on its own metrics port.
      const [workerPort, prometheusPort, alertmanagerPort] = [await freePort(), await freePort(), await freePort()];
      const workerEnv = { DATABASE_URL: database.url, REDIS_KEY_PREFIX: services.env.REDIS_KEY_PREFIX, METRICS_TOKEN: token, WORKER_METRICS_PORT: String(workerPort) };
      let worker = spawnWorkerProcess(workerEnv);
      cleanups.push(async () => worker.kill('SIGKILL'));
      const bearer = { authorization: `Bearer ${token}` };
      const workerMetrics = `http://127.0.0.1:${workerPort}/metrics`;
      // Generous: the worker's start (tsx compiling its tree) is slow beside another test file on two cores.
      await until(() => answers(workerMetrics, bearer), 120_000, 200);

      // Alertmanager: the repository's configuration, its Slack URL file holding the stand-in's URL.
      await writeFile(path.join(dir, 'slack-webhook-url'), `${slack.url}\n`, { mode: 0o600 });
      const alertmanagerConfig = replaceIn(await readFile(ALERTMANAGER_CONFIG, 'utf8'), 'api_url_file: /etc/alertmanager/slack-webhook-url', `api_url_file: ${path.join(dir, 'slack-webhook-url')}`);
      await writeFile(path.join(dir, 'alertmanager.yml'), alertmanagerConfig);
      const amCheck = run(amtoolBin, ['check-config', path.join(dir, 'alertmanager.yml')]);
      expect(amCheck.code, amCheck.output).toBe(0);
      const alertmanager = startDaemon('alertmanager', alertmanagerBin, [
        `--config.file=${path.join(dir, 'alertmanager.yml')}`,
        `--storage.path=${path.join(dir, 'alertmanager-data')}`,
        `--web.listen-address=127.0.0.1:${alertmanagerPort}`,
        '--cluster.listen-address=',
        '--log.level=warn',
      ]);
      cleanups.push(() => alertmanager.stop());
      logs.push(alertmanager.log);

      // Prometheus: the repository's configuration and rules, pointed at this test's ports. The worker job keeps
      // the repository's 5 s scrape and the 5 s rule evaluation, so the measured time is the production one; the
      // app's 15 s scrape becomes 5 s only to make the test shorter.
      await writeFile(path.join(dir, 'metrics-token'), token, { mode: 0o600 });
      let prometheusConfig = await readFile(PROMETHEUS_CONFIG, 'utf8');
      prometheusConfig = replaceIn(prometheusConfig, 'credentials_file: /etc/prometheus/myinventory-metrics-token', `credentials_file: ${path.join(dir, 'metrics-token')}`);
      prometheusConfig = replaceIn(prometheusConfig, "targets: ['127.0.0.1:3000']", `targets: ['127.0.0.1:${appPort}']`);
      prometheusConfig = replaceIn(prometheusConfig, "targets: ['127.0.0.1:9464']", `targets: ['127.0.0.1:${workerPort}']`);
      prometheusConfig = replaceIn(prometheusConfig, "targets: ['127.0.0.1:9093']", `targets: ['127.0.0.1:${alertmanagerPort}']`);
      prometheusConfig = replaceIn(prometheusConfig, /^ {2}scrape_interval: 15s$/m, '  scrape_interval: 5s');
      prometheusConfig = replaceIn(prometheusConfig, /^ {2}scrape_timeout: 10s$/m, '  scrape_timeout: 4s');
      prometheusConfig = replaceIn(prometheusConfig, /^ {2}- alerts\.yml$/m, `  - ${RULES}`);
      await writeFile(path.join(dir, 'prometheus.yml'), prometheusConfig);
      const promCheck = run(promtoolBin, ['check', 'config', path.join(dir, 'prometheus.yml')]);
      expect(promCheck.code, promCheck.output).toBe(0);
      const prometheus = startDaemon('prometheus', prometheusBin, [
        `--config.file=${path.join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(dir, 'prometheus-data')}`,
        `--web.listen-address=127.0.0.1:${prometheusPort}`,
        '--log.level=warn',
      ]);
      cleanups.push(() => prometheus.stop());
      logs.push(prometheus.log);

      await until(() => answers(`http://127.0.0.1:${alertmanagerPort}/-/ready`), 30_000, 200);
      await until(() => answers(`http://127.0.0.1:${prometheusPort}/-/ready`), 30_000, 200);
      const query = async (promql: string) => {
        const response = await fetch(`http://127.0.0.1:${prometheusPort}/api/v1/query?query=${encodeURIComponent(promql)}`);
        const json = (await response.json()) as { data?: { result?: { metric: Record<string, string>; value: [number, string] }[] } };
        return json.data?.result ?? [];
      };
      // Prometheus scrapes both, and the worker's heartbeat counts.
      await until(async () => (await query('up{job="myinventory-workers"} == 1')).length === 1, 60_000, 500);
      await until(async () => (await query('up{job="myinventory-app"} == 1')).length === 1, 60_000, 500);
      await until(async () => (await query('max(myinventory_workers_alive) >= 1')).length === 1, 60_000, 500);
      const rules = (await (await fetch(`http://127.0.0.1:${prometheusPort}/api/v1/rules?type=alert`)).json()) as { data: { groups: { rules: { name: string; state: string }[] }[] } };
      const loaded = rules.data.groups.flatMap((g) => g.rules);
      expect(loaded.map((r) => r.name)).toContain('MyInventoryWorkerDown');
      expect(loaded.find((r) => r.name === 'MyInventoryWorkerDown')?.state).toBe('inactive');

      // Every dashboard query parses and runs against this Prometheus, and the Node default metrics it names exist.
      for (const { title, expr } of await dashboardExpressions()) {
        const response = await fetch(`http://127.0.0.1:${prometheusPort}/api/v1/query?query=${encodeURIComponent(expr)}`);
        const json = (await response.json()) as { status: string; error?: string };
        expect(json.status, `${title}: ${expr}: ${json.error}`).toBe('success');
      }
      const names = ((await (await fetch(`http://127.0.0.1:${prometheusPort}/api/v1/label/__name__/values`)).json()) as { data: string[] }).data;
      for (const name of ['nodejs_eventloop_lag_p99_seconds', 'process_resident_memory_bytes', 'myinventory_workers_alive', 'myinventory_outbox_lag_seconds', 'myinventory_db_pool_connections', 'myinventory_queue_jobs']) expect(names).toContain(name);

      const isWorkerDown = (status: 'FIRING' | 'RESOLVED') => (m: { body: { attachments?: { title?: string }[] } }) =>
        (m.body.attachments?.[0]?.title ?? '').startsWith(`[${status}] MyInventoryWorkerDown`);
      expect(slack.messages.filter(isWorkerDown('FIRING'))).toEqual([]);

      // kill -9: no goodbye, no heartbeat marked stopped.
      const before = slack.messages.length;
      worker.kill('SIGKILL');
      const killedAt = Date.now();
      await new Promise((resolve) => (worker.exitCode !== null || worker.signalCode !== null ? resolve(null) : worker.once('exit', resolve)));
      // Waited for longer than the limit so that a slow run reports its time rather than only "timed out".
      const firing = await slack.waitFor(isWorkerDown('FIRING'), (DETECTION_LIMIT_SECONDS + 30) * 1000, before);
      const seconds = Math.round((firing.at - killedAt) / 100) / 10;
      console.info(`Prometheus + Alertmanager: worker killed → Slack message in ${seconds} s`);
      const attachment = firing.body.attachments![0]!;
      expect(attachment.title).toBe('[FIRING] MyInventoryWorkerDown (critical)');
      expect(attachment.text).toContain('1 MyInventory worker process(es) not answering (myinventory-workers)');
      expect(attachment.text).toContain('Runbook: docs/operations.md#myinventoryworkerdown');
      expect(firing.body.channel).toBe('#myinventory-ops');

      const version = (bin: string) => run(bin, ['--version']).output.split('\n')[0];
      const result = {
        prometheusWorkerDownSeconds: seconds,
        resolvedAfterRestartSeconds: null as number | null,
        limitSeconds: DETECTION_LIMIT_SECONDS,
        setup: 'worker scrape 5 s (timeout 4 s), rule evaluation 5 s, MyInventoryWorkerDown for 10 s, Alertmanager group_wait 5 s / group_interval 30 s: about 25 s at worst',
        prometheus: version(prometheusBin),
        alertmanager: version(alertmanagerBin),
        measuredAt: new Date().toISOString(),
        command: 'WRITE_BENCH_RESULTS=1 npx vitest run tests/ops/prometheus-alerts.test.ts',
      };
      // Recorded when asked (the suite leaves the tracked figures alone): WRITE_BENCH_RESULTS=1 npx vitest run <this file>.
      const record = async () => {
        if (process.env.WRITE_BENCH_RESULTS !== '1') return;
        await mkdir(path.resolve('bench/results'), { recursive: true });
        await writeFile(path.resolve('bench/results/alerts.json'), `${JSON.stringify(result, null, 2)}\n`);
      };
      await record();
      expect(seconds).toBeLessThan(DETECTION_LIMIT_SECONDS);

      // The same worker again, on the same port: Prometheus scrapes it, the alert resolves, Slack is told.
      const restartedAt = Date.now();
      worker = spawnWorkerProcess(workerEnv);
      const resolved = await slack.waitFor(isWorkerDown('RESOLVED'), 120_000, slack.messages.indexOf(firing) + 1);
      result.resolvedAfterRestartSeconds = Math.round((resolved.at - restartedAt) / 100) / 10;
      console.info(`Prometheus + Alertmanager: worker restarted → resolved message in ${result.resolvedAfterRestartSeconds} s`);
      expect(resolved.body.attachments![0]!.title).toBe('[RESOLVED] MyInventoryWorkerDown (critical)');
      expect(resolved.body.attachments![0]!.text).toContain('Resolved:');
      await record();
    } catch (error) {
      for (const log of logs) console.error(log());
      throw error;
    }
  }, 300_000);
});
