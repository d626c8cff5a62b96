/**
 * Kimina Lean Server compatibility (a fastify plugin on the existing pool and checker):
 * `POST /api/check` (and `/api/check/`), `POST /verify` and its alias `/one_pass_verify_batch`,
 * with Kimina's field names, defaults, response shapes and status codes. Each result carries
 * the REPL-style command response (line numbers relative to the snippet as written, header
 * included) plus our sound verdict as extra keys (`verdict`, `reason`, `axioms`) that the
 * Kimina client ignores. `GET /health` is the app's own (a superset of Kimina's `{status: "ok"}`).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ApiError, ApiErrors } from '../../protocol/api.js';
import type { CheckResult } from '../../protocol/check.js';
import type { LeanMessage } from '../../protocol/lean.js';
import { checkItem } from '../check/checker.js';
import { judgeSubmission } from '../check/judge.js';
import { DEFAULT_ALLOWED_AXIOMS } from '../lean/verdict.js';
import type { Judge } from '../judge/judge.js';
import { splitHeader } from '../check/header-split.js';
import { LeanWorkerError } from '../lean/errors.js';
import type { LeanWorker } from '../lean/worker.js';
import { forEachLimited, PoolError, type WorkerPool } from '../pool/worker-pool.js';
import type { ReplResult } from '../repl-protocol/repl.js';
import type { ServerMetrics } from '../http/metrics.js';
import { uniqueMessages } from './repl-session.js';
import {
  KiminaCheckRequest,
  KiminaVerifyRequest,
  validationDetail,
  type ReplCommandResponse,
  type ReplMessage,
  type ReplPos,
} from './kimina-schema.js';

/** One result of `/api/check`: Kimina's `ReplResponse` plus our verdict. */
export interface KiminaResult {
  id: string;
  time: number;
  error?: string;
  response?: ReplCommandResponse;
  diagnostics?: { repl_uuid: string; memory_max?: number };
  verdict: CheckResult['verdict'];
  reason?: string;
  axioms: string[];
}

/** Options of the plugin. */
export interface KiminaOptions {
  pool: WorkerPool<LeanWorker>;
  /** Decides every `proved` (see `server/judge/judge.ts`). */
  judge: Judge;
  metrics?: ServerMetrics;
}

/** Thrown to answer the whole request with Kimina's status code and `{detail}`. */
class KiminaHttpError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(detail);
  }
}

const shift = (p: ReplPos, lines: number): ReplPos => ({ line: p.line + lines, column: p.column });

/** A message in the REPL's shape (`endPos` null when unknown, as the REPL writes it), moved down by the header's lines. */
function replMessage(m: LeanMessage, lines: number): ReplMessage {
  return { severity: m.severity, pos: shift(m.pos, lines), endPos: m.endPos ? shift(m.endPos, lines) : null, data: m.data };
}

/** The REPL's command response for a body's command result (empty lists omitted). */
export function replResponse(r: Pick<ReplResult<'env.command'>, 'messages' | 'sorries'>, lines: number): ReplCommandResponse {
  const out: ReplCommandResponse = { env: 0 };
  if (r.messages.length) out.messages = uniqueMessages(r.messages).map((m) => replMessage(m, lines));
  if (r.sorries.length) {
    out.sorries = r.sorries.map((s) => ({
      pos: shift(s.pos, lines),
      ...(s.endPos ? { endPos: shift(s.endPos, lines) } : {}),
      goal: (s.goals ?? []).map((g) => g.pretty).join('\n\n') || (s.error ?? ''),
    }));
  }
  return out;
}

/**
 * The snippet's messages, plus an error naming the verdict when the judge refused a snippet in
 * which Lean itself reported no error (a kernel re-check, an axiom, a statement): Kimina's
 * client reads validity from the messages, so it must see the refusal there.
 */
