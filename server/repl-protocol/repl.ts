/**
 * The protocol between the Node server and the Lean-side REPL (JSON-RPC 2.0 over
 * stdio, LSP framing): method names, params and results as zod schemas. The Lean
 * side is `lean-project/LeanEnv/Handlers.lean`; results are validated here, so a
 * drift between the two shows up as a validation error, not as a wrong answer.
 */
import { z } from 'zod';

import { Position, LeanMessage, Hypothesis, Goal } from '../../protocol/lean.js';
import { InfoNode, TacticRecord } from './tactic-data.js';

export { Position, LeanMessage, Hypothesis, Goal, TacticRecord, InfoNode };

const Elapsed = { elapsedMs: z.number() };

/** `initialize`. */
/** `initialize`: Lean's version and git hash, the toolchain the REPL was compiled with (`leanprover/lean4:v4.28.0`), the methods it serves. */
export const InitializeResult = z.object({ version: z.string(), githash: z.string(), toolchain: z.string(), methods: z.array(z.string()) });

/** `env.import {header, importsOnly?, maxHeartbeats?}` (`importsOnly`: Lean's header parser reads the text, nothing after the imports is elaborated). */
export const ImportParams = z.object({ header: z.string(), importsOnly: z.boolean().optional(), maxHeartbeats: z.number().int().min(0).optional() });
export const ImportResult = z.object({ env: z.number().int(), messages: z.array(LeanMessage), hasErrors: z.boolean(), ...Elapsed });

/** A `sorry` found by `env.command` (or `proof.tactic` with `sorries`), with the proof state standing for it. */
export const SorryInfo = z.object({
  proofState: z.number().int().optional(),
  goals: z.array(Goal).optional(),
  error: z.string().optional(),
  pos: Position,
  endPos: Position.optional(),
});

/** `env.command {env, code, maxHeartbeats?, tactics?, rootGoals?, infoTree?}`: options report the commands' tactics (`TacticRecord`) and info trees (`InfoNode`). */
export const CommandParams = z.object({
  env: z.number().int(),
  code: z.string(),
  maxHeartbeats: z.number().int().min(0).optional(),
  tactics: z.boolean().optional(),
  rootGoals: z.boolean().optional(),
  infoTree: z.boolean().optional(),
});
export const CommandResult = z.object({
  env: z.number().int(),
  messages: z.array(LeanMessage),
  hasErrors: z.boolean(),
  sorries: z.array(SorryInfo),
  /** With `tactics`. */
  tactics: z.array(TacticRecord).optional(),
  /** With `rootGoals`: the outermost tactic node of each proof (the goal of its `by` block), as a record. */
  rootGoals: z.array(TacticRecord).optional(),
  /** With `infoTree`: the commands' info trees as data, or the error that stopped printing them. */
  infoTree: z.array(InfoNode).optional(),
  infoTreeError: z.string().optional(),
  ...Elapsed,
});

/** `proof.start {env, statement | name, maxHeartbeats?}`. */
export const StartParams = z.object({
  env: z.number().int(),
  statement: z.string().optional(),
  name: z.string().optional(),
  maxHeartbeats: z.number().int().min(0).optional(),
});
export const StartResult = z.object({ proofState: z.number().int(), goals: z.array(Goal), messages: z.array(LeanMessage), ...Elapsed });

/**
 * `proof.tactic {proofState, tactic, maxHeartbeats?, recover?}`: a failed tactic is a result, not an error. With
 * `recover`, a tactic that logged errors Lean recovered from (the term or goal became `sorry`) gives its new state
 * with `recovered: true` and the errors in `messages`, as the Lean REPL answers; a thrown error still fails.
 * With `sorries`, the result also has the goals of the `sorry`s in the tactic, each made a proof state
 * (numbered before the new state, as the Lean REPL numbers them).
 */
export const TacticParams = z.object({ proofState: z.number().int(), tactic: z.string(), maxHeartbeats: z.number().int().min(0).optional(), recover: z.boolean().optional(), sorries: z.boolean().optional() });
export const TacticResult = z.discriminatedUnion('status', [
  z.object({ status: z.enum(['open', 'solved']), proofState: z.number().int(), goals: z.array(Goal), messages: z.array(LeanMessage), recovered: z.literal(true).optional(), sorries: z.array(SorryInfo).optional(), ...Elapsed }),
  z.object({ status: z.literal('failed'), error: z.string(), messages: z.array(LeanMessage), ...Elapsed }),
]);
export type TacticResult = z.infer<typeof TacticResult>;

