/** Judges for tests: the real one (see `startTestServer`), and one for apps whose pool never runs Lean. */
import { Judge } from '../../server/judge/judge.js';

/** A judge that never starts: for apps built over a pool whose workers are never started (a check there fails with `error`). */
export function idleJudge(): Judge {
  return new Judge({ spawn: () => Promise.reject(new Error('no judge in this test')) });
}
