/** `leanenv --help` and `leanenv <command> --help` as a user runs them (real processes, no Lean), and errors that say what to do. */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { COMMANDS } from '../../client/cli/specs.js';
import { CLI_DOC, renderCli } from '../../tools/docs/cli.js';
import { runCli } from '../support/cli.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leanenv-help-'));

describe('leanenv --help', () => {
  test('lists every command, exit 0 on stdout', async () => {
    const r = await runCli(dir, '--help');
    expect(r.exitCode).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${c.name} +${c.summary.slice(0, 20).replace(/[()`]/g, '.')}`, 'm'));
  });

  test('no command: the same help on stderr, exit 2; an unknown command says which exist', async () => {
    const none = await runCli(dir);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain('usage: leanenv <command>');
    const bad = await runCli(dir, 'chek');
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('unknown command "chek": the commands are serve, check, prove, repl');
  });

  test.each(['check', 'prove', 'repl'])('leanenv %s --help: flags with defaults, an example, exit codes', async (name) => {
    const spec = COMMANDS.find((c) => c.name === name)!;
    const r = await runCli(dir, name, '--help');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(`usage: leanenv ${name}`);
    for (const f of spec.flags) expect(r.stdout).toContain(`--${f.name}`);
    expect(r.stdout).toMatch(/\[default: /);
    expect(r.stdout).toMatch(new RegExp(`examples:\\n {2}.*leanenv ${name}`));
    expect(r.stdout).toMatch(/exit codes:\n {2}0 /);
    expect(r.stdout).toContain('130 interrupted');
  });

  test("leanenv serve --help: the server's settings with environment names and defaults", async () => {
    const r = await runCli(dir, 'serve', '--help');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('--port VALUE   (PORT; default: 8765)');
    expect(r.stdout).toContain('--workers VALUE   (LEANENV_WORKERS; default: one per core');
    expect(r.stdout).toContain('example:');
  }, 60_000);

  test('docs/cli.md is up to date with the specs (else: npm run docs)', () => {
    expect(fs.readFileSync(CLI_DOC, 'utf8')).toBe(renderCli());
  });
});

describe('errors say what to do', () => {
  test('an unknown flag names the command, a near flag and --help; exit 2', async () => {
    const r = await runCli(dir, 'check', 'x.lean', '--jsn');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('unknown flag --jsn for `leanenv check`; did you mean --json? (see `leanenv check --help`)');
  });

  test('a missing file or no input: exit 2 with the fix', async () => {
    const missing = await runCli(dir, 'check', 'nope.lean', '--server', 'http://127.0.0.1:9');
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('no such file: nope.lean');
    const none = await runCli(dir, 'prove');
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain('nothing to prove: give .jsonl files or dataset ids');
    const number = await runCli(dir, 'prove', 'x', '--budget', 'lots', '--server', 'http://127.0.0.1:9');
    expect(number.exitCode).toBe(2);
    expect(number.stderr).toContain('--budget must be a non-negative number, got "lots"');
  });

  test('a server that is not there: exit 3, and how to start one', async () => {
    fs.writeFileSync(path.join(dir, 'a.lean'), 'theorem a : True := trivial\n');
    const s = net.createServer();
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    const port = (s.address() as net.AddressInfo).port;
    await new Promise((resolve) => s.close(resolve)); // nothing listens there now
    const r = await runCli(dir, 'check', 'a.lean', '--server', `http://127.0.0.1:${port}`);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/could not reach the server \(ECONNREFUSED\): is it running\? Start one with `npm start`/);
  });
});
