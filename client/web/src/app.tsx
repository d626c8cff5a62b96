/**
 * The tactic debugger page: start a proof (benchmark item or pasted statement) or watch a
 * session, see the goals, apply tactics, walk the tree, verify; URL and status line kept up
 * to date. Shortcuts are listed in the help panel (`?`) and docs/debugger.md.
 */
import type { JSX } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { LeanEnvClient } from '../../sdk.js';
import type { Goal } from '../../../protocol/lean.js';
import { connect, ConnectError, describeError, storedToken, storeToken, timed, workerState } from './connection.js';
import { diffGoals } from './goals.js';
import { saveJsonl } from './download.js';
import { GoalsView } from './goals-view.js';
import { StartPanel } from './start-panel.js';
import { TacticInput } from './tactic-input.js';
import { layoutTree, mergeTree, navigate, spanningParents, tacticPath, type ProofTreeData } from './tree-model.js';
import { TreeView } from './tree-view.js';
import { formatPlace, parsePlace, type Place } from './url-state.js';

type Verification = { proved: boolean; reason?: string; axioms: string[]; proofText: string };

export const SHORTCUTS: [string, string][] = [
  ['Enter', 'apply the tactic (in the tactic input); Shift-Enter: new line'],
  ['↑ / ↓ (input)', 'tactic history (on the first / last line)'],
  ['Tab (completion list open)', 'accept a tactic name'],
  ['Esc', 'leave the tactic input (to the tree) or a text field'],
  ['↑ ↓ ← →', 'tree: parent, first child, siblings'],
  ['Home', 'tree: the root'],
  ['i', 'focus the tactic input'],
  ['v', 'verify the selected (solved) state'],
  ['c', 'copy the proof text (after verify)'],
  ['n', 'new proof (start panel)'],
  ['?', 'show / hide these shortcuts'],
];

