/** Types and small helpers of a Lean worker (`worker.ts`), kept apart to keep that file short. */
import type { Logger } from 'pino';
import { LeanWorkerError } from './errors.js';
import type { ReplResult } from '../repl-protocol/repl.js';
import type { Judgement } from './verdict.js';

/** A verification with its verdict and the whole proof as re-checkable text. */
export interface ProofVerification {
  result: ReplResult<'proof.verify'>;
  judgement: Judgement;
  /** Tactics from the start state, in order. */
  tactics: string[];
  /** `theorem ... := by ...`, when the proof started from a statement. */
  proofText?: string;
}

/** Limits and logging for a worker. */
export interface WorkerOptions {
  requestTimeoutMs: number;
  startupTimeoutMs: number;
  /** Heartbeat limit (thousands) sent with requests that give none. */
  maxHeartbeats: number;
  /** Imported header environments kept per worker; the least recently used is dropped beyond it. */
  maxHeaderEnvs?: number;
  logger?: Logger;
}

/** What `initialize` reported. */
export type WorkerInfo = ReplResult<'initialize'>;

/** The error of a request on a worker found tampered with. */
export function tamperedError(reason: string): LeanWorkerError {
  return new LeanWorkerError('worker_tampered', `the worker was tampered with: ${reason}; the request was not answered and the worker is replaced`);
}

/** Remove a trailing `:= by sorry` / `:= sorry` from a statement (datasets ship statements so). */
export function stripProofBody(statement: string): string {
  return statement.replace(/\s*:=\s*(by\s+)?sorry\s*$/, '').trimEnd();
}

/** What `runCommand` reports beyond messages and sorries. */
export interface CommandOptions {
  /** Every tactic of the commands, with its goals and a proof state (`TacticRecord`, as the Lean REPL's `allTactics`). */
  tactics?: boolean;
  /** The outermost tactic node of each proof, as a `TacticRecord` (the Lean REPL's root goals). */
  rootGoals?: boolean;
  /** The commands' info trees as data (`InfoNode`). */
  infoTree?: boolean;
}

/** The `env.command` params for command options (only those that are set). */
export function commandOptionParams(o: CommandOptions): { tactics?: true; rootGoals?: true; infoTree?: true } {
  return { ...(o.tactics ? { tactics: true } : {}), ...(o.rootGoals ? { rootGoals: true } : {}), ...(o.infoTree ? { infoTree: true } : {}) };
}
