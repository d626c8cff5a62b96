/** Helpers for tests of the WebSocket JSON-RPC API. */
import { expect } from 'vitest';
import { RpcError } from '../../client/sdk.js';

/** The JSON-RPC code, the API's string code and the message of a call that must fail. */
export async function rpcError(p: Promise<unknown>): Promise<{ code: number; tag: unknown; message: string; data?: Record<string, unknown> }> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(RpcError);
  const r = e as RpcError;
  return { code: r.code, tag: r.data?.code, message: r.message, data: r.data };
}
