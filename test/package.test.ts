// The package as users get it: the exports map, the built files, and a
// process built on baton that exits by itself when its work is done.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { root, runModule } from './subprocess.js';

describe('the published entry points', () => {
  test('baton, baton/testing and baton/node import by name; internal modules are not importable', () => {
    const result = runModule(
      'entry-points',
      `
      import * as baton from 'baton';
      import * as testing from 'baton/testing';
      import * as node from 'baton/node';
      let internal = 'importable';
      try { await import('baton/dist/core/task.js'); } catch (err) { internal = err.code; }
      let nodeInternal = 'importable';
      try { await import('baton/dist/node/worker-pool.js'); } catch (err) { nodeInternal = err.code; }
      console.log(JSON.stringify({
        core: Object.keys(baton).sort(),
        testing: Object.keys(testing).sort(),
        node: Object.keys(node).sort(),
        internal,
        nodeInternal,
      }));
      `,
    );
    expect(result.stderr).toBe('');
    const out = JSON.parse(result.stdout) as {
      core: string[];
      testing: string[];
      node: string[];
      internal: string;
      nodeInternal: string;
    };
    expect(out.core).toEqual(
      expect.arrayContaining(['spawn', 'Task', 'taskGroup', 'TaskGroup', 'sleep', 'timeout', 'shield', 'isCancellation', 'CancelledError', 'TimeoutError', 'realClock']),
    );
    expect(out.testing).toEqual(expect.arrayContaining(['VirtualClock', 'withClock', 'installClock']));
    expect(out.node).toEqual(['PoolClosedError', 'PoolQueueFullError', 'WorkerCrashedError', 'WorkerPool', 'run']);
    expect(out.internal).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
    expect(out.nodeInternal).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });

  test('the core imports nothing from node:* and has no runtime dependencies', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(pkg['dependencies']).toBeUndefined();
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) {
          if (entry.name !== 'node') walk(path);
        } else if (path.endsWith('.js')) files.push(path);
      }
    };
    walk(join(root, 'dist'));
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
      const imports = [...code.matchAll(/\bfrom\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]/g)].map(
        (m) => m[1] ?? m[2],
      );
      for (const specifier of imports) expect(specifier, `${file} imports ${specifier}`).toMatch(/^\.\.?\//);
    }
  });

  test('the core type-checks without Node types (only baton/node may use them)', () => {
    // The build compiles src/node too, so it has @types/node; this check keeps
    // Node's globals (process, Buffer, ...) out of the rest of src/.
    const dir = join(root, '.tmp', 'core-types');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        extends: '../../tsconfig.build.json',
        compilerOptions: { noEmit: true, types: [], declaration: false, declarationMap: false, sourceMap: false },
        include: ['../../src'],
        exclude: ['../../src/node'],
      }),
    );
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = spawnSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { cwd: root, encoding: 'utf8' });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  }, 60_000);
});

describe('Principle: a process whose work is done exits by itself', () => {
  test('an aborted sleep, a finished timeout, a cancelled task and a finished group leave nothing running', () => {
    const result = runModule(
      'exits',
      `
      import { sleep, spawn, taskGroup, timeout } from 'baton';
      const controller = new AbortController();
      const sleeping = sleep(3_600_000, { signal: controller.signal }).catch((err) => err.name);
      controller.abort();
      console.log('sleep:', await sleeping);
      console.log('timeout:', await timeout(3_600_000, async () => 'finished'));
      const task = spawn((ctx) => sleep(3_600_000, { signal: ctx.signal }));
      await task.cancel();
      console.log('task:', task.state);
      const value = await taskGroup((group) => {
        group.spawn((ctx) => sleep(3_600_000, { signal: ctx.signal }));
        group.cancel();
        return 'group done';
      });
      console.log('group:', value);
      `,
    );
    expect(result.signal).toBeNull();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual([
      'sleep: AbortError',
      'timeout: finished',
      'task: cancelled',
      'group: group done',
    ]);
  });
});
