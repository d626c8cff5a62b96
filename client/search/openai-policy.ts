/**
 * A policy served by an OpenAI-compatible endpoint (what vLLM, SGLang and llama.cpp serve):
 * `POST {baseUrl}/completions` or `/chat/completions` with a prompt built from a template,
 * `n` samples at a temperature, each sample one candidate tactic. A candidate's score is the
 * sum of its token log-probabilities when the server returns them, else the log of the share
 * of samples that gave the same tactic.
 */
import { z } from 'zod';
import { describeIssues } from '../../protocol/issues.js';
import type { Candidate, Policy, PolicyState } from './policy.js';

/** Configuration: endpoint, prompt template and sampling settings. */
export const OpenAiConfig = z
  .object({
    /** Base URL, e.g. `http://127.0.0.1:8000/v1` (a URL ending in `/completions` or `/chat/completions` is used as is). */
    url: z.url(),
    api: z.enum(['completions', 'chat']).default('completions'),
    model: z.string().min(1).default('default'),
    /** Placeholders: `{statement}`, `{goals}` (Lean's text), `{tactics}` (one per line), `{id}`. */
    prompt: z.string().min(1).default('Lean 4 proof of:\n{statement}\n\nTactics so far:\n{tactics}\n\nCurrent goals:\n{goals}\n\nNext tactic:\n'),
    /** System message (chat only). */
    system: z.string().optional(),
    n: z.number().int().min(1).max(64).default(8),
    temperature: z.number().min(0).max(2).default(1),
    maxTokens: z.number().int().min(1).default(128),
    stop: z.array(z.string()).max(4).optional(),
    /** Ask for token log-probabilities (for the scores). */
    logprobs: z.boolean().default(true),
    apiKey: z.string().optional(),
    timeoutMs: z.number().int().min(1).default(60_000),
  })
  .strict();
export type OpenAiConfig = z.input<typeof OpenAiConfig>;

const CompletionsReply = z.object({
  choices: z.array(z.object({ text: z.string(), logprobs: z.object({ token_logprobs: z.array(z.number().nullable()) }).nullish() })),
});
const ChatReply = z.object({
  choices: z.array(
    z.object({
      message: z.object({ content: z.string().nullable() }),
      logprobs: z.object({ content: z.array(z.object({ logprob: z.number() })).nullable() }).nullish(),
    }),
  ),
});

/** Fill a prompt template from a state. */
export function renderPrompt(template: string, s: PolicyState): string {
  const values: Record<string, string> = { statement: s.statement ?? '', goals: s.goalsText, tactics: s.tactics.join('\n'), id: s.id };
  return template.replace(/\{(statement|goals|tactics|id)\}/g, (_, k: string) => values[k]!);
}

/** The tactic in a completion: code fences and surrounding blank space removed. */
export function extractTactic(text: string): string {
  const fenced = /```(?:lean4?|tactic)?\s*\n?([\s\S]*?)(?:```|$)/.exec(text);
  return (fenced ? fenced[1]! : text).trim();
}

/** Policy on an OpenAI-compatible completions or chat endpoint. */
export class OpenAiPolicy implements Policy {
  readonly name: string;
  readonly config: z.infer<typeof OpenAiConfig>;
  private readonly endpoint: string;

  /** A policy from its configuration (validated; a bad one throws with what was wrong). */
  constructor(config: OpenAiConfig) {
    const r = OpenAiConfig.safeParse(config);
    if (!r.success) throw new Error(`openai policy: ${describeIssues(r.error, 'config').join('; ')}`);
    this.config = r.data;
    const url = r.data.url.replace(/\/+$/, '');
    if (/\/chat\/completions$/.test(url)) this.config.api = 'chat';
    else if (/\/completions$/.test(url)) this.config.api = 'completions';
    this.endpoint = /\/completions$/.test(url) ? url : `${url}/${this.config.api === 'chat' ? 'chat/completions' : 'completions'}`;
    this.name = `openai:${this.endpoint}`;
  }

  /** One request with `n` samples; candidates with their scores. */
  async propose(state: PolicyState): Promise<Candidate[]> {
    const c = this.config;
    const prompt = renderPrompt(c.prompt, state);
    const common = { model: c.model, n: c.n, temperature: c.temperature, max_tokens: c.maxTokens, ...(c.stop ? { stop: c.stop } : {}) };
    const body =
      c.api === 'chat'
        ? { ...common, messages: [...(c.system ? [{ role: 'system', content: c.system }] : []), { role: 'user', content: prompt }], ...(c.logprobs ? { logprobs: true } : {}) }
        : { ...common, prompt, ...(c.logprobs ? { logprobs: 1 } : {}) };
    const res = await fetch(this.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(c.apiKey ? { authorization: `Bearer ${c.apiKey}` } : {}) },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(c.timeoutMs),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${this.name}: HTTP ${res.status}: ${text.slice(0, 300)}`);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error(`${this.name}: the reply is not JSON: ${text.slice(0, 200)}`);
    }
    const samples = c.api === 'chat' ? chatSamples(json, this.name) : completionSamples(json, this.name);
    return scoreSamples(samples);
  }
}

interface Sample {
  text: string;
  logprob?: number;
}

function completionSamples(json: unknown, name: string): Sample[] {
  const r = CompletionsReply.safeParse(json);
  if (!r.success) throw new Error(`${name}: bad completions reply (${describeIssues(r.error, 'reply').join('; ')})`);
  return r.data.choices.map((ch) => ({ text: ch.text, logprob: ch.logprobs ? sum(ch.logprobs.token_logprobs) : undefined }));
}

function chatSamples(json: unknown, name: string): Sample[] {
  const r = ChatReply.safeParse(json);
  if (!r.success) throw new Error(`${name}: bad chat reply (${describeIssues(r.error, 'reply').join('; ')})`);
  return r.data.choices.map((ch) => ({ text: ch.message.content ?? '', logprob: ch.logprobs?.content ? sum(ch.logprobs.content.map((t) => t.logprob)) : undefined }));
}

const sum = (xs: ReadonlyArray<number | null>) => xs.reduce<number>((a, b) => a + (b ?? 0), 0);

/** One candidate per distinct tactic: the best log-probability when known, else log(share of samples). */
export function scoreSamples(samples: readonly Sample[]): Candidate[] {
  const by = new Map<string, { count: number; logprob?: number }>();
  for (const s of samples) {
    const tactic = extractTactic(s.text);
    if (!tactic) continue;
    const e = by.get(tactic) ?? { count: 0 };
    e.count++;
    if (s.logprob !== undefined) e.logprob = Math.max(e.logprob ?? -Infinity, s.logprob);
    by.set(tactic, e);
  }
  return [...by].map(([tactic, e]) => ({ tactic, score: e.logprob !== undefined ? Math.min(0, e.logprob) : Math.log(e.count / samples.length) }));
}
