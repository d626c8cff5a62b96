/**
 * The tactic editor (CodeMirror 6): multi-line (Shift-Enter for a new line), Enter applies,
 * Up/Down on the first/last line walk the history, completion of the tactic names the server's
 * Lean has (`lean.tactics`; Tab accepts), Lean's unicode abbreviations (`\to` → `→`), Escape
 * leaves the editor (to the tree).
 */
import { useEffect, useRef } from 'preact/hooks';
import { EditorState, Prec } from '@codemirror/state';
import { EditorView, keymap, placeholder } from '@codemirror/view';
import { defaultKeymap, history as undoHistory, historyKeymap, insertNewline } from '@codemirror/commands';
import { acceptCompletion, autocompletion, closeCompletion, completionKeymap, completionStatus, type CompletionContext } from '@codemirror/autocomplete';
import { flushAbbreviations, leanAbbreviations } from './unicode-input.js';

/** Completion of tactic names (those of `names()`) at the start of a word. */
function tacticCompletions(names: () => readonly string[]) {
  return (ctx: CompletionContext) => {
    const word = ctx.matchBefore(/[A-Za-z_][A-Za-z0-9_?!']*/);
    if (!word || (word.from === word.to && !ctx.explicit)) return null;
    return { from: word.from, options: names().map((label) => ({ label, type: 'keyword' })), validFor: /^[A-Za-z0-9_?!']*$/ };
  };
}

/** Props: what Enter does, whether input is allowed, the history to walk, and what Escape does. */
export interface TacticInputProps {
  onApply: (tactic: string) => void;
  disabled: boolean;
  history: string[];
  onEscape: () => void;
  /** Tactic names to complete (the server's, from `lean.tactics`; empty until they arrive). */
  names: readonly string[];
  /** Receives the editor's focus function. */
  focusRef?: (focus: () => void) => void;
}

/** The tactic editor. */
export function TacticInput(props: TacticInputProps) {
  const host = useRef<HTMLDivElement>(null);
  const live = useRef(props);
  live.current = props;
  useEffect(() => {
    let at = -1; // position in the history while walking it (-1: the text being written)
    let draft = '';
    const setText = (v: EditorView, text: string) => v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: text }, selection: { anchor: text.length } });
    const walk = (v: EditorView, dir: 1 | -1): boolean => {
      const h = live.current.history;
      const line = v.state.doc.lineAt(v.state.selection.main.head).number;
      if (completionStatus(v.state) === 'active') return false;
      if (dir === 1 && line !== 1) return false;
      if (dir === -1 && line !== v.state.doc.lines) return false;
      const next = at + dir;
      if (next < -1 || next >= h.length) return dir === 1;
      if (at === -1) draft = v.state.doc.toString();
      at = next;
      setText(v, at === -1 ? draft : h[h.length - 1 - at]!);
      return true;
    };
    const view = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: '',
        extensions: [
          undoHistory(),
          placeholder('tactic (Enter applies, Shift-Enter new line, ↑/↓ history)'),
          autocompletion({ override: [tacticCompletions(() => live.current.names)], activateOnTyping: true }),
          leanAbbreviations,
          Prec.highest(
            keymap.of([
              // Tab accepts a completion; Enter always applies (a half-typed name is not replaced).
              ...completionKeymap.filter((b) => b.key !== 'Enter'),
              { key: 'Tab', run: acceptCompletion },
              {
                key: 'Enter',
                run: (v) => {
                  closeCompletion(v);
                  flushAbbreviations(v); // `\to` typed last is `→` in what is applied
                  const text = v.state.doc.toString().trim();
                  if (!text || live.current.disabled) return true;
                  at = -1;
                  setText(v, '');
                  live.current.onApply(text);
                  return true;
                },
              },
              { key: 'Shift-Enter', run: insertNewline },
              { key: 'ArrowUp', run: (v) => walk(v, 1) },
              { key: 'ArrowDown', run: (v) => walk(v, -1) },
              {
                key: 'Escape',
                run: () => {
                  live.current.onEscape();
                  return true;
                },
              },
            ]),
          ),
          keymap.of([...historyKeymap, ...defaultKeymap]),
          EditorView.contentAttributes.of({ 'aria-label': 'tactic', 'data-testid': 'tactic-input' }),
          EditorView.lineWrapping,
        ],
      }),
    });
    props.focusRef?.(() => view.focus());
    return () => view.destroy();
  }, []);
  return <div class={`tactic-input${props.disabled ? ' disabled' : ''}`} ref={host} />;
}
