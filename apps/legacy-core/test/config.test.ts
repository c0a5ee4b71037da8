import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CoreConfigError, loadCoreConfig, parseCoreConfig } from '../src/index.ts';

describe('legacy core config', () => {
  it('starts from defaults that make a slow but well-behaved core', () => {
    const config = parseCoreConfig({});
    assert.equal(config.maxSessions, 4);
    assert.equal(config.latency.medianMs, 20);
    assert.deepEqual(config.faults, {
      dropBeforeBookingRate: 0,
      lostReplyRate: 0,
      stallRate: 0,
      stallMs: 5_000,
    });
    assert.equal(config.batchWindow, null);
  });

  it('takes environment variables, and flags over them', () => {
    const config = loadCoreConfig(
      { LEGACY_CORE_PORT: '7100', LEGACY_CORE_FAULT_LOST_REPLY: '0.05', LEGACY_CORE_CURRENCIES: 'GBP, USD' },
      ['--port', '0', '--batch-window', '23:30-00:30', '--control', 'false'],
    );
    assert.equal(config.port, 0);
    assert.equal(config.faults.lostReplyRate, 0.05);
    assert.deepEqual(config.currencies, ['GBP', 'USD']);
    assert.deepEqual(config.batchWindow, { start: '23:30', end: '00:30' });
    assert.equal(config.controlEnabled, false);
  });

  it('names the path, where the value came from and the rule', () => {
    const cases: [NodeJS.ProcessEnv, string[], RegExp][] = [
      [{ LEGACY_CORE_MAX_SESSIONS: 'four' }, [], /maxSessions \(from LEGACY_CORE_MAX_SESSIONS\): .*number/],
      [{}, ['--fault-stall', '1.5'], /faults\.stallRate \(from --fault-stall\): .*<=1/],
      [
        { LEGACY_CORE_BATCH_WINDOW: '25:00-01:00' },
        [],
        /batchWindow\.start \(from LEGACY_CORE_BATCH_WINDOW\): must be HH:MM/,
      ],
      [
        { LEGACY_CORE_ACCOUNTS: '10000001,ABC' },
        [],
        /accounts\.1 \(from LEGACY_CORE_ACCOUNTS\): an account is 8 digits/,
      ],
      [
        { LEGACY_CORE_FAULT_LOST_REPLY: '0.6', LEGACY_CORE_FAULT_STALL: '0.6' },
        [],
        /faults: the fault rates together must be at most 1/,
      ],
      [{}, ['--no-such-flag', '1'], /\(command line\): .*no-such-flag/],
    ];
    for (const [env, argv, message] of cases) {
      assert.throws(
        () => loadCoreConfig(env, argv),
        (error: unknown) => {
          assert.ok(error instanceof CoreConfigError);
          assert.equal(error.code, 'LEGACY_CORE_CONFIG_INVALID');
          assert.match(error.message, message);
          return true;
        },
      );
    }
    assert.throws(() => parseCoreConfig({ prot: 7011 }), /\(root\): .*prot/);
  });
});
