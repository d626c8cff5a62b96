/**
 * A search-trace file (docs/traces.md): JSONL, one `SearchTraceRecord` per line; or, for a name
 * ending in `.parquet`, Parquet (hyparquet-writer) written in row groups as records come, with
 * the record's fields as columns and its nested fields (goals, meta) as JSON text.
 */
import fs from 'node:fs';
import { fileWriter, ParquetWriter, schemaFromColumnData } from 'hyparquet-writer';
import { TRACE_SCHEMA_VERSION, type SearchTraceRecord } from '../../protocol/traces.js';

/** Parquet type of each column (nullable ones may be null); goals and meta are JSON text. */
const COLUMNS: { name: keyof SearchTraceRecord; type: 'STRING' | 'INT32' | 'DOUBLE' | 'BOOLEAN'; nullable: boolean; json?: boolean }[] = [
  { name: 'schemaVersion', type: 'INT32', nullable: false },
  { name: 'kind', type: 'STRING', nullable: false },
  { name: 'sessionId', type: 'STRING', nullable: false },
  { name: 'proofId', type: 'STRING', nullable: false },
  { name: 'statement', type: 'STRING', nullable: false },
  { name: 'datasetId', type: 'STRING', nullable: true },
  { name: 'parentId', type: 'STRING', nullable: false },
  { name: 'depth', type: 'INT32', nullable: false },
  { name: 'parentGoals', type: 'STRING', nullable: false, json: true },
  { name: 'parentGoalsPretty', type: 'STRING', nullable: false },
  { name: 'tactic', type: 'STRING', nullable: false },
  { name: 'outcome', type: 'STRING', nullable: false },
  { name: 'error', type: 'STRING', nullable: true },
  { name: 'childId', type: 'STRING', nullable: true },
  { name: 'childGoals', type: 'STRING', nullable: true, json: true },
  { name: 'childGoalsPretty', type: 'STRING', nullable: true },
  { name: 'duplicate', type: 'BOOLEAN', nullable: false },
  { name: 'onVerifiedProof', type: 'BOOLEAN', nullable: false },
  { name: 'leanTimeMs', type: 'DOUBLE', nullable: true },
  { name: 'meta', type: 'STRING', nullable: true, json: true },
];

/** Records per Parquet row group. */
const ROW_GROUP = 2000;

/** A trace file being written. */
export interface TraceFile {
  /** Append records (written through; Parquet buffers up to one row group). */
  write(records: readonly SearchTraceRecord[]): void;
  /** Finish the file (Parquet: the last row group and the footer). */
  close(): void;
}

/** A Parquet column of records. */
function column(records: readonly SearchTraceRecord[], c: (typeof COLUMNS)[number]) {
  const data = records.map((r) => {
    const v = r[c.name];
    return c.json && v !== null ? JSON.stringify(v) : v;
  });
  return { name: c.name, data, type: c.type, nullable: c.nullable };
}

/** Open `file` for trace records: Parquet when it ends in `.parquet`, else JSONL (created or truncated). */
export function openTraceFile(file: string): TraceFile {
  if (!file.endsWith('.parquet')) {
    const fd = fs.openSync(file, 'w');
    return {
      write: (records) => void (records.length > 0 && fs.writeSync(fd, records.map((r) => JSON.stringify(r) + '\n').join(''))),
      close: () => fs.closeSync(fd),
    };
  }
  const schema = schemaFromColumnData({ columnData: COLUMNS.map((c) => column([], c)) });
  const writer = new ParquetWriter({ writer: fileWriter(file), schema, kvMetadata: [{ key: 'leanenv.traces.schemaVersion', value: String(TRACE_SCHEMA_VERSION) }] });
  let pending: SearchTraceRecord[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    void writer.write({ columnData: COLUMNS.map((c) => column(pending, c)), rowGroupSize: ROW_GROUP });
    pending = [];
  };
  return {
    write(records) {
      pending.push(...records);
      if (pending.length >= ROW_GROUP) flush();
    },
    close() {
      flush();
      writer.finish();
    },
  };
}
