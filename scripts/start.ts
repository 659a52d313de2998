/**
 * `npm start`: the build check (scripts/ensure-build.ts), then the server (src/server/main.ts), in this one process.
 * package.json starts it with `exec`, which replaces npm's `sh -c`: the SIGTERM or SIGINT npm passes on to its child
 * reaches the server itself, which shuts down gracefully. (Before, `sh -c "tsx a && tsx b"` died of it, and tsx's
 * and the server's processes and PostgreSQL went on running.)
 */
import { ensureBuild } from './ensure-build';

// (Next's types make NODE_ENV read-only.)
Object.assign(process.env, { NODE_ENV: 'production' });
await ensureBuild();
// Imported only now: src/env.ts reads NODE_ENV when it is first imported.
await import('../src/server/main');
