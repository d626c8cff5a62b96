/**
 * Best-first proof search over the leanenv API, as a library: policies (built-in, external
 * process, OpenAI-compatible endpoint), the search, many statements at once.
 */
import fs from 'node:fs';
import { BuiltinPolicy } from './builtin-policy.js';
import { ExecPolicy } from './exec-policy.js';
import { OpenAiPolicy, type OpenAiConfig } from './openai-policy.js';
import type { Policy } from './policy.js';

export * from './backend.js';
export * from './best-first.js';
export * from './builtin-policy.js';
export * from './exec-policy.js';
export * from './openai-policy.js';
export * from './policy.js';
export * from './prove-many.js';
export * from './ws-backend.js';

/**
 * A policy from a spec: `builtin`, `builtin:CONFIG.json`, `exec:COMMAND` or `openai:URL`;
 * `openai` takes the rest of its configuration (model, prompt, n, temperature, maxTokens, …)
 * from `openai` (e.g. read from a JSON file by the CLI).
 */
export function policyFromSpec(spec: string, o: { openai?: Partial<OpenAiConfig> } = {}): Policy {
  if (spec === 'builtin') return new BuiltinPolicy();
  if (spec.startsWith('builtin:')) return new BuiltinPolicy(JSON.parse(fs.readFileSync(spec.slice(8), 'utf8')));
  if (spec.startsWith('exec:') && spec.length > 5) return new ExecPolicy(spec.slice(5));
  if (spec.startsWith('openai:') && spec.length > 7) return new OpenAiPolicy({ ...o.openai, url: spec.slice(7) });
  throw new Error(`unknown policy ${JSON.stringify(spec)}: use builtin, builtin:CONFIG.json, exec:COMMAND or openai:URL`);
}
