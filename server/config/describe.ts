/**
 * The configuration's fields described for people: flag, environment variable, default and
 * the field's doc comment, read from `ConfigSchema` (names, defaults) and from this folder's
 * `config.ts` source (doc comments). Used by `leanenv serve --help` / `npm start -- --help`
 * and by the generated table in docs/configuration.md (tools/docs/configuration.ts), so
 * neither can drift from the schema.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigSchema } from './config.js';
import { envName, flagName } from './sources.js';

/** One setting as documented. */
export interface ConfigFieldDoc {
  field: string;
  flag: string;
  env: string;
  /** The default as text (machine-dependent defaults are described, not computed). */
  default: string;
  /** The field's doc comment on one line. */
  doc: string;
}

/** Defaults that depend on the machine or the checkout: described rather than printed. */
const DESCRIBED_DEFAULTS: Record<string, string> = {
  workers: 'one per core, at most one per 3 GiB of memory',
  spareWorkers: '1 when memory holds `workers` + 1 workers at 3 GiB each, else 0',
  cacheDir: '`.leanenv/` in this repository',
  projectDir: 'this repository',
  lakePath: '`lake` from PATH',
};

/** Doc comments of `ConfigSchema`'s fields, from the source of config.ts (`/** … *\/` right before `name:`). */
function docComments(): Map<string, string> {
  const source = fs.readFileSync(fileURLToPath(new URL('./config.ts', import.meta.url)), 'utf8');
  const body = source.slice(source.indexOf('export const ConfigSchema'));
  const out = new Map<string, string>();
  for (const m of body.matchAll(/\/\*\*([\s\S]*?)\*\/\s*\n\s*([A-Za-z]+):/g)) {
    const text = m[1]!.split('\n').map((l) => l.replace(/^\s*\*\s?/, '').trim()).filter(Boolean).join(' ');
    out.set(m[2]!, text);
  }
  return out;
}

/** The default of a field as text: `none` for optional fields without a described default. */
function defaultText(field: string): string {
  if (field in DESCRIBED_DEFAULTS) return DESCRIBED_DEFAULTS[field]!;
  const schema = ConfigSchema.shape[field as keyof typeof ConfigSchema.shape];
  const r = schema.safeParse(undefined);
  if (!r.success || r.data === undefined) return 'none';
  return typeof r.data === 'string' ? (r.data === '' ? 'empty' : `\`${r.data}\``) : `\`${JSON.stringify(r.data)}\``;
}

/** Every field of `ConfigSchema`, in schema order. */
export function configFields(): ConfigFieldDoc[] {
  const docs = docComments();
  return Object.keys(ConfigSchema.shape).map((field) => ({
    field,
    flag: `--${flagName(field)}`,
    env: envName(field),
    default: defaultText(field),
    doc: docs.get(field) ?? '',
  }));
}

/** The settings as plain text for `--help`: one block per field. */
export function configHelp(): string {
  const lines = [
    'usage: npm start -- [flags]   (or: leanenv serve [flags])',
    '',
    'Serve the HTTP and WebSocket API on HOST:PORT (127.0.0.1:8765 by default) with a pool of Lean',
    'workers. Every setting is a flag, an environment variable or a field of a JSON file',
    '(--config FILE or LEANENV_CONFIG); flags win over the environment, which wins over the file.',
    '',
    'settings:',
  ];
  for (const f of configFields()) lines.push(`  ${f.flag} VALUE   (${f.env}; default: ${f.default.replaceAll('`', '')})`, `      ${f.doc}`);
  lines.push('', 'example:', '  npm start -- --port 9000 --workers 2 --auth-token "$(openssl rand -hex 24)"', '', 'exit codes: 0 after a clean shutdown (SIGINT/SIGTERM), 1 when the shutdown failed, 2 on a bad flag or value.');
  return lines.join('\n');
}
