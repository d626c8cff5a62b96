/**
 * A STAND-IN for a language model behind an OpenAI-compatible HTTP endpoint (no model runs
 * here): it answers `POST /v1/completions` and `POST /v1/chat/completions` with completions
 * chosen by a test-supplied function of the prompt, records every request body, and reports
 * per-token log-probabilities when asked. Only for testing the OpenAI-style policy's wire
 * format; it proves nothing by itself.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A scripted completion: its text and the log-probability of each of its (pretend) tokens. */
export interface StandInCompletion {
  text: string;
  tokenLogprobs: number[];
}

/** The running stand-in. */
export interface OpenAiStandIn {
  /** Base URL, `http://127.0.0.1:PORT/v1`. */
  url: string;
  /** Request bodies received, in order, with their path. */
  requests: Array<{ path: string; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

/** Start the stand-in; `complete(prompt, n)` gives the completions for one request. */
export async function startOpenAiStandIn(complete: (prompt: string, n: number) => StandInCompletion[]): Promise<OpenAiStandIn> {
  const requests: OpenAiStandIn['requests'] = [];
  const server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString('utf8')));
    req.on('end', () => {
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(data) as Record<string, unknown>;
      } catch {
        return reply(400, { error: { message: 'body is not JSON' } });
      }
      requests.push({ path: req.url ?? '', body });
      const n = typeof body.n === 'number' ? body.n : 1;
      if (req.method === 'POST' && req.url === '/v1/completions') {
        const choices = complete(String(body.prompt), n).map((c, index) => ({
          index,
          text: c.text,
          finish_reason: 'stop',
          logprobs: body.logprobs ? { tokens: c.tokenLogprobs.map((_, i) => `t${i}`), token_logprobs: c.tokenLogprobs } : null,
        }));
        return reply(200, { id: 'cmpl-stand-in', object: 'text_completion', model: body.model, choices });
      }
      if (req.method === 'POST' && req.url === '/v1/chat/completions') {
        const messages = (body.messages ?? []) as Array<{ role: string; content: string }>;
        const prompt = messages.filter((m) => m.role === 'user').map((m) => m.content).join('\n');
        const choices = complete(prompt, n).map((c, index) => ({
          index,
          message: { role: 'assistant', content: c.text },
          finish_reason: 'stop',
          logprobs: body.logprobs ? { content: c.tokenLogprobs.map((logprob, i) => ({ token: `t${i}`, logprob })) } : null,
        }));
        return reply(200, { id: 'chatcmpl-stand-in', object: 'chat.completion', model: body.model, choices });
      }
      reply(404, { error: { message: `no route ${req.method} ${req.url}` } });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
