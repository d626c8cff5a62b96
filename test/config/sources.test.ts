/** Flags and environment names are derived from the schema's fields, as docs/configuration.md documents them. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { ConfigSchema, loadConfig } from '../../server/config/config.js';
import { envName, flagName } from '../../server/config/sources.js';
import { PROJECT_ROOT } from '../../server/provision/paths.js';

/** `| what | --flag | ENV | default |` rows of docs/configuration.md's table (flag and env pairs split on ` / `). */
function readmeRows(): { flag: string; env: string }[] {
  const section = fs.readFileSync(path.join(PROJECT_ROOT, 'docs/configuration.md'), 'utf8');
  const rows: { flag: string; env: string }[] = [];
  for (const m of section.matchAll(/^\|[^|]*\| (`--[^|]*) \| (`[A-Z_]+`[^|]*) \|/gm)) {
    const flags = [...m[1]!.matchAll(/`--([a-z-]+)`/g)].map((x) => x[1]!);
    const envs = [...m[2]!.matchAll(/`([A-Z_]+)`/g)].map((x) => x[1]!);
    flags.forEach((flag, i) => rows.push({ flag, env: envs[i]! }));
  }
  return rows;
}

describe('configuration sources', () => {
  test("every flag and environment name of docs/configuration.md's table belongs to a field, by the derivation rule", () => {
    const rows = readmeRows();
    expect(rows.length).toBeGreaterThanOrEqual(25);
    const fields = Object.keys(ConfigSchema.shape);
    for (const { flag, env } of rows) {
      const field = fields.find((f) => flagName(f) === flag);
      expect(field, `--${flag}`).toBeDefined();
      expect(envName(field!), `--${flag}`).toBe(env);
    }
  });

  test('the derived names: LEANENV_ + UPPER_SNAKE_CASE, kebab-case flags, the conventional exceptions', () => {
    expect([flagName('maxQueuePerSession'), envName('maxQueuePerSession')]).toEqual(['max-queue-per-session', 'LEANENV_MAX_QUEUE_PER_SESSION']);
    expect([envName('host'), envName('port'), envName('logLevel'), envName('lakePath')]).toEqual(['HOST', 'PORT', 'LOG_LEVEL', 'LEANENV_LAKE']);
  });

  test('every field is settable from a flag and from the environment, with its type', () => {
    const c = loadConfig(['--startup-timeout-ms', '1234', '--ws-rate-per-second=0.5', '--default-header', 'open Nat'], { LEANENV_MAX_HEADER_ENVS: '3', LEANENV_STARTUP_TIMEOUT_MS: '99' });
    expect(c).toMatchObject({ startupTimeoutMs: 1234, wsRatePerSecond: 0.5, defaultHeader: 'open Nat', maxHeaderEnvs: 3 });
    expect(() => loadConfig(['--port'], {})).toThrow(/option --port needs a value/);
    expect(() => loadConfig([], { LEANENV_WORKERS: 'many' })).toThrow(/workers/);
  });

  test('a JSON file (--config or LEANENV_CONFIG) is below the environment and flags', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'leanenv-config-')), 'c.json');
    fs.writeFileSync(file, JSON.stringify({ port: 1111, maxQueue: 7, sandbox: 'off' }));
    expect(loadConfig(['--config', file], { PORT: '2222' })).toMatchObject({ port: 2222, maxQueue: 7, sandbox: 'off' });
    expect(loadConfig(['--max-queue=9'], { LEANENV_CONFIG: file })).toMatchObject({ port: 1111, maxQueue: 9 });
    fs.rmSync(path.dirname(file), { recursive: true });
  });
});
