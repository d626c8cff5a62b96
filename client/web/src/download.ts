/** Saving data the page holds as a file the browser downloads. */

/** Download `records` as a JSONL file named `name` (one JSON value per line). */
export function saveJsonl(name: string, records: readonly unknown[]): void {
  const blob = new Blob(records.map((r) => JSON.stringify(r) + '\n'), { type: 'application/x-ndjson' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