/** The page. */
export function App(): JSX.Element {
  const [client, setClient] = useState<LeanEnvClient>();
  /** The server's tactic names for completion (`lean.tactics`), once connected. */
  const [tacticNames, setTacticNames] = useState<readonly string[]>([]);
  useEffect(() => {
    if (client) void client.tactics().then((r) => setTacticNames(r.names), () => undefined);
  }, [client]);
  const [conn, setConn] = useState('connecting');
  const [needsToken, setNeedsToken] = useState(false);
  const [latency, setLatency] = useState<number>();
  const [worker, setWorker] = useState('…');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [place, setPlace] = useState<Place>(() => parsePlace(location.hash));
  const [tree, setTree] = useState<ProofTreeData>();
  const [proofs, setProofs] = useState<{ proofId: string; statement: string }[]>([]);
  const [goals, setGoals] = useState<Map<string, Goal[]>>(new Map());
  const [tacticError, setTacticError] = useState<{ tactic: string; error: string }>();
  const [verification, setVerification] = useState<Verification>();
  const [history, setHistory] = useState<string[]>([]);
  const [help, setHelp] = useState(false);
  const [copied, setCopied] = useState(false);
  const focusInput = useRef<() => void>(() => undefined);
  const treeEl = useRef<HTMLDivElement | null>(null);
  const token = useRef(storedToken());
  const selected = place.state ?? tree?.root;
  const call = <T,>(fn: (c: LeanEnvClient) => Promise<T>): Promise<T> => timed(setLatency, () => fn(client!));

  /** Go to a place: remember it in the URL (replacing, so Back leaves the page). */
  const go = (p: Place) => {
    setPlace(p);
    window.history.replaceState(null, '', formatPlace(p) || location.pathname);
  };

  // Connect, then reopen the place in the URL (own session: resume; watched: watch).
  const open = async () => {
    setConn('connecting');
    try {
      const c = await connect(token.current);
      setNeedsToken(false);
      setClient(c);
      setConn('connected');
      c.onClose(() => setConn('disconnected'));
      c.onTreeChanged((change) => {
        setProofs((ps) => (ps.some((p) => p.proofId === change.proofId) ? ps : [...ps, { proofId: change.proofId, statement: change.statement }]));
        setTree((t) => (t && t.proofId === change.proofId ? mergeTree(t, change) : t ?? change));
        setPlace((p) => (p.proof ? p : { ...p, proof: change.proofId }));
      });
      const p = parsePlace(location.hash);
      if (!p.session) return;
      const t0 = performance.now();
      try {
        if (p.watch) {
          const w = await c.watch(p.session);
          setProofs(w.proofs);
          const proofId = p.proof ?? w.proofs.at(-1)?.proofId;
          if (proofId) setTree(await c.tree(proofId));
          go({ ...p, proof: proofId });
        } else {
          await c.resumeSession(p.session);
          if (p.proof) setTree(await c.tree(p.proof));
        }
      } catch (e) {
        setError(describeError(e));
        go({});
      } finally {
        setLatency(Math.round(performance.now() - t0));
      }
    } catch (e) {
      setConn('disconnected');
      if (e instanceof ConnectError && e.needsToken) setNeedsToken(true);
      setError(describeError(e));
    }
  };
  useEffect(() => void open(), []);
  useEffect(() => {
    const poll = () => void workerState(token.current).then(setWorker);
    poll();
    const t = setInterval(poll, 5000);
    return () => clearInterval(t);
  }, []);

  // Goals of the selected state and of its parent (for the highlight), fetched once each.
  const parentId = tree && selected ? spanningParents(tree).get(selected)?.from : undefined;
  useEffect(() => {
    if (!client || !selected) return;
    for (const id of [selected, parentId]) {
      if (!id || goals.has(id)) continue;
      void call((c) => c.state(id)).then(
        (s) => setGoals((m) => new Map(m).set(id, s.goals)),
        (e) => setError(describeError(e)),
      );
    }
  }, [client, selected, parentId]);

  const layout = useMemo(() => tree && layoutTree(tree), [tree]);
  const script = tree && selected ? tacticPath(tree, selected) : [];
  const selectedNode = tree?.nodes.find((n) => n.stateId === selected);
  const goalViews = selected && goals.has(selected) ? diffGoals(goals.get(selected)!, parentId ? goals.get(parentId) : undefined) : undefined;
  const readOnly = !!place.watch;

  const select = (id: string) => {
    setTacticError(undefined);
    setVerification(undefined);
    go({ ...place, state: id });
  };
  const begin = async (from: { datasetId: string } | { header: string; statement: string }) => {
    setBusy(true);
    setError(undefined);
    try {
      const s = await call((c) => c.openSession('header' in from ? from.header : undefined));
      const root = await call((c) => c.start(s.sessionId, 'datasetId' in from ? { datasetId: from.datasetId } : { statement: from.statement }));
      setGoals((m) => new Map(m).set(root.stateId, root.goals));
      setTree(await call((c) => c.tree(root.proofId)));
      setProofs([]);
      go({ session: s.sessionId, proof: root.proofId, state: root.stateId });
      setTimeout(() => focusInput.current(), 0);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };
  const apply = async (tactic: string) => {
    if (!selected || !tree || readOnly) return;
    setBusy(true);
    setError(undefined);
    setTacticError(undefined);
    setVerification(undefined);
    setHistory((h) => [...h.filter((x) => x !== tactic), tactic]);
    try {
      const out = await call((c) => c.apply(selected, tactic));
      setTree(await call((c) => c.tree(tree.proofId)));
      if (out.status === 'failed') setTacticError({ tactic, error: out.error });
      else {
        setGoals((m) => new Map(m).set(out.stateId, out.goals));
        go({ ...place, state: out.stateId });
      }
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };
  const verify = async () => {
    if (!selected || selectedNode?.status !== 'solved') return;
    setBusy(true);
    try {
      setVerification(await call((c) => c.verify(selected)));
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };
  /** Download the shown proof's search trace (`proof.traces`) as JSONL. */
  const downloadTrace = async () => {
    if (!tree) return;
    try {
      saveJsonl(`${tree.proofId}.traces.jsonl`, (await call((c) => c.traces({ proofId: tree.proofId }))).records);
    } catch (e) {
      setError(describeError(e));
    }
  };
  const copy = async () => {
    if (!verification) return;
    await navigator.clipboard?.writeText(verification.proofText).catch(() => undefined);
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };
  const watch = (sessionId: string) => {
    window.location.hash = formatPlace({ session: sessionId, watch: true });
    window.location.reload();
  };

  const onTreeKey = (e: KeyboardEvent) => {
    if (!tree || !selected) return;
    const dir = ({ ArrowUp: 'up', ArrowDown: 'down', ArrowLeft: 'left', ArrowRight: 'right' } as const)[e.key as 'ArrowUp'];
    if (dir) select(navigate(tree, selected, dir));
    else if (e.key === 'Home') select(tree.root);
    else return;
    e.preventDefault();
  };
  // Page-wide shortcuts (not while typing in an input).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement;
      if (e.key === 'Escape' && t.closest('input, textarea, select')) return (t as HTMLInputElement).blur();
      if (t.closest('input, textarea, select, .cm-editor') || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === '?') setHelp((h) => !h);
      else if (e.key === 'i' && tree && !readOnly) focusInput.current();
      else if (e.key === 'v') void verify();
      else if (e.key === 'c') void copy();
      else if (e.key === 'n') (setTree(undefined), go({}));
      else if (tree && !t.closest('.tree') && ['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'Home'].includes(e.key)) {
        treeEl.current?.focus();
        onTreeKey(e);
      } else return;
      e.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  });

  if (needsToken) {
    return (
      <form
        class="token-form"
        onSubmit={(e) => {
          e.preventDefault();
          const v = (e.currentTarget.elements.namedItem('token') as HTMLInputElement).value.trim();
          token.current = v || undefined;
          storeToken(token.current);
          setError(undefined);
          void open();
        }}
      >
        <h1>leanenv tactic debugger</h1>
        <p>This server needs an access token (kept for this tab only).</p>
        {error && <p class="error" role="alert">{error}</p>}
        <input name="token" type="password" data-testid="token-input" autoFocus placeholder="token" />
        <button type="submit">Connect</button>
      </form>
    );
  }

  return (
    <div class="page">
      <header>
        <h1>leanenv tactic debugger</h1>
        {place.session && (
          <span class="session" data-testid="session-id">
            {readOnly ? 'watching ' : 'session '}
            {place.session}
          </span>
        )}
        <button onClick={() => (setTree(undefined), go({}))}>New (n)</button>
        <button onClick={() => setHelp(!help)}>Shortcuts (?)</button>
      </header>
      {error && (
        <div class="error banner" role="alert" data-testid="server-error">
          {error}
          <button onClick={() => setError(undefined)}>dismiss</button>
        </div>
      )}
      {help && (
        <table class="help" data-testid="help">
          <tbody>
            {SHORTCUTS.map(([k, what]) => (
              <tr key={k}>
                <td><kbd>{k}</kbd></td>
                <td>{what}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {!tree ? (
        place.session && place.watch ? (
          <div class="muted">Watching {place.session}: waiting for its first proof…</div>
        ) : !client ? (
          <div class="muted start">connecting to the server…</div>
        ) : (
          <StartPanel busy={busy} search={(q) => call((c) => c.searchDatasets(q, 100))} onPick={(id) => void begin({ datasetId: id })} onStatement={(h, s) => void begin({ header: h, statement: s })} onWatch={watch} />
        )
      ) : (
        <main>
          <section class="left">
            <div class="statement" data-testid="statement">{tree.statement.replace(/:=\s*by\s+sorry\s*$/, '')}</div>
            {readOnly && proofs.length > 1 && (
              <select value={tree.proofId} onChange={(e) => void call((c) => c.tree((e.target as HTMLSelectElement).value)).then((t) => (setTree(t), go({ ...place, proof: t.proofId, state: t.root })))}>
                {proofs.map((p) => <option value={p.proofId} key={p.proofId}>{p.statement.slice(0, 80)}</option>)}
              </select>
            )}
            <h2>Goals {selectedNode && <span class="muted">({selectedNode.status}, depth {selectedNode.depth})</span>}</h2>
            <GoalsView goals={goalViews} loading={!!selected} />
            {!readOnly && (
              <>
                <TacticInput onApply={(t) => void apply(t)} names={tacticNames} disabled={busy} history={history} onEscape={() => treeEl.current?.focus()} focusRef={(f) => (focusInput.current = f)} />
                {tacticError && (
                  <div class="error tactic-error" role="alert" data-testid="tactic-error">
                    <strong>{tacticError.tactic}</strong> failed:
                    <pre>{tacticError.error}</pre>
                  </div>
                )}
              </>
            )}
            {selectedNode?.status === 'solved' && (
              <button data-testid="verify-button" disabled={busy} onClick={() => void verify()}>
                Verify (v)
              </button>
            )}
            {verification && (
              <div class={`verification ${verification.proved ? 'proved' : 'refused'}`} data-testid="verification">
                <div class="verdict" data-testid="verdict">{verification.proved ? '✓ proved' : `✗ not proved: ${verification.reason ?? ''}`}</div>
                <div>axioms: {verification.axioms.length ? verification.axioms.join(', ') : 'none'}</div>
                <pre data-testid="proof-text">{verification.proofText}</pre>
                <button data-testid="copy-button" onClick={() => void copy()}>{copied ? 'copied' : 'Copy (c)'}</button>
              </div>
            )}
            <h2>Tactic script to this state</h2>
            <pre class="script" data-testid="script">{script.length ? `by\n${script.map((t) => `  ${t.replace(/\n/g, '\n  ')}`).join('\n')}` : '(root)'}</pre>
            <button data-testid="download-trace" title="this proof's search trace: one JSON record per tactic tried (docs/traces.md)" onClick={() => void downloadTrace()}>
              Download trace
            </button>
          </section>
          <section class="right">{layout && <TreeView layout={layout} selected={selected} root={tree.root} onSelect={select} onKeyDown={onTreeKey} treeRef={(el) => (treeEl.current = el)} />}</section>
        </main>
      )}
      <footer class="status" data-testid="status">
        <span data-testid="connection" class={conn}>● {conn}</span>
        <span>worker: {worker}</span>
        <span data-testid="latency">latency: {latency === undefined ? '–' : `${latency} ms`}</span>
        {busy && <span>working…</span>}
        {conn === 'disconnected' && !needsToken && <button onClick={() => void open()}>reconnect</button>}
      </footer>
    </div>
  );
}
