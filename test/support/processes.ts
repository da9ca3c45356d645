/**
 * Runs the real `spokes` CLI as a child process, the way a user or an
 * orchestrator does, and collects its output.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from './databases.ts';

export const mainScript = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

export interface SpokesProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves when the output matches, rejects after `timeoutMs` or when the process exits first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Environment for child processes: only what the test sets, plus PATH/HOME so Node runs. */
export function childEnv(extra: Record<string, string | undefined>): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', SPOKES_LOG_LEVEL: 'info' };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

export function runSpokes(args: string[], env: Record<string, string | undefined>): SpokesProcess {
  const child = spawn(process.execPath, [mainScript, ...args], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const l of listeners) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    output: () => out,
    exited,
    waitFor(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = out.match(pattern);
          if (m) {
            cleanup();
            resolve(m);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${pattern}; output:\n${out}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        void exited.then(({ code }) => {
          if (listeners.has(check)) {
            cleanup();
            reject(new Error(`process exited (${code}) before ${pattern}; output:\n${out}`));
          }
        });
        check();
      });
    },
  };
}

/** Runs a command to completion. */
export async function runSpokesToEnd(
  args: string[],
  env: Record<string, string | undefined>,
  timeoutMs = 60_000,
): Promise<{ code: number | null; output: string }> {
  const p = runSpokes(args, env);
  const timer = setTimeout(() => p.child.kill('SIGKILL'), timeoutMs);
  const { code } = await p.exited;
  clearTimeout(timer);
  return { code, output: p.output() };
}

export interface CliScope {
  /** A fresh database (PGlite data directory or PostgreSQL database), dropped by `cleanUp`. */
  db(engine: 'pglite' | 'postgres'): Promise<TestDatabase>;
  /** `runSpokes`, killed by `cleanUp` if it is still running. */
  start(args: string[], env: Record<string, string | undefined>): SpokesProcess;
  /** Runs `fn` in `cleanUp` (in reverse order). */
  defer(fn: () => Promise<void>): void;
  cleanUp(): Promise<void>;
}

/** What a CLI test file starts — child processes, databases — and takes down after its tests: `after(() => cli.cleanUp())`. */
export function cliScope(): CliScope {
  const cleanup: (() => Promise<void>)[] = [];
  const running: SpokesProcess[] = [];
  return {
    async db(engine) {
      const t = await createTestDatabase(engine);
      cleanup.push(() => t.drop());
      return t;
    },
    start(args, env) {
      const p = runSpokes(args, env);
      running.push(p);
      return p;
    },
    defer(fn) {
      cleanup.push(fn);
    },
    async cleanUp() {
      for (const p of running) p.child.kill('SIGKILL');
      for (const c of cleanup.reverse()) await c();
    },
  };
}
