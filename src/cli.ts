/**
 * The `spokes` commands (entry point: src/main.ts).
 */
import { runningServerUrl } from './running-server.ts';
import { loadConfig, settingsTable, type Config } from './config.ts';
import { createLogger, type Logger } from './logger.ts';
import { SpokesError } from './errors.ts';
import { startRuntime } from './runtime.ts';
import { collectStatus, formatStatus, type StatusReport } from './status.ts';
import { version } from './version.ts';
import { portInUseMessage, sandboxSummary, startBanner } from './banner.ts';
import { runCallingSettings } from './hubspot/calling-settings-cli.ts';
import { ConnectionStore } from './hubspot/connection-store.ts';
import { openDatabase } from './db/open.ts';
import { applyMigrations } from './db/migrate.ts';
import { createSecretBox, loadSecretKey, verifySecretKey } from './secrets/secret-key.ts';
import { widgetUrlOf } from './web/widget-page.ts';
import { runPlatformCommand, type CommandResult, type PlatformCommand } from './platform/cli.ts';
import { protectDataDir } from './db/data-dir-permissions.ts';

const USAGE = `Usage: spokes <command> [options]

Commands:
  start       Run the HTTP server and a job worker in one process
  worker      Run a job worker only (scale out: several workers on one PostgreSQL)
  migrate     Apply database migrations and exit
  status      Show the database engine, queue depths and recent failed jobs (--json for JSON)
  retry [<queue>] [--id <job id>]...
              Put jobs that failed for good (dead letters) back to work: all, one queue's, or the given ids
  connections list|show <id>|enable <id>|disable <id>|disconnect <id>
              Every connector's connections: list them, show one (state, status, errors), switch one on or off, remove one
  audit [--connector x] [--object t] [--outcome o] [--since 2h|ISO] [--json]
              The audit log of every write Spokes made to HubSpot or a remote system, newest first
  users list|invite <email> [--role r]|role <email> <role>|remove <email>
              Who may use the admin: list them, print a one-time invitation link, change a role, remove one
  sync status [<connection id>] [--json]
              Each sync's counts (in sync, excluded, failing), initial-sync progress and failing records
  sandbox     Run the sandbox emulators alone (HubSpot…), to test your own integration against them
  calling-settings register|update|show|delete
              Register the calling widget with your HubSpot app (--help for options)
  help        Show this help

Options:
  -h, --help     Show this help
  -v, --version  Show the version

Configuration comes from environment variables (or spokes.config.json):
${settingsTable()
  .map((s) => `  ${s.env.padEnd(28)} e.g. ${s.example}`)
  .join('\n')}
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (command === '--version' || command === '-v') {
    process.stdout.write(`${version}\n`);
    return 0;
  }
  const commands: Record<string, (config: Config, log: Logger, args: string[]) => Promise<number>> = {
    start,
    worker,
    migrate,
    status,
    retry,
    sandbox,
    'calling-settings': callingSettings,
    connections: (config, log, args) => platformCommand('connections', config, log, args),
    audit: (config, log, args) => platformCommand('audit', config, log, args),
    users: (config, log, args) => platformCommand('users', config, log, args),
    sync: (config, log, args) => platformCommand('sync', config, log, args),
  };
  const run = commands[command];
  if (!run) {
    process.stderr.write(`spokes: unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    // One line per bad setting: the variable, what is wrong, an example.
    process.stderr.write(
      (err as Error).message
        .split('\n')
        .map((l) => `spokes: configuration error: ${l}\n`)
        .join(''),
    );
    return 1;
  }
  const log = createLogger({ level: config.logLevel, name: 'spokes' });
  // Every file and directory Spokes creates (the embedded database's files among them, which PGlite makes
  // with the default mode) is its own user's only: 0600 / 0700 (docs/security.md, "Files on disk").
  process.umask(0o077);
  try {
    return await run(config, log, rest);
  } catch (err) {
    // A port taken by another program (often a Spokes already running): one line, not a stack.
    const inUse = err as NodeJS.ErrnoException & { port?: number };
    const message =
      inUse.code === 'EADDRINUSE' && typeof inUse.port === 'number'
        ? portInUseMessage(command, inUse.port, config)
        : err instanceof SpokesError
          ? err.message
          : ((err as Error).stack ?? String(err));
    process.stderr.write(`spokes ${command}: ${message}\n`);
    return 1;
  }
}

