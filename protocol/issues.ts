/** Readable zod validation problems, the same at every edge (config, HTTP, WebSocket, CLI). */
import type { z } from 'zod';

/** One line per problem: `path: message`, with `root` naming what was validated when the path is empty. */
export function describeIssues(error: z.ZodError, root: string): string[] {
  return error.issues.map((i) => `${i.path.join('.') || root}: ${i.message}`);
}