/** `proof.tactics {proofState, tactics, maxHeartbeats?}`: each tactic on the same state, as `proof.tactic` runs it; results in order. */
export const TacticsParams = z.object({ proofState: z.number().int(), tactics: z.array(z.string()), maxHeartbeats: z.number().int().min(0).optional() });
export const TacticsResult = z.object({ results: z.array(TacticResult) });

/** `proof.goals {proofState}`. */
export const GoalsResult = z.object({ goals: z.array(Goal) });

/** A resource limit that stopped the kernel, from the constructor of Lean's `Kernel.Exception`. */
export const KernelLimit = z.enum(['heartbeats', 'recursion', 'memory', 'interrupted']);
export type KernelLimit = z.infer<typeof KernelLimit>;
/** A kernel check's outcome: accepted, or Lean's message and (for a resource limit) which limit stopped it. */
export const KernelCheck = z.object({ ok: z.boolean(), error: z.string().optional(), limit: KernelLimit.optional() });

/** `proof.verify {proofState, maxHeartbeats?}`: kernel check of a finished proof (under the heartbeat limit). */
export const VerifyResult = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), name: z.string(), axioms: z.array(z.string()), importedAxioms: z.array(z.string()), ...Elapsed }),
  z.object({ ok: z.literal(false), error: z.string(), limit: KernelLimit.optional(), ...Elapsed }),
]);

/** `decl.check {env, name, referenceEnv?, reference?}`: a declaration's type, axioms and match with a reference. */
export const DeclCheckParams = z.object({
  env: z.number().int(),
  name: z.string(),
  referenceEnv: z.number().int().optional(),
  reference: z.string().optional(),
  /** Re-add the declaration and what it needs onto this environment through the kernel, with clean options. */
  baseEnv: z.number().int().optional(),
  maxHeartbeats: z.number().int().min(0).optional(),
});
export const DeclCheckResult = z.union([
  z.object({ found: z.literal(false) }),
  z.object({
    found: z.literal(true),
    name: z.string(),
    type: z.string(),
    axioms: z.array(z.string()),
    importedAxioms: z.array(z.string()),
    typeMatches: z.boolean().nullable(),
    kernel: KernelCheck.nullable(),
  }),
]);

/** `env.check {code, env?, export?, maxHeartbeats?}`: a submission elaborated command by command, with what it declared
 * (with `export`: every constant added since the imports as data for the judge, and no kernel replay on the worker). */
export const EnvCheckParams = z.object({
  code: z.string(),
  env: z.number().int().optional(),
  export: z.boolean().optional(),
  /** With `export`: export what the proofs use beyond the imports, not beyond `env`. */
  exportFromImports: z.boolean().optional(),
  maxHeartbeats: z.number().int().min(0).optional(),
});

/**
 * Constants as data (`lean-project/LeanEnv/Export.lean`): tables of names, levels and
 * expressions, and constant records that refer to them. The server only carries it from the
 * worker to the judge, which decodes it totally (a malformed export is a request error there).
 */
export const ExportData = z.object({
  names: z.array(z.unknown()),
  levels: z.array(z.unknown()),
  exprs: z.array(z.unknown()),
  constants: z.array(z.unknown()).optional(),
});
export type ExportData = z.infer<typeof ExportData>;
/** One elaborated command (an `example` is elaborated under the name in `name`). */
export const CheckedCommand = z.object({
  pos: Position,
  endPos: Position,
  /** Lean's syntax kind of the command, e.g. `Lean.Parser.Command.declaration`. */
  kind: z.string(),
  /** The declared name from the syntax (for an example: the fresh name it was elaborated under). */
  name: z.string().nullable(),
  example: z.boolean(),
  /** A limit the command's messages report, from Lean's message tags. */
  limit: z.enum(['heartbeats', 'recursion']).nullable(),
  /** Constants the command added to the environment. */
  added: z.array(z.string()),
});
export type CheckedCommand = z.infer<typeof CheckedCommand>;
/** One constant the submission added. Proofs (`isProp`) and axioms carry an audit. */
export const AddedConstant = z.object({
  name: z.string(),
  kind: z.enum(['definition', 'theorem', 'axiom', 'opaque', 'quotient', 'inductive', 'constructor', 'recursor']),
  isProp: z.boolean(),
  unsafe: z.boolean(),
  partial: z.boolean(),
  sorry: z.boolean(),
  /** An implementation detail (a component of the name starts with `_`, e.g. `foo._proof_1`). */
  internal: z.boolean(),
  /** Index of the command that added it. */
  command: z.number().int(),
  axioms: z.array(z.string()).optional(),
  importedAxioms: z.array(z.string()).optional(),
  axiomsError: z.string().optional(),
  unsafeDependencies: z.array(z.string()).optional(),
  kernel: KernelCheck.optional(),
});
export type AddedConstant = z.infer<typeof AddedConstant>;
export const EnvCheckResult = z.object({
  env: z.number().int(),
  /** Without `env`: the file's header as Lean's header parser delimits it. */
  header: z.string().nullable(),
  messages: z.array(LeanMessage),
  hasErrors: z.boolean(),
  commands: z.array(CheckedCommand),
  constants: z.array(AddedConstant),
  /** With `export`: the constants added since the imports, as data. */
  export: ExportData.nullable().optional(),
  ...Elapsed,
});

