// run() as programs use it: each test starts a real Node process whose entry
// point is run(main), sends it real signals, and checks its real exit code
// and output. The tests wait for the lines the child prints ('ready'), never
// for time to pass.
import { describe, expect, test } from 'vitest';
import { run } from '../../src/node/index.js';
import { rejection } from '../support.js';
import { startModule } from './child.js';

const preamble = `
import { run } from 'baton/node';
import { sleep } from 'baton';
`;

describe('run: exit codes', () => {
  test("a main that succeeds: run resolves to main's value and the process exits 0", async () => {
    const child = startModule(
      'run-success',
      `${preamble}
      const value = await run(async (ctx) => {
        console.log('signal aborted:', ctx.signal.aborted);
        return 42;
      });
      console.log('value', value);
      console.log('SIGINT listeners', process.listenerCount('SIGINT'), 'SIGTERM listeners', process.listenerCount('SIGTERM'));
      `,
    );
    const exit = await child.exit;
    expect(exit).toMatchObject({ code: 0, signal: null, stderr: '', killedByGuard: false });
    expect(exit.stdout.trim().split('\n')).toEqual(['signal aborted: false', 'value 42', 'SIGINT listeners 0 SIGTERM listeners 0']);
  });

  test('a main that fails: the error is printed to stderr, run resolves to undefined, the exit code is 1', async () => {
    const child = startModule(
      'run-failure',
      `${preamble}
      const value = await run(async () => {
        throw new Error('database unreachable');
      });
      console.log('value', value);
      `,
    );
    const exit = await child.exit;
    expect(exit).toMatchObject({ code: 1, signal: null, killedByGuard: false });
    expect(exit.stdout.trim()).toBe('value undefined');
    expect(exit.stderr).toContain('Error: database unreachable');
    expect(exit.stderr).toContain('run-failure.mjs'); // the stack is printed
    expect(exit.stderr).not.toContain('Unhandled'); // once, by run
  });

  test('a main that throws synchronously is a failure too', async () => {
    const child = startModule(
      'run-sync-failure',
      `${preamble}
      await run(() => {
        throw new TypeError('bad config');
      });
      `,
    );
    const exit = await child.exit;
    expect(exit).toMatchObject({ code: 1, killedByGuard: false });
    expect(exit.stderr).toContain('TypeError: bad config');
  });
});

describe('run: signals', () => {
  const sleeper = (name: string, options = '') => `${preamble}
      const value = await run(async (ctx) => {
        try {
          console.log('ready');
          await sleep(3_600_000, { signal: ctx.signal });
        } catch (err) {
          console.log('cancelled:', err.name, err.message);
          throw err;
        } finally {
          await sleep(1); // cleanup that takes a moment
          console.log('cleanup done');
        }
      }${options});
      console.log('run resolved', value, 'listeners', process.listenerCount('SIGINT') + process.listenerCount('SIGTERM'));
      // ${name}
      `;

  test("the first SIGINT cancels main, which cleans up; run resolves and the process exits 130", async () => {
    const child = startModule('run-sigint', sleeper('sigint'));
    await child.waitFor('ready');
    child.kill('SIGINT');
    const exit = await child.exit;
    expect(exit).toMatchObject({ code: 130, signal: null, stderr: '', killedByGuard: false });
    expect(exit.stdout.trim().split('\n')).toEqual([
      'ready',
      'cancelled: CancelledError Cancelled by SIGINT',
      'cleanup done',
      'run resolved undefined listeners 0',
    ]);
  });

  test('SIGTERM does the same with exit code 143', async () => {
    const child = startModule('run-sigterm', sleeper('sigterm'));
    await child.waitFor('ready');
    child.kill('SIGTERM');
    const exit = await child.exit;
    expect(exit).toMatchObject({ code: 143, signal: null, stderr: '', killedByGuard: false });
    expect(exit.stdout).toContain('cancelled: CancelledError Cancelled by SIGTERM');
    expect(exit.stdout).toContain('cleanup done');
  });

  test('a second signal exits at once while the cleanup still runs', async () => {
    const child = startModule(
      'run-second-signal',
      `${preamble}
      await run(async (ctx) => {
        try {
          console.log('ready');
          await sleep(3_600_000, { signal: ctx.signal });
        } finally {
          console.log('cleaning up');
          await sleep(3_600_000); // a cleanup that hangs
          console.log('cleanup done');
        }
      });
      console.log('run resolved');
      `,
    );
    await child.waitFor('ready');
    child.kill('SIGINT');
    await child.waitFor('cleaning up');
    child.kill('SIGINT');
    const exit = await child.exit;
    expect(exit).toMatchObject({ code: 130, signal: null, killedByGuard: false });
    expect(exit.stdout.trim().split('\n')).toEqual(['ready', 'cleaning up']);
    expect(exit.stderr).toContain('Received SIGINT again');
  });

  test('the grace period ends a cleanup that takes too long', async () => {
    const child = startModule(
      'run-grace-period',
      `${preamble}
      await run(async (ctx) => {
        try {
          console.log('ready');
          await sleep(3_600_000, { signal: ctx.signal });
        } finally {
          console.log('cleaning up');
          await sleep(3_600_000);
        }
      }, { gracePeriod: 50 });
      `,
    );
    await child.waitFor('ready');
    child.kill('SIGTERM');
    const exit = await child.exit;
    expect(exit).toMatchObject({ code: 143, signal: null, killedByGuard: false });
    expect(exit.stdout.trim().split('\n')).toEqual(['ready', 'cleaning up']);
    expect(exit.stderr).toContain('grace period of 50 ms');
  });

  test('a cleanup that fails after the signal is a real failure: printed, exit code 1', async () => {
    const child = startModule(
      'run-failed-cleanup',
      `${preamble}
      await run(async (ctx) => {
        try {
          console.log('ready');
          await sleep(3_600_000, { signal: ctx.signal });
        } finally {
          throw new Error('rollback failed');
        }
      });
      `,
    );
    await child.waitFor('ready');
    child.kill('SIGINT');
    const exit = await child.exit;
    expect(exit).toMatchObject({ code: 1, killedByGuard: false });
    expect(exit.stderr).toContain('Error: rollback failed');
  });

  test("a main that finishes its work after the signal: run resolves to its value, the exit code still says 130", async () => {
    const child = startModule(
      'run-finish-after-signal',
      `${preamble}
      const value = await run(async (ctx) => {
        const keepAlive = setInterval(() => {}, 60_000); // signal handlers keep no process alive
        console.log('ready');
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
        clearInterval(keepAlive);
        return 'saved';
      });
      console.log('value', value);
      `,
    );
    await child.waitFor('ready');
    child.kill('SIGINT');
    const exit = await child.exit;
    expect(exit).toMatchObject({ code: 130, stderr: '', killedByGuard: false });
    expect(exit.stdout.trim().split('\n')).toEqual(['ready', 'value saved']);
  });

  test('setExitCode: false leaves process.exitCode alone', async () => {
    const child = startModule('run-no-exit-code', sleeper('no exit code', ', { setExitCode: false }'));
    await child.waitFor('ready');
    child.kill('SIGINT');
    const exit = await child.exit;
    expect(exit).toMatchObject({ code: 0, stderr: '', killedByGuard: false });
    expect(exit.stdout).toContain('cleanup done');
  });

  test('options.signals picks the signals: SIGHUP cancels, exit code 129', async () => {
    const child = startModule('run-sighup', sleeper('sighup', ", { signals: ['SIGHUP'] }"));
    await child.waitFor('ready');
    child.kill('SIGHUP');
    const exit = await child.exit;
    expect(exit).toMatchObject({ code: 129, stderr: '', killedByGuard: false });
    expect(exit.stdout).toContain('cancelled: CancelledError Cancelled by SIGHUP');
  });

  test('after run has finished, the handlers are gone: a signal has its default effect', async () => {
    const child = startModule(
      'run-handlers-removed',
      `${preamble}
      await run(async () => 'done');
      console.log('ready');
      await sleep(3_600_000); // keeps the process alive until the signal
      console.log('not reached');
      `,
    );
    await child.waitFor('ready');
    child.kill('SIGINT');
    const exit = await child.exit;
    expect(exit).toMatchObject({ code: null, signal: 'SIGINT', killedByGuard: false });
    expect(exit.stdout.trim()).toBe('ready');
  });
});

