import { describe, expect, test } from 'vitest';
import { loadConfig } from '../../server/config/config.js';

describe('loadConfig', () => {
  test('defaults: auto backend on loopback', () => {
    const c = loadConfig([], {});
    expect(c.backend).toBe('auto');
    expect(c.host).toBe('127.0.0.1');
  });

  test('flags override the environment, which overrides defaults', () => {
    const c = loadConfig(['--backend', 'wasm', '--port=9000'], { PORT: '7000', LEANENV_BACKEND: 'native', LEANENV_WASM_THREADS: '3' });
    expect(c.backend).toBe('wasm');
    expect(c.port).toBe(9000);
    expect(c.wasmThreads).toBe(3);
  });

  test('invalid values and unknown flags are refused with a readable message', () => {
    expect(() => loadConfig(['--backend', 'gpu'], {})).toThrow(/backend/);
    expect(() => loadConfig(['--no-such-flag', '1'], {})).toThrow(/unknown option --no-such-flag/);
    expect(() => loadConfig([], { PORT: 'http' })).toThrow(/port/);
  });
});
