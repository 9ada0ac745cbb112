import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseDatabaseUrl } from '../../../src/config';
import { createDataSource } from '../../../src/db/data-source';
import { testKeys } from '../../helpers/server';

export const root = resolve(__dirname, '..', '..', '..');

/** The writer key every compiled server here starts with, in the kit's terms. */
export const writerKey = { key: testKeys.writer.user, secret: testKeys.writer.secret };
export const readerKey = { key: testKeys.reader.user, secret: testKeys.reader.secret };

export function buildOnce(): void {
  execFileSync(process.execPath, [join(root, 'scripts', 'build-if-needed.js')], { stdio: 'ignore' });
}

/** A port nothing listens on right now, so a server can be restarted at the same address (a signed Host stays right). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolvePort(port));
    });
  });
}

/**
 * The compiled taskgate (what `npm start` runs) in its own process on a fixed port, so a test can
 * stop it with SIGTERM or kill it with SIGKILL mid-stream and start it again where clients expect it.
 */
export class CompiledServer {
  private child?: ChildProcess;
  readonly logs: string[] = [];

  constructor(
    readonly databaseUrl: string,
    readonly port: number,
    private readonly env: Record<string, string> = {},
  ) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }
  get graphqlUrl(): string {
    return `${this.baseUrl}/graphql`;
  }
  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}/graphql`;
  }

  start(): Promise<void> {
    const keys = Object.values(testKeys)
      .map((k) => `${k.user}:${k.secret}:${k.role}`)
      .join(',');
    const child = spawn(process.execPath, [join(root, 'dist', 'src', 'main.js')], {
      cwd: root,
      env: { PATH: process.env.PATH, NODE_ENV: 'test', PORT: String(this.port), HOST: '127.0.0.1', DATABASE_URL: this.databaseUrl, LOG_LEVEL: 'info', LOG_FORMAT: 'json', TASKGATE_KEYS: keys, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    return new Promise((listening, reject) => {
      createInterface({ input: child.stderr! }).on('line', (line) => this.logs.push(line));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        this.logs.push(line);
        if (line.includes('"msg":"taskgate is listening')) listening();
      });
      child.once('exit', (code, signal) => reject(new Error(`taskgate exited (${code ?? signal}) before listening:\n${this.logs.slice(-20).join('\n')}`)));
    });
  }

  /** Stops the process with `signal` and waits until it is gone. */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.kill(signal);
    await exited;
  }

  /** Every event id stored, in order (what a complete feed must have delivered). */
  async storedEventIds(): Promise<string[]> {
    const dataSource = createDataSource({ ...parseDatabaseUrl(this.databaseUrl), poolSize: 1 });
    await dataSource.initialize();
    try {
      const rows = (await dataSource.query('SELECT id FROM task_events ORDER BY id')) as { id: string | number }[];
      return rows.map((row) => String(row.id));
    } finally {
      await dataSource.destroy();
    }
  }
}

/** Retries `write` until the server answers it (it may be restarting); returns what it resolved with. */
export async function untilServed<T>(write: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await write();
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Missing and duplicate ids of a feed as the application saw it, against what is stored after `after`. */
export function feedAccount(received: string[], stored: string[], after = '0') {
  const expected = stored.filter((id) => BigInt(id) > BigInt(after));
  const seen = new Set(received);
  return {
    missing: expected.filter((id) => !seen.has(id)),
    duplicates: received.length - seen.size,
    inOrder: received.every((id, i) => i === 0 || BigInt(id) > BigInt(received[i - 1])),
  };
}
