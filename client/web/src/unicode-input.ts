/**
 * Lean's unicode input in the page, as in Lean's editors: `\forall` → `∀`, `\to` → `→`, `\N` → `ℕ`,
 * `\a` → `α`, from the Lean community's own abbreviation table and rewriter
 * (`@leanprover/unicode-input`, the code behind vscode-lean4's input). An abbreviation is
 * replaced once it is unique and complete, or when the next character does not continue it;
 * Enter in the tactic box and leaving a field replace what is still pending.
 */
import { AbbreviationProvider, AbbreviationRewriter, Range, type AbbreviationTextSource, type Change } from '@leanprover/unicode-input';
import { ViewPlugin, type EditorView, type PluginValue, type ViewUpdate } from '@codemirror/view';

/** The exclusive end of a library range (its `offsetEnd` is the last offset inside, inclusive). */
const endOf = (r: Range) => r.offset + r.length;

/** The abbreviation table, shared by every field: `\` leads, eager replacement on. */
const provider = new AbbreviationProvider({ abbreviationCharacter: '\\', customTranslations: {}, eagerReplacementEnabled: true });

/** The symbol an abbreviation (without the `\`) stands for, as the page will type it. */
export function symbolFor(abbreviation: string): string | undefined {
  return provider.getReplacementText(abbreviation);
}

/** Changes of a CodeMirror update as the rewriter reads them (offsets in the old text). */
function changesOf(u: ViewUpdate): Change[] {
  const out: Change[] = [];
  u.changes.iterChanges((fromA, toA, _fromB, _toB, inserted) => out.push({ range: new Range(fromA, toA - fromA), newText: inserted.toString() }));
  return out;
}

/** The rewriter of one CodeMirror editor. */
class EditorAbbreviations implements PluginValue {
  readonly rewriter: AbbreviationRewriter;

  constructor(private readonly view: EditorView) {
    const source: AbbreviationTextSource = {
      // Called from within an update: apply on the next microtask, then report success.
      replaceAbbreviations: async (changes) => {
        await Promise.resolve();
        this.view.dispatch({ changes: changes.map((c) => ({ from: c.range.offset, to: endOf(c.range), insert: c.newText })) });
        return true;
      },
      selectionMoveMode: () => ({ kind: 'OnlyMoveCursorSelections', updateUnchangedSelections: false }),
      collectSelections: () => this.view.state.selection.ranges.map((r) => new Range(r.from, r.to - r.from)),
      setSelections: (ranges) => {
        const len = this.view.state.doc.length;
        const r = ranges[0];
        if (r) this.view.dispatch({ selection: { anchor: Math.min(r.offset, len), head: Math.min(endOf(r), len) } });
      },
    };
    this.rewriter = new AbbreviationRewriter(provider.config, provider, source);
  }

  update(u: ViewUpdate): void {
    if (u.docChanged) {
      this.rewriter.changeInput(changesOf(u));
      void this.rewriter.triggerAbbreviationReplacement();
    } else if (u.selectionSet) {
      void this.rewriter.changeSelections(u.state.selection.ranges.map((r) => new Range(r.from, r.to - r.from)));
    }
  }
}

/** The CodeMirror extension: Lean's abbreviations in this editor. */
export const leanAbbreviations = ViewPlugin.fromClass(EditorAbbreviations);

/** Replace every pending abbreviation of an editor now, synchronously (before its text is read). */
export function flushAbbreviations(view: EditorView): void {
  const plugin = view.plugin(leanAbbreviations);
  if (!plugin) return;
  const pending = [...plugin.rewriter.getTrackedAbbreviations()].filter((a) => a.matchingSymbol !== undefined);
  plugin.rewriter.resetTrackedAbbreviations();
  if (pending.length === 0) return;
  view.dispatch({ changes: pending.map((a) => ({ from: a.range.offset, to: endOf(a.range), insert: a.matchingSymbol!.replace('$CURSOR', '') })) });
}

/** The change that turned `before` into `after` (one edit, as typing makes). */
function diff(before: string, after: string): Change {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let endB = before.length;
  let endA = after.length;
  while (endB > start && endA > start && before[endB - 1] === after[endA - 1]) (endB--, endA--);
  return { range: new Range(start, endB - start), newText: after.slice(start, endA) };
}

/**
 * Lean's abbreviations in a plain text field (the statement and header boxes). The field's
 * `input` event fires after each replacement, so a controlled field's state follows. Returns
 * the function that detaches it.
 */
export function attachAbbreviations(el: HTMLTextAreaElement | HTMLInputElement): () => void {
  let text = el.value;
  const source: AbbreviationTextSource = {
    replaceAbbreviations: async (changes) => {
      let v = el.value;
      for (const c of [...changes].sort((a, b) => b.range.offset - a.range.offset)) v = v.slice(0, c.range.offset) + c.newText + v.slice(endOf(c.range));
      el.value = v;
      text = v;
      el.dispatchEvent(new Event('input', { bubbles: true }));
      return true;
    },
    selectionMoveMode: () => ({ kind: 'MoveAllSelections' }),
    collectSelections: () => [new Range(el.selectionStart ?? 0, (el.selectionEnd ?? 0) - (el.selectionStart ?? 0))],
    setSelections: (ranges) => {
      const r = ranges[0];
      if (r) el.setSelectionRange(r.offset, endOf(r));
    },
  };
  const rewriter = new AbbreviationRewriter(provider.config, provider, source);
  const onInput = () => {
    if (el.value === text) return; // our own replacement
    const change = diff(text, el.value);
    text = el.value;
    rewriter.changeInput([change]);
    void rewriter.triggerAbbreviationReplacement();
  };
  const onSelect = () => void rewriter.changeSelections(source.collectSelections());
  const onBlur = () => void rewriter.replaceAllTrackedAbbreviations();
  el.addEventListener('input', onInput);
  el.addEventListener('keyup', onSelect);
  el.addEventListener('click', onSelect);
  el.addEventListener('blur', onBlur);
  return () => {
    el.removeEventListener('input', onInput);
    el.removeEventListener('keyup', onSelect);
    el.removeEventListener('click', onSelect);
    el.removeEventListener('blur', onBlur);
  };
}