function withVerdictError(messages: LeanMessage[], r: CheckResult, report: ReplResult<'env.check'>): LeanMessage[] {
  const refused = r.verdict === 'failed' || r.verdict === 'error' || r.verdict === 'timeout';
  if (!refused || messages.some((m) => m.severity === 'error')) return messages;
  // Only a refusal Lean's own messages do not show: the worker's report passed, the judge refused.
  if (judgeSubmission(report, DEFAULT_ALLOWED_AXIOMS, { kernelChecked: false }).verdict !== 'proved') return messages;
  const at = { line: 1, column: 0 };
  return [...messages, { severity: 'error', pos: at, endPos: at, data: `leanenv: ${r.verdict}: ${r.reason ?? 'not proved'}` }];
}

/** Lines before the body when `code` is split into header (imports) and body. */
function headerLines(code: string, body: string): number {
  return code.split('\n').length - body.split('\n').length;
}

/**
 * Check one snippet on the pool with Kimina's wall-clock `timeout` (seconds; 0: the server's
 * own limit) for the header and then for the body: past it the worker is stopped (the pool
 * replaces it) and the result is Kimina's `Lean REPL command timed out in N seconds`.
 */
async function checkSnippet(o: KiminaOptions, tenant: string, id: string, code: string, timeout: number, debug: boolean): Promise<KiminaResult> {
  const { header, body } = splitHeader(code);
  const lines = headerLines(code, body);
  const t0 = Date.now();
  try {
    return await o.pool.run({ tenant, header, finishOnShutdown: true }, async ({ worker, slot, generation }) => {
      let timedOut: 'header ' | '' | undefined;
      const arm = (phase: 'header ' | '') =>
        timeout > 0 ? setTimeout(() => ((timedOut = phase), worker.kill(`Kimina timeout of ${timeout} s`)), timeout * 1000) : undefined;
      const diagnostics = debug ? { diagnostics: { repl_uuid: `${slot}.${generation}.${worker.pid ?? 0}`, memory_max: worker.rssBytes() } } : {};
      let report: ReplResult<'env.check'> | undefined;
      let headerEnv: number | undefined;
      let result: CheckResult;
      let timer = arm('header ');
      try {
        headerEnv = await worker.importHeader(header).then(
          (env) => (env.hasErrors ? undefined : env.env),
          (e: unknown) => {
            if (timedOut === undefined && !(e instanceof LeanWorkerError && e.kind === 'repl_error')) throw e;
            return undefined;
          },
        );
        clearTimeout(timer);
        if (timedOut !== undefined) throw new Error('timed out');
        const tBody = Date.now();
        timer = arm('');
        const r = await checkItem(worker, { id, code }, { judge: o.judge, onSubmission: (s) => (report = s) });
        result = { ...r, elapsedMs: Date.now() - tBody };
      } catch (e) {
        if (timedOut === undefined) throw e;
        const reason = `Lean REPL ${timedOut}command timed out in ${timeout} seconds`;
        return { id, time: timeout, error: reason, verdict: 'timeout', reason, axioms: [], ...diagnostics };
      } finally {
        clearTimeout(timer);
      }
      const verdict = { verdict: result.verdict, ...(result.reason ? { reason: result.reason } : {}), axioms: result.axioms };
      const time = result.elapsedMs / 1000;
      if (report) {
        // Messages are the whole snippet's (Lean parsed its header); sorries with their goals come
        // from the body elaborated again in the header's environment, only when there are some.
        let sorries: ReplResult<'env.command'>['sorries'] = [];
        if (result.verdict === 'incomplete' && headerEnv !== undefined) {
          const c = await worker.runCommand(headerEnv, body).catch(() => undefined);
          if (c) {
            sorries = c.sorries.map((x) => ({ ...x, pos: shift(x.pos, lines), ...(x.endPos ? { endPos: shift(x.endPos, lines) } : {}) }));
            void worker.drop({ envs: [c.env] }).catch(() => undefined);
          }
        }
        return { id, time, response: replResponse({ messages: withVerdictError(report.messages, result, report), sorries }, 0), ...verdict, ...diagnostics };
      }
      if (result.verdict === 'failed' && result.messages.length) {
        // The header did not elaborate: its messages, already relative to the snippet's first line.
        return { id, time, response: replResponse({ messages: result.messages, sorries: [] }, 0), ...verdict, ...diagnostics };
      }
      const error = result.verdict === 'timeout' ? `Lean REPL command timed out (${result.reason ?? 'server limit'})` : (result.reason ?? 'not checked');
      return { id, time, error, ...verdict, ...diagnostics };
    });
  } catch (e) {
    if (e instanceof PoolError && e.kind === 'overloaded') throw new KiminaHttpError(429, 'No available REPLs');
    if (e instanceof PoolError && e.kind === 'shutting_down') throw new KiminaHttpError(503, e.message);
    const reason = `not checked: ${e instanceof Error ? e.message : String(e)}`;
    return { id, time: (Date.now() - t0) / 1000, error: reason, verdict: 'error', reason, axioms: [] };
  }
}

