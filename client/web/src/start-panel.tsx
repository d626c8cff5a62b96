/**
 * Start: search the loaded benchmark items by id (benchmark and split shown) and pick one,
 * paste a header and a `theorem … : …` statement (Lean's `\forall`-style abbreviations work in
 * both boxes), or open another session to watch.
 */
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { attachAbbreviations } from './unicode-input.js';

/** A benchmark item as listed. */
export interface DatasetEntry {
  id: string;
  benchmark: string | null;
  split: string | null;
  statement: string;
}

/** Props: how to search, and what each way of starting does. */
export interface StartPanelProps {
  search: (query: string) => Promise<{ items: DatasetEntry[]; total: number }>;
  onPick: (id: string) => void;
  onStatement: (header: string, statement: string) => void;
  onWatch: (sessionId: string) => void;
  busy: boolean;
}

/** The start panel. */
export function StartPanel(p: StartPanelProps): JSX.Element {
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<{ items: DatasetEntry[]; total: number }>({ items: [], total: 0 });
  const [active, setActive] = useState(0);
  const [header, setHeader] = useState('');
  const [statement, setStatement] = useState('');
  const [watchId, setWatchId] = useState('');
  const headerBox = useRef<HTMLTextAreaElement>(null);
  const statementBox = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    const detach = [headerBox.current, statementBox.current].flatMap((el) => (el ? [attachAbbreviations(el)] : []));
    return () => detach.forEach((d) => d());
  }, []);
  useEffect(() => {
    let stale = false;
    void p.search(query).then((r) => !stale && (setFound(r), setActive(0)), () => undefined);
    return () => void (stale = true);
  }, [query]);
  const onSearchKey = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown') setActive((a) => Math.min(found.items.length - 1, a + 1));
    else if (e.key === 'ArrowUp') setActive((a) => Math.max(0, a - 1));
    else if (e.key === 'Enter' && found.items[active]) p.onPick(found.items[active].id);
    else return;
    e.preventDefault();
  };
  return (
    <div class="start" data-testid="start">
      <section>
        <h2>Benchmark statement</h2>
        <input
          id="dataset-search"
          data-testid="dataset-search"
          placeholder="search by id (↑/↓, Enter picks)"
          value={query}
          onInput={(e) => setQuery((e.target as HTMLInputElement).value)}
          onKeyDown={onSearchKey}
          autoFocus
        />
        <div class="muted">
          {found.total} item{found.total === 1 ? '' : 's'}
          {found.total > found.items.length ? `, first ${found.items.length} shown` : ''}
        </div>
        <ul class="dataset-list" role="listbox">
          {found.items.map((it, i) => (
            <li key={it.id} role="option" aria-selected={i === active} class={i === active ? 'active' : ''} data-testid="dataset-item" data-id={it.id} onClick={() => p.onPick(it.id)} title={it.statement}>
              <span class="item-id">{it.id}</span>
              <span class="tag">{it.benchmark ?? '?'}</span>
              <span class="tag">{it.split ?? '?'}</span>
            </li>
          ))}
        </ul>
      </section>
      <section>
        <h2>Or paste a statement</h2>
        <textarea ref={headerBox} data-testid="header-input" rows={3} placeholder={'header (imports, open, notation…), may be empty'} value={header} onInput={(e) => setHeader((e.target as HTMLTextAreaElement).value)} />
        <textarea ref={statementBox} data-testid="statement-input" rows={3} placeholder="theorem name (x : Nat) : x + 0 = x (\\forall gives ∀, \\N gives ℕ)" value={statement} onInput={(e) => setStatement((e.target as HTMLTextAreaElement).value)} />
        <button disabled={p.busy || !statement.trim()} onClick={() => p.onStatement(header, statement)}>
          Start proof
        </button>
      </section>
      <section>
        <h2>Watch an agent's session</h2>
        <input data-testid="watch-input" placeholder="ses_…" value={watchId} onInput={(e) => setWatchId((e.target as HTMLInputElement).value)} onKeyDown={(e) => e.key === 'Enter' && watchId.trim() && p.onWatch(watchId.trim())} />
        <button data-testid="watch-button" disabled={!watchId.trim()} onClick={() => p.onWatch(watchId.trim())}>
          Watch (read-only)
        </button>
      </section>
    </div>
  );
}