describe('run: nested calls', () => {
  test('a nested run installs no handlers and behaves like a call: value, failure, and cancellation with the outer run', async () => {
    const child = startModule(
      'run-nested',
      `${preamble}
      await run(async () => {
        const value = await run(async () => {
          console.log('inner listeners', process.listenerCount('SIGINT'), process.listenerCount('SIGTERM'));
          return 'inner value';
        });
        console.log('inner resolved', value);
        try {
          await run(async () => {
            throw new Error('inner failure');
          });
        } catch (err) {
          console.log('outer caught', err.message);
        }
        try {
          await run(async (ctx) => {
            console.log('ready');
            await sleep(3_600_000, { signal: ctx.signal });
          });
        } catch (err) {
          console.log('inner rejected with', err.name, err.message);
          throw err;
        }
      });
      console.log('outer resolved', process.listenerCount('SIGINT'));
      `,
    );
    await child.waitFor('ready');
    child.kill('SIGINT');
    const exit = await child.exit;
    expect(exit).toMatchObject({ code: 130, stderr: '', killedByGuard: false });
    expect(exit.stdout.trim().split('\n')).toEqual([
      'inner listeners 1 1',
      'inner resolved inner value',
      'outer caught inner failure',
      'ready',
      'inner rejected with CancelledError Cancelled by SIGINT',
      'outer resolved 0',
    ]);
  });

  test('runs one after another are each top-level', async () => {
    const child = startModule(
      'run-sequential',
      `${preamble}
      await run(async () => console.log('first', process.listenerCount('SIGINT')));
      await run(async () => console.log('second', process.listenerCount('SIGINT')));
      console.log('after', process.listenerCount('SIGINT'));
      `,
    );
    const exit = await child.exit;
    expect(exit).toMatchObject({ code: 0, stderr: '' });
    expect(exit.stdout.trim().split('\n')).toEqual(['first 1', 'second 1', 'after 0']);
  });
});

describe('run: arguments', () => {
  // Bad arguments are refused before any handler is installed, so these run in-process.
  test('bad arguments reject with messages naming the value', async () => {
    const listeners = process.listenerCount('SIGINT');
    expect(await rejection(run(42 as unknown as () => void))).toEqual(new TypeError('Expected main to be a function, got 42 (number)'));
    expect(await rejection(run(() => {}, { signals: ['SIGKILL'] }))).toEqual(
      new RangeError('Expected options.signals to hold signals a process can catch, got "SIGKILL" (string)'),
    );
    expect(await rejection(run(() => {}, { signals: ['SIGNOPE' as NodeJS.Signals] }))).toBeInstanceOf(RangeError);
    expect(await rejection(run(() => {}, { signals: 'SIGINT' as unknown as NodeJS.Signals[] }))).toBeInstanceOf(TypeError);
    expect(await rejection(run(() => {}, { gracePeriod: -1 }))).toBeInstanceOf(RangeError);
    expect(await rejection(run(() => {}, { setExitCode: 1 as unknown as boolean }))).toBeInstanceOf(TypeError);
    expect(process.listenerCount('SIGINT')).toBe(listeners);
  });
});
