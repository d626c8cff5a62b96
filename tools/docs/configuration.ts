/**
 * docs/configuration.md, generated from the configuration schema (`server/config/config.ts`,
 * through `server/config/describe.ts`): the prose around the table is here, the table comes
 * from the schema. `npm run docs` writes it; a test fails when the committed file is stale.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { configFields } from '../../server/config/describe.js';

/** Where the page is committed. */
export const CONFIGURATION_DOC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/configuration.md');

/** A Markdown table cell: pipes escaped. */
const cell = (s: string) => s.replaceAll('|', '\\|');

/** The Markdown page. */
export function renderConfiguration(): string {
  const out = [
    '# Configuration',
    '',
    '<!-- Generated from server/config/config.ts by `npm run docs` (tools/docs/configuration.ts): do not edit by hand. -->',
    '',
    'One object, validated with zod (`server/config/config.ts`), from (lowest to highest',
    'priority) defaults, a JSON file (`--config FILE` or `LEANENV_CONFIG`), environment',
    'variables and flags. Flags and environment names are derived from the field names',
    '(`server/config/sources.ts`): field `fooBarMs` is `--foo-bar-ms` and `LEANENV_FOO_BAR_MS`,',
    'except `HOST`, `PORT`, `LOG_LEVEL`, `REDIS_URL` and `LEANENV_LAKE` (`lakePath`); numbers and',
    'booleans (`true`/`false`) are parsed by the field\'s type. A new setting is one field of',
    '`ConfigSchema` with a doc comment and a default; this table is generated from it, and',
    '`npm start -- --help` (or `leanenv serve --help`) prints the same list.',
    '',
    '| field | flag | environment | default | what |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const f of configFields()) out.push(`| \`${f.field}\` | \`${f.flag}\` | \`${f.env}\` | ${cell(f.default)} | ${cell(f.doc)} |`);
  return out.join('\n') + '\n';
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  fs.writeFileSync(CONFIGURATION_DOC, renderConfiguration());
  console.log(`wrote ${path.relative(process.cwd(), CONFIGURATION_DOC)}`);
}
