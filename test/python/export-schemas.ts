/**
 * Print the contract's zod schemas (protocol/*.ts) as JSON Schemas, with the error registry,
 * for the Python SDK's drift test (test/python/test_sdk_contract.py).
 */
import { z } from 'zod';
import * as api from '../../protocol/api.js';
import * as check from '../../protocol/check.js';
import * as lean from '../../protocol/lean.js';
import * as traces from '../../protocol/traces.js';

const schemas: Record<string, z.ZodType> = {
  Position: lean.Position,
  LeanMessage: lean.LeanMessage,
  Hypothesis: lean.Hypothesis,
  Goal: lean.Goal,
  SessionInfo: api.SessionInfo,
  StateView: api.StateView,
  TacticOutcome: api.TacticOutcome,
  ProofExpandResult: api.ProofExpandResult,
  ProofTree: api.ProofTree,
  ProofVerifyResult: api.ProofVerifyResult,
  CheckItem: check.CheckItem,
  CheckResult: check.CheckResult,
  CheckSummary: check.CheckSummary,
  CheckStreamEnd: check.CheckStreamEnd,
  TracedTactic: check.TracedTactic,
  SearchTraceRecord: traces.SearchTraceRecord,
  ProofTracesResult: traces.ProofTracesResult,
};

const out = {
  schemas: Object.fromEntries(Object.entries(schemas).map(([name, s]) => [name, z.toJSONSchema(s, { unrepresentable: 'any' })])),
  errors: Object.fromEntries(Object.entries(api.ApiErrors).map(([name, e]) => [name, e])),
  methods: Object.keys(api.ApiMethods),
  traceParquetColumns: traces.TRACE_PARQUET_COLUMNS,
};
process.stdout.write(JSON.stringify(out, null, 2) + '\n');
