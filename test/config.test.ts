import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.ts';
import { ConfigError } from '../src/errors.ts';
import { runSpokesToEnd } from './support/processes.ts';

function configError(env: Record<string, string>, cwd?: string): ConfigError {
  try {
    loadConfig({ env, cwd: cwd ?? mkdtempSync(join(tmpdir(), 'spokes-cfg-')) });
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err;
  }
  assert.fail('expected a configuration error');
}

describe('configuration', () => {
  it('has working defaults: embedded database, loopback, port 3000', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'spokes-cfg-'));
    const config = loadConfig({ env: {}, cwd });
    assert.equal(config.port, 3000);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.engine, 'pglite');
    assert.equal(config.dataDir, join(cwd, 'data'));
    assert.equal(config.publicUrl, 'http://localhost:3000');
  });

  it('derives the public URL from the port and switches to PostgreSQL with DATABASE_URL', () => {
    const config = loadConfig({
      env: { SPOKES_PORT: '8080', DATABASE_URL: 'postgres://u:p@db:5432/spokes', SPOKES_PUBLIC_URL: 'https://spokes.example.com/' },
      cwd: tmpdir(),
    });
    assert.equal(config.engine, 'postgres');
    assert.equal(config.publicUrl, 'https://spokes.example.com');
    assert.equal(loadConfig({ env: { SPOKES_PORT: '8080' }, cwd: tmpdir() }).publicUrl, 'http://localhost:8080');
  });

  it('reports every bad variable at once, one line each, with an example', () => {
    const err = configError({ SPOKES_PORT: '70000', DATABASE_URL: 'mysql://x', SPOKES_LOG_LEVEL: 'loud', SPOKES_DEFAULT_REGION: 'usa' });
    const lines = err.message.split('\n');
    assert.equal(lines.length, 4);
    assert.match(lines.find((l) => l.startsWith('SPOKES_PORT'))!, /must be 0–65535 .*e\.g\. SPOKES_PORT=3000/);
    assert.match(lines.find((l) => l.startsWith('DATABASE_URL'))!, /postgres:\/\/ .*e\.g\. DATABASE_URL=postgres:\/\//);
    assert.match(lines.find((l) => l.startsWith('SPOKES_LOG_LEVEL'))!, /e\.g\. SPOKES_LOG_LEVEL=info/);
    assert.match(lines.find((l) => l.startsWith('SPOKES_DEFAULT_REGION'))!, /two-letter ISO country code/);
  });

  it('never echoes a secret it rejects', () => {
    const err = configError({ SPOKES_SECRET_KEY: 'not-a-real-key-but-secret', SPOKES_ADMIN_PASSWORD: 'short' });
    assert.doesNotMatch(err.message, /not-a-real-key-but-secret/);
    assert.doesNotMatch(err.message, /"short"/);
    assert.match(err.message, /SPOKES_SECRET_KEY: must be 32 random bytes in base64/);
  });

  it('reads spokes.config.json, with the environment taking precedence', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'spokes-cfg-'));
    writeFileSync(join(cwd, 'spokes.config.json'), JSON.stringify({ port: 4100, host: '0.0.0.0', logLevel: 'warn' }));
    const config = loadConfig({ env: { SPOKES_LOG_LEVEL: 'debug' }, cwd });
    assert.equal(config.port, 4100);
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.logLevel, 'debug');
  });

  it('rejects an unknown key or broken JSON in spokes.config.json', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'spokes-cfg-'));
    writeFileSync(join(cwd, 'spokes.config.json'), JSON.stringify({ prot: 4100 }));
    assert.match(configError({}, cwd).message, /unknown setting "prot"/);
    writeFileSync(join(cwd, 'spokes.config.json'), '{ port: ');
    assert.match(configError({}, cwd).message, /is not valid JSON/);
  });

  it('stops `spokes start` with exit code 1 and one line per bad variable', async () => {
    const { code, output } = await runSpokesToEnd(['start'], { SPOKES_PORT: 'abc', SPOKES_DATA_DIR: mkdtempSync(join(tmpdir(), 'spokes-cfg-')) });
    assert.equal(code, 1);
    assert.equal(output.trim(), 'spokes: configuration error: SPOKES_PORT: must be a whole number (got "abc"), e.g. SPOKES_PORT=3000');
  });
});
