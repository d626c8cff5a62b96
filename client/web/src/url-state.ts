/**
 * What the URL holds so a reload or a shared link opens the same place: the session, whether
 * it is watched (read-only), the proof and the selected state — in the hash, e.g.
 * `#session=ses_…&proof=prf_…&state=st_…` (`&watch=1` for a watched session).
 */

/** The place a URL points at. */
export interface Place {
  session?: string;
  proof?: string;
  state?: string;
  watch?: boolean;
}

/** Read a place from a location hash. */
export function parsePlace(hash: string): Place {
  const q = new URLSearchParams(hash.replace(/^#/, ''));
  return { session: q.get('session') ?? undefined, proof: q.get('proof') ?? undefined, state: q.get('state') ?? undefined, watch: q.get('watch') === '1' };
}

/** A location hash for a place. */
export function formatPlace(p: Place): string {
  const q = new URLSearchParams();
  if (p.session) q.set('session', p.session);
  if (p.watch) q.set('watch', '1');
  if (p.proof) q.set('proof', p.proof);
  if (p.state) q.set('state', p.state);
  const s = q.toString();
  return s ? `#${s}` : '';
}
