/**
 * Configuration values from the environment and from flags, derived from the schema's field
 * names so that no field can be missing from a hand-kept table:
 * - flag: `--kebab-case` of the field (`maxQueuePerSession` → `--max-queue-per-session`),
 *   `--flag value` or `--flag=value` (Node's `parseArgs`);
 * - environment: `LEANENV_` + the field in UPPER_SNAKE_CASE (`LEANENV_MAX_QUEUE_PER_SESSION`),
 *   except the names in `ENV_NAME_EXCEPTIONS` (HOST, PORT, LOG_LEVEL, LEANENV_LAKE, REDIS_URL);
 * - values are strings, turned into numbers or booleans where the field's schema wants one
 *   (`true`/`false`/`1`/`0`); zod then validates everything.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';

/** Environment names that do not follow the `LEANENV_<FIELD>` rule (conventional or historical names). */
const ENV_NAME_EXCEPTIONS: Record<string, string> = { lakePath: 'LEANENV_LAKE', host: 'HOST', port: 'PORT', logLevel: 'LOG_LEVEL', redis: 'REDIS_URL' };

/** The flag of a field: `--kebab-case`. */
export function flagName(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** The environment variable of a field. */
export function envName(field: string): string {
  return ENV_NAME_EXCEPTIONS[field] ?? `LEANENV_${field.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

/** The value type a field's schema wants, under defaults and optionality. */
function baseType(schema: z.ZodType): string {
  let s: z.ZodType = schema;
  while (s instanceof z.ZodDefault || s instanceof z.ZodOptional || s instanceof z.ZodNullable) s = s.unwrap() as z.ZodType;
  return s.def.type;
}

/** A string from the environment or a flag, as the field's type (left as is when it does not fit: zod then says what is wrong). */
function coerce(schema: z.ZodType, value: string): unknown {
  const type = baseType(schema);
  if (type === 'number' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  if (type === 'boolean' && /^(true|1)$/i.test(value)) return true;
  if (type === 'boolean' && /^(false|0)$/i.test(value)) return false;
  return value;
}

/** Values of the schema's fields from environment variables (empty ones ignored). */
export function valuesFromEnv(shape: Record<string, z.ZodType>, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, schema] of Object.entries(shape)) {
    const v = env[envName(field)];
    if (v !== undefined && v !== '') out[field] = coerce(schema, v);
  }
  return out;
}

/** Values of the schema's fields from flags, and `--config FILE`; an unknown flag or a missing value throws. */
export function valuesFromArgs(shape: Record<string, z.ZodType>, argv: string[]): { values: Record<string, unknown>; configFile?: string } {
  const fields = new Map(Object.keys(shape).map((f) => [flagName(f), f]));
  const options = Object.fromEntries([...fields.keys(), 'config'].map((flag) => [flag, { type: 'string' as const }]));
  let parsed: Record<string, string | boolean | undefined>;
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: true }).values as Record<string, string | undefined>;
  } catch (e) {
    const code = (e as { code?: string }).code;
    const flag = /'(-[^' ]+)/.exec((e as Error).message)?.[1];
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new Error(`unknown option ${flag}`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') throw new Error(`option ${flag} needs a value`);
    throw e;
  }
  const values: Record<string, unknown> = {};
  for (const [flag, v] of Object.entries(parsed)) {
    const field = fields.get(flag);
    if (field !== undefined && typeof v === 'string') values[field] = coerce(shape[field]!, v);
  }
  return { values, configFile: typeof parsed.config === 'string' ? parsed.config : undefined };
}
