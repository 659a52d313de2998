import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import os from 'node:os';

export type RedisServerHandle = {
  url: string;
  port: number;
  /** SIGTERM and wait for exit (clients see the connection closed). */
  stop(): Promise<void>;
  /** Start again on the same port; resolves once it answers PING. */
  start(): Promise<void>;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
};

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * A private redis-server for tests that stop, kill or pause Redis, so the shared server other test files use is
 * never touched. Nothing is persisted.
 */
export async function startRedisServer(): Promise<RedisServerHandle> {
  const port = await findFreePort();
  let child: ChildProcess | undefined;

  const start = async () => {
    if (child) return;
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', os.tmpdir()],
      { stdio: 'ignore' },
    );
    running.add(child);
    const spawned = child;
    spawned.once('exit', () => {
      running.delete(spawned);
      if (child === spawned) child = undefined;
    });
    await waitForPong(port, spawned);
  };

  const terminate = (signal: NodeJS.Signals) => async () => {
    const current = child;
    if (!current) return;
    const exited = current.exitCode !== null || current.signalCode !== null ? Promise.resolve() : once(current, 'exit');
    current.kill(signal);
    await exited;
  };

  await start();
  return { url: `redis://127.0.0.1:${port}`, port, start, stop: terminate('SIGTERM'), kill: terminate('SIGKILL') };
}

async function findFreePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForPong(port: number, child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server on port ${port} exited with code ${child.exitCode}`);
    if (await answersPing(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`redis-server on port ${port} did not answer PING within ${timeoutMs} ms`);
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => finish(data.toString().startsWith('+PONG')));
  });
}