/** `proof.export {proofState}`: a solved state's proof term and the constants it uses beyond the imports, as data. */
export const ProofExportResult = z.object({
  name: z.string(),
  /** Expression indices into `export.exprs`. */
  value: z.number().int().min(0),
  type: z.number().int().min(0),
  export: ExportData,
  elapsedMs: z.number().optional(),
});
export type ProofExportResult = z.infer<typeof ProofExportResult>;

/** `judge.check {env, export, reference?, target?}`: the judge's replay and audit of exported constants. */
export const JudgeCheckParams = z.object({
  env: z.number().int(),
  export: ExportData,
  reference: z.string().optional(),
  target: z.string().optional(),
  maxHeartbeats: z.number().int().min(0).optional(),
});
export const JudgeCheckResult = z.object({
  /** The audit of every exported constant the base environment did not have (`command` is 0: the judge knows no commands). */
  constants: z.array(AddedConstant),
  reference: z.object({ found: z.boolean(), type: z.string().optional(), typeMatches: z.boolean().optional() }).nullable(),
  ...Elapsed,
});
export type JudgeCheckResult = z.infer<typeof JudgeCheckResult>;

/** `judge.proof {env, statement, export, value}`: a proof term checked against the caller's statement. */
export const JudgeProofParams = z.object({
  env: z.number().int(),
  /** The statement's text, or (`statementId`) one the judge elaborated in the same `env` with `judge.statement`. */
  statement: z.string().optional(),
  statementId: z.number().int().optional(),
  export: ExportData,
  value: z.number().int().min(0),
  maxHeartbeats: z.number().int().min(0).optional(),
});

/** `state.drop {envs?, proofStates?}` and `state.stats`: live counts. */
export const DropParams = z.object({ envs: z.array(z.number().int()).optional(), proofStates: z.array(z.number().int()).optional() });
export const StateCounts = z.object({ envs: z.number().int(), proofStates: z.number().int(), heartbeats: z.number().optional() });

/** Method names with their params and result schemas. */
export const ReplMethods = {
  initialize: { params: z.object({}), result: InitializeResult },
  'env.import': { params: ImportParams, result: ImportResult },
  'env.command': { params: CommandParams, result: CommandResult },
  'proof.start': { params: StartParams, result: StartResult },
  'proof.tactic': { params: TacticParams, result: TacticResult },
  'proof.tactics': { params: TacticsParams, result: TacticsResult },
  'proof.goals': { params: z.object({ proofState: z.number().int() }), result: GoalsResult },
  'proof.verify': { params: z.object({ proofState: z.number().int(), maxHeartbeats: z.number().int().min(0).optional() }), result: VerifyResult },
  'decl.check': { params: DeclCheckParams, result: DeclCheckResult },
  'env.check': { params: EnvCheckParams, result: EnvCheckResult },
  'proof.export': { params: z.object({ proofState: z.number().int() }), result: ProofExportResult },
  'judge.check': { params: JudgeCheckParams, result: JudgeCheckResult },
  'judge.statement': { params: z.object({ env: z.number().int(), statement: z.string(), maxHeartbeats: z.number().int().min(0).optional() }), result: z.object({ statementId: z.number().int(), ...Elapsed }) },
  'judge.proof': { params: JudgeProofParams, result: VerifyResult },
  'state.drop': { params: DropParams, result: StateCounts },
  'state.stats': { params: z.object({}), result: StateCounts },
} as const;
export type ReplMethod = keyof typeof ReplMethods;
export type ReplParams<M extends ReplMethod> = z.input<(typeof ReplMethods)[M]['params']>;
export type ReplResult<M extends ReplMethod> = z.infer<(typeof ReplMethods)[M]['result']>;

/** Error codes the REPL returns (JSON-RPC `error.code`); `data.code` carries the string tag. */
export const ReplErrorCodes = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  UnknownEnv: -32010,
  UnknownProofState: -32011,
  StatementParseError: -32012,
  ElaborationError: -32013,
  NotVerifiable: -32014,
  UnknownDeclaration: -32015,
} as const;
