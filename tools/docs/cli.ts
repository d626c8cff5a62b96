/**
 * docs/cli.md, generated from the CLI's command specs (`client/cli/specs.ts`): every command's
 * flags with defaults, examples and exit codes, the same text `leanenv <command> --help` prints.
 * `npm run docs` writes it; a test fails when the committed file is stale.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMMON_EXIT_CODES, usageLine } from '../../client/cli/commands.js';
import { COMMANDS } from '../../client/cli/specs.js';

/** Where the page is committed. */
export const CLI_DOC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/cli.md');

const cell = (s: string) => s.replaceAll('|', '\\|');

/** The Markdown page. */
export function renderCli(): string {
  const out = [
    '# The `leanenv` command line',
    '',
    '<!-- Generated from client/cli/specs.ts by `npm run docs` (tools/docs/cli.ts): do not edit by hand. -->',
    '',
    '`npx leanenv` in this repository (the package\'s `bin`), or `npm run cli --`. `leanenv --help` lists the',
    'commands; `leanenv <command> --help` prints what this page says about it. The CLI talks to a',
    'server over HTTP and WebSocket and imports no server code; without `--server` it starts a',
    'private server as a child process for the run, and stops it (and its Lean workers) at the end',
    'or when interrupted.',
    '',
    '## Exit codes of every command',
    '',
    '| code | meaning |',
    '| --- | --- |',
    ...COMMON_EXIT_CODES.map(([c, w]) => `| ${c} | ${cell(w)} |`),
  ];
  for (const c of COMMANDS) {
    out.push('', `## leanenv ${c.name}`, '', `\`${usageLine(c)}\`: ${c.summary}.`, '', c.details.replaceAll('\n', ' '), '');
    if (c.flags.length) {
      out.push('| flag | default | what |', '| --- | --- | --- |');
      for (const f of c.flags) {
        const dflt = f.defaultText ?? (f.default !== undefined && f.default !== false ? String(f.default) : '');
        out.push(`| \`--${f.name}${f.type === 'string' ? ` ${f.value ?? 'VALUE'}` : ''}\` | ${cell(dflt)} | ${cell(f.help)}${f.multiple ? ' (repeatable)' : ''} |`);
      }
      out.push('');
    } else if (c.name === 'serve') {
      out.push('Its flags are the server\'s settings: [configuration.md](configuration.md).', '');
    }
    out.push('Examples:', '', '```sh', ...c.examples, '```', '', 'Exit codes: ' + c.exitCodes.map(([code, w]) => `${code}: ${w}`).join('; ') + '.');
  }
  return out.join('\n') + '\n';
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  fs.writeFileSync(CLI_DOC, renderCli());
  console.log(`wrote ${path.relative(process.cwd(), CLI_DOC)}`);
}
