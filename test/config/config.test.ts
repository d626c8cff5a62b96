import { describe, expect, test } from 'vitest';
import { defaultSlotsPerWorker, defaultSpareWorkers, loadConfig, slotsPerWorkerFor, spareWorkersFor } from '../../server/config/config.js';

describe('loadConfig', () => {
  test('defaults: auto backend on loopback', () => {
    const c = loadConfig([], {});
    expect(c.backend).toBe('auto');
    expect(c.host).toBe('127.0.0.1');
  });

  test('flags override the environment, which overrides defaults', () => {
    const c = loadConfig(['--backend', 'wasm', '--port=9000'], { PORT: '7000', LEANENV_BACKEND: 'native', LEANENV_WASM_THREADS: '4' });
    expect(c.backend).toBe('wasm');
    expect(c.port).toBe(9000);
    expect(c.wasmThreads).toBe(4);
  });

  test('invalid values and unknown flags are refused with a readable message', () => {
    expect(() => loadConfig(['--backend', 'gpu'], {})).toThrow(/backend/);
    expect(() => loadConfig(['--no-such-flag', '1'], {})).toThrow(/unknown option --no-such-flag/);
    expect(() => loadConfig([], { PORT: 'http' })).toThrow(/port/);
  });

  test('cluster mode: off by default; REDIS_URL or --redis turns it on; a malformed URL is refused', () => {
    expect(loadConfig([], {}).redis).toBeUndefined();
    expect(loadConfig([], { REDIS_URL: 'redis://r:6379', LEANENV_CLUSTER_MAX_QUEUE: '500' })).toMatchObject({ redis: 'redis://r:6379', clusterMaxQueue: 500 });
    expect(loadConfig(['--redis', 'redis://other:6380'], { REDIS_URL: 'redis://r:6379' }).redis).toBe('redis://other:6380');
    expect(() => loadConfig(['--redis', 'not a url'], {})).toThrow(/redis/);
  });

  test('spareWorkers: flag and environment, else one spare when memory holds one more worker', () => {
    expect(loadConfig(['--spare-workers', '2'], { LEANENV_SPARE_WORKERS: '0' }).spareWorkers).toBe(2);
    expect(spareWorkersFor(loadConfig([], { LEANENV_SPARE_WORKERS: '0' }))).toBe(0);
    const GiB = 2 ** 30;
    expect(defaultSpareWorkers(2, 24 * GiB)).toBe(1);
    expect(defaultSpareWorkers(2, 8 * GiB)).toBe(0);
    expect(defaultSpareWorkers(4, 14 * GiB)).toBe(0);
    expect(defaultSpareWorkers(4, 16 * GiB)).toBe(1);
    expect(() => loadConfig(['--spare-workers=-1'], {})).toThrow(/spareWorkers/);
  });

  test('slotsPerWorker: flag and environment, else enough slots to give each core a request, at most 4', () => {
    expect(loadConfig(['--slots-per-worker', '3'], { LEANENV_SLOTS_PER_WORKER: '1' }).slotsPerWorker).toBe(3);
    expect(slotsPerWorkerFor(loadConfig([], { LEANENV_SLOTS_PER_WORKER: '2', LEANENV_WORKERS: '4' }))).toBe(2);
    expect(defaultSlotsPerWorker(2, 2)).toBe(1);
    expect(defaultSlotsPerWorker(1, 2)).toBe(2);
    expect(defaultSlotsPerWorker(5, 8)).toBe(2);
    expect(defaultSlotsPerWorker(1, 32)).toBe(4);
    expect(() => loadConfig(['--slots-per-worker', '0'], {})).toThrow(/slotsPerWorker/);
  });
});