/** Check snippets, as many at a time as there are workers, results in request order. */
async function checkAll(o: KiminaOptions, snippets: { id: string; code: string }[], timeout: number, debug: boolean): Promise<KiminaResult[]> {
  const tenant = `kimina_${randomUUID()}`;
  const results: KiminaResult[] = new Array(snippets.length);
  let refused: unknown;
  await o.pool.admit(() =>
    forEachLimited(snippets, o.pool.stats().size * o.pool.stats().slotsPerWorker, async (s, i) => {
      if (refused) return;
      try {
        results[i] = await checkSnippet(o, tenant, s.id, s.code, timeout, debug);
        o.metrics?.verdicts.inc({ verdict: results[i]!.verdict });
      } catch (e) {
        refused = e;
      }
    }),
  );
  if (refused) throw refused;
  return results;
}

/** Send a whole-request refusal the way FastAPI does (`{detail}`). */
function refuse(reply: FastifyReply, e: unknown): FastifyReply {
  if (e instanceof KiminaHttpError) return reply.code(e.status).send({ detail: e.detail });
  if ((e instanceof PoolError && e.kind === 'shutting_down') || (e instanceof ApiError && e.spec === ApiErrors.ShuttingDown)) return reply.code(503).send({ detail: e.message });
  throw e;
}

/** Register `/api/check`, `/verify` and `/one_pass_verify_batch`. */
export async function kiminaRoutes(app: FastifyInstance, o: KiminaOptions): Promise<void> {
  const check = async (req: { body: unknown }, reply: FastifyReply) => {
    const parsed = KiminaCheckRequest.safeParse(req.body);
    if (!parsed.success) return reply.code(422).send(validationDetail(parsed.error));
    const { snippets, timeout, debug } = parsed.data;
    try {
      return reply.send({ results: await checkAll(o, snippets, timeout, debug) });
    } catch (e) {
      return refuse(reply, e);
    }
  };
  app.post('/api/check', check);
  app.post('/api/check/', check);

  const verify = async (req: { body: unknown }, reply: FastifyReply) => {
    const parsed = KiminaVerifyRequest.safeParse(req.body);
    if (!parsed.success) return reply.code(422).send(validationDetail(parsed.error));
    const { codes, timeout } = parsed.data;
    const snippets = codes.map((c) => ({ id: String(c.custom_id), code: (c.proof ?? c.code)! }));
    if (new Set(snippets.map((s) => s.id)).size !== snippets.length) {
      return reply.code(422).send({ detail: [{ type: 'value_error', loc: ['body', 'codes'], msg: 'custom_id values must be unique' }] });
    }
    try {
      const results = await checkAll(o, snippets, timeout, false);
      return reply.send({
        results: results.map(({ id, time, error, response, verdict, reason, axioms }) => ({
          custom_id: id,
          error: error ?? null,
          response: response ? { ...response, time } : null,
          verdict,
          ...(reason ? { reason } : {}),
          axioms,
        })),
      });
    } catch (e) {
      return refuse(reply, e);
    }
  };
  app.post('/verify', verify);
  app.post('/one_pass_verify_batch', verify);
}