async function start(config: Config, log: Logger): Promise<number> {
  const runtime = await startRuntime({ config, log, server: true, worker: true });
  // Signals are handled before anything says it runs: a supervisor that stops it at once gets a clean stop.
  const stopped = untilSignal(runtime, log);
  process.stdout.write(await startBanner(config, runtime));
  // Printed once everything is wired (emulators, connectors, jobs): scripts may wait for this line.
  process.stdout.write('Spokes is ready.\n');
  return stopped;
}

async function worker(config: Config, log: Logger): Promise<number> {
  const runtime = await startRuntime({ config, log, server: false, worker: true, waitForDatabase: true });
  const stopped = untilSignal(runtime, log);
  log.info({ engine: runtime.database.engine }, 'worker started');
  return stopped;
}

async function sandbox(config: Config, log: Logger): Promise<number> {
  const basePort = config.sandboxPort ?? 3001;
  protectDataDir(config.dataDir);
  // The emulators are loaded only when they run.
  const { startSandboxes } = await import('./sandbox/sandboxes.ts');
  const sandboxes = await startSandboxes({ dataDir: config.dataDir, host: config.host, basePort, log });
  const stopped = untilSignal(sandboxes, log);
  process.stdout.write(sandboxSummary(sandboxes, config.dataDir));
  return stopped;
}

async function callingSettings(config: Config, log: Logger, args: string[]): Promise<number> {
  return runCallingSettings(args, {
    config,
    log,
    out: (text) => process.stdout.write(text),
    // The database only: no job queue to start for a few HTTP calls.
    async openStore() {
      const secretBox = createSecretBox(loadSecretKey(config).key);
      const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      try {
        await applyMigrations(database);
        await verifySecretKey(database.db, secretBox);
      } catch (err) {
        await database.close();
        throw err;
      }
      const connections = new ConnectionStore(database.db, secretBox);
      return {
        db: database.db,
        secretBox,
        connectionBaseUrl: async () => (await connections.connection())?.baseUrl,
        widgetUrl: async () => widgetUrlOf(config.publicUrl),
        close: () => database.close(),
      };
    },
  });
}

async function migrate(config: Config, log: Logger): Promise<number> {
  const runtime = await startRuntime({ config, log, server: false, worker: false });
  await runtime.stop();
  process.stdout.write('Database is up to date.\n');
  return 0;
}

async function status(config: Config, log: Logger, args: string[]): Promise<number> {
  let report: StatusReport;
  try {
    const runtime = await startRuntime({ config, log, server: false, worker: false });
    try {
      report = await collectStatus(runtime.services, { probeUrl: runningServerUrl(config.dataDir, config.port) });
    } finally {
      await runtime.stop();
    }
  } catch (err) {
    // The embedded database belongs to a running `spokes start`: ask it instead.
    if (!(err instanceof SpokesError && err.code === 'conflict' && config.engine === 'pglite')) throw err;
    const url = runningServerUrl(config.dataDir, config.port);
    const res = await fetch(`${url}/api/status`).catch(() => undefined);
    if (!res?.ok) throw new SpokesError('conflict', `${err.message} It did not answer at ${url} either.`);
    report = (await res.json()) as StatusReport;
  }
  process.stdout.write(args.includes('--json') ? `${JSON.stringify(report, null, 2)}\n` : `${formatStatus(report)}\n`);
  return 0;
}

