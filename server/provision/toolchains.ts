/**
 * The one place that says which Lean toolchains the REPL's Lean source builds with.
 *
 * - {@link KNOWN_TOOLCHAINS}: toolchains the REPL is known to build with and pass its tests on.
 *   Only v4.28.0 is proven on our own machines (the embedded Lean is 4.28); the native CI
 *   workflow (`.github/workflows/native.yml`) runs the suite on each toolchain of its matrix.
 * - {@link MIN_TRIED_VERSION}: the oldest release the native build is tried with. Older ones are
 *   refused at once with an error naming the range, without a build.
 * - Everything else (newer releases, release candidates, nightlies, custom toolchains) is tried:
 *   when the build fails the server starts no worker and names the toolchain and Lean's first
 *   errors (`native-build.ts`).
 *
 * Version-sensitive Lean code lives in `lean-project/LeanEnv/Compat.lean`; a toolchain whose
 * API differs gets its own copy of that file, `lean-project/compat/v<version>.lean`
 * ({@link compatFileFor}), so adding a version is one Lean file plus one line here.
 */

/** Toolchains the REPL's source is known to build with (elan names). */
export const KNOWN_TOOLCHAINS: readonly string[] = ['leanprover/lean4:v4.28.0'];

/**
 * The oldest Lean release the build is tried with. A declared bound, not a measured one: the
 * REPL uses API of recent releases (the `Elab.async` option, `Environment.addDeclCore` with a
 * cancellation token, `Kernel.Exception.interrupted`, `Lean.toolchain`), and nothing older than
 * this has been tried.
 */
export const MIN_TRIED_VERSION = '4.22.0';

/** A toolchain name's Lean version, when it names a release or a release candidate. */
export interface ToolchainVersion {
  major: number;
  minor: number;
  patch: number;
  /** `rc1` etc., if a release candidate. */
  pre?: string;
  /** `4.28.0` or `4.28.0-rc1`. */
  text: string;
}

const RELEASE = /^(?:leanprover\/lean4:)?v?(\d+)\.(\d+)\.(\d+)(?:-(rc\d+))?$/;

/** The version a toolchain name (`leanprover/lean4:v4.28.0`, `v4.28.0`, `4.28.0-rc1`) names; undefined for nightlies and custom toolchains. */
export function toolchainVersion(name: string): ToolchainVersion | undefined {
  const m = RELEASE.exec(name.trim());
  if (!m) return undefined;
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return { major, minor, patch, pre: m[4], text: `${major}.${minor}.${patch}${m[4] ? `-${m[4]}` : ''}` };
}

/** The elan name of a version that `lean --version` printed (`4.28.0` → `leanprover/lean4:v4.28.0`). */
export function toolchainOfVersion(version: string): string {
  return `leanprover/lean4:v${version}`;
}

function compare(a: ToolchainVersion, b: ToolchainVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/** How the REPL's source stands with a toolchain. */
export type ToolchainSupport =
  | { status: 'known' }
  | { status: 'untested'; detail: string }
  | { status: 'refused'; detail: string };

/** The range in words, for errors and logs. */
export function supportedRange(): string {
  return `known to build: ${KNOWN_TOOLCHAINS.join(', ')}; tried: Lean v${MIN_TRIED_VERSION} and later releases, release candidates, nightlies and custom toolchains`;
}

/** Whether the REPL is known to build with `name`, will be tried with it, or refuses it. */
export function toolchainSupport(name: string): ToolchainSupport {
  const normalized = normalizeToolchain(name);
  if (KNOWN_TOOLCHAINS.includes(normalized)) return { status: 'known' };
  const v = toolchainVersion(normalized);
  const min = toolchainVersion(MIN_TRIED_VERSION)!;
  if (v && compare(v, min) < 0) {
    return { status: 'refused', detail: `toolchain ${normalized} (Lean ${v.text}) is older than the REPL supports (${supportedRange()})` };
  }
  return { status: 'untested', detail: `toolchain ${normalized} is not among those the REPL is known to build with (${KNOWN_TOOLCHAINS.join(', ')}): trying the build` };
}

/** A toolchain name in elan's full form: `v4.28.0` and `4.28.0` become `leanprover/lean4:v4.28.0`. */
export function normalizeToolchain(name: string): string {
  const t = name.trim();
  if (t.includes(':') || t.includes('/')) return t;
  const v = toolchainVersion(t);
  return v ? toolchainOfVersion(v.text) : t;
}

/** The file that replaces `LeanEnv/Compat.lean` for a toolchain, relative to `lean-project/`, if the toolchain names a version. */
export function compatFileFor(name: string): string | undefined {
  const v = toolchainVersion(normalizeToolchain(name));
  return v ? `compat/v${v.text}.lean` : undefined;
}
