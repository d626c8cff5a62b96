/**
 * Bundles the REPL's Lean modules (`lean-project/LeanEnv/*.lean`) into one
 * self-contained file for the embedded Lean. That build cannot run a program
 * split over precompiled modules (the interpreter does not see IR in an imported
 * module's private part), so the modules are concatenated in import order.
 */
import fs from 'node:fs';
import path from 'node:path';

const LOCAL_IMPORT = /^import\s+(LeanEnv\.[\w.]+)\s*$/;
const OTHER_IMPORT = /^import\s+([\w.]+)\s*$/;

/** One Lean module of the REPL: name, imports of our own modules, other imports, body. */
interface LeanModule {
  name: string;
  localImports: string[];
  externalImports: string[];
  body: string;
}

function parseModule(name: string, text: string): LeanModule {
  const localImports: string[] = [];
  const externalImports: string[] = [];
  const body: string[] = [];
  for (const line of text.split('\n')) {
    const local = LOCAL_IMPORT.exec(line);
    const other = OTHER_IMPORT.exec(line);
    if (local) localImports.push(local[1]!);
    else if (other) externalImports.push(other[1]!);
    else body.push(line);
  }
  return { name, localImports, externalImports, body: body.join('\n') };
}

/** The library modules a bundle (or any Lean source) imports, from its `import` lines. */
export function headerImports(source: string): string[] {
  return source.split('\n').flatMap((line) => {
    const m = OTHER_IMPORT.exec(line);
    return m ? [m[1]!] : [];
  });
}

/** Turns the linters off for the rest of the bundle (the REPL's own source; not the code it elaborates for clients). */
export const LINTERS_OFF = 'set_option linter.all false';

/** Read the modules under `srcDir/LeanEnv` and return the bundle text whose `main` calls `entry`. */
export function bundleLeanSources(srcDir: string, entry = 'LeanEnv.serve args'): string {
  const dir = path.join(srcDir, 'LeanEnv');
  const modules = new Map<string, LeanModule>();
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.lean')).sort()) {
    const name = `LeanEnv.${file.slice(0, -'.lean'.length)}`;
    modules.set(name, parseModule(name, fs.readFileSync(path.join(dir, file), 'utf8')));
  }
  const ordered: LeanModule[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, from: string): void => {
    const mod = modules.get(name);
    if (!mod) throw new Error(`${from} imports ${name}, which is not in ${dir}`);
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw new Error(`import cycle through ${name}`);
    state.set(name, 'visiting');
    for (const dep of mod.localImports) visit(dep, name);
    state.set(name, 'done');
    ordered.push(mod);
  };
  for (const name of modules.keys()) visit(name, 'bundle');
  const imports = [...new Set(ordered.flatMap((m) => m.externalImports))];
  return [
    ...imports.map((i) => `import ${i}`),
    // Every worker start elaborates this file: linting our own source there is wasted start-up
    // time (the native build, `lake build`, still lints the modules).
    LINTERS_OFF,
    ...ordered.map((m) => `-- ${m.name}\n${m.body}`),
    `public def main (args : List String) : IO Unit := ${entry}`,
    '',
  ].join('\n');
}