async function retry(config: Config, log: Logger, args: string[]): Promise<number> {
  const request: { queue?: string; ids?: string[] } = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--id' || arg.startsWith('--id=')) {
      const id = arg === '--id' ? args[++i] : arg.slice('--id='.length);
      if (!id) return usageError('retry', '--id needs a job id (see `spokes status`)');
      (request.ids ??= []).push(id);
    } else if (arg.startsWith('-') || request.queue !== undefined) {
      return usageError('retry', `unexpected argument "${arg}"; usage: spokes retry [<queue>] [--id <job id>]...`);
    } else {
      request.queue = arg;
    }
  }
  let retried: number;
  try {
    const runtime = await startRuntime({ config, log, server: false, worker: false });
    try {
      retried = await runtime.queue.retryFailed(request);
    } finally {
      await runtime.stop();
    }
  } catch (err) {
    // The embedded database belongs to a running `spokes start`: ask it instead (as `status` does).
    if (!(err instanceof SpokesError && err.code === 'conflict' && config.engine === 'pglite')) throw err;
    const res = await fetch(`${runningServerUrl(config.dataDir, config.port)}/api/status/retry`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    }).catch(() => undefined);
    if (!res) throw err;
    const body = (await res.json().catch(() => ({}))) as { retried?: number; error?: { message?: string } };
    if (!res.ok || typeof body.retried !== 'number') {
      const message = body.error?.message ?? `HTTP ${res.status}`;
      throw res.status === 400 ? new SpokesError('validation_failed', message) : new SpokesError('remote_rejected', `the running server refused: ${message}`);
    }
    retried = body.retried;
  }
  const what = request.ids ? `of the ${request.ids.length} given job id(s)` : request.queue ? `in ${request.queue}` : 'in all queues';
  process.stdout.write(
    retried ? `Put ${retried} failed job(s) ${what} back to work; \`spokes status\` shows their progress.\n` : `No failed jobs ${what} to retry.\n`,
  );
  return 0;
}

/**
 * `spokes connections …` and `spokes audit …`: run here on PostgreSQL; on the embedded database a
 * running `spokes start` holds, inside that server (loopback only), as `status` and `retry` do.
 */
async function platformCommand(command: PlatformCommand, config: Config, log: Logger, args: string[]): Promise<number> {
  let result: CommandResult;
  try {
    const runtime = await startRuntime({ config, log, server: false, worker: false });
    try {
      result = await runPlatformCommand(runtime.services.platform, command, args);
    } finally {
      await runtime.stop();
    }
  } catch (err) {
    if (!(err instanceof SpokesError && err.code === 'conflict' && config.engine === 'pglite' && /is in use by process|could not lock/.test(err.message)))
      throw err;
    const url = runningServerUrl(config.dataDir, config.port);
    const res = await fetch(`${url}/api/status/cli`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ command, args }),
    }).catch(() => undefined);
    if (!res) throw new SpokesError('conflict', `${err.message} It did not answer at ${url} either.`);
    const body = (await res.json().catch(() => ({}))) as Partial<CommandResult> & { error?: { message?: string } };
    if (!res.ok || typeof body.code !== 'number')
      throw new SpokesError('remote_rejected', `the running server refused: ${body.error?.message ?? `HTTP ${res.status}`}`);
    result = body as CommandResult;
  }
  (result.code === 0 ? process.stdout : process.stderr).write(result.output);
  return result.code;
}

function usageError(command: string, message: string): number {
  process.stderr.write(`spokes ${command}: ${message}\n`);
  return 2;
}

/** Runs until SIGTERM/SIGINT, then stops fetching jobs, lets those in flight finish and closes the database. */
function untilSignal(runtime: { stop(): Promise<void> } | { close(): Promise<void> }, log: Logger): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        log.warn({ signal }, 'second signal: exiting now');
        process.exit(1);
      }
      stopping = true;
      log.info({ signal }, 'shutting down: finishing jobs in flight');
      ('stop' in runtime ? runtime.stop() : runtime.close()).then(
        () => resolve(0),
        (err) => {
          log.error({ err: (err as Error).message }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

process.exitCode = await main(process.argv.slice(2));
