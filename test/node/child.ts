// A child Node process the test can talk to: wait for a line on its stdout,
// send it real signals, collect its exit status. Like runModule
// (test/subprocess.ts), it runs an ES module from inside the package, so
// `import ... from 'baton/node'` resolves to the built dist/.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from '../subprocess.js';

export interface ChildExit {
  /** The exit code, or null if a signal killed the process. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Whether the hang guard had to kill the process. */
  killedByGuard: boolean;
}

export interface Child {
  /** Resolves once the child has printed `line` (a whole line); rejects if it exits first. */
  waitFor(line: string): Promise<void>;
  /** Send a real signal to the child. */
  kill(signal: NodeJS.Signals): void;
  /** Resolves when the child has exited. */
  readonly exit: Promise<ChildExit>;
}

/**
 * Start `source` as an ES module in a child Node process. A hang guard kills
 * it with SIGKILL after `killAfterMs`, so a child that never exits fails its
 * test quickly and by name (`killedByGuard`), instead of stalling the suite.
 * The guard is the only timer: the tests synchronise with the child through
 * the lines it prints.
 */
export function startModule(name: string, source: string, killAfterMs = 8_000): Child {
  if (!existsSync(join(root, 'dist', 'node', 'index.js'))) {
    throw new Error('dist/node is missing: run `npm run build` first (npm test does it)');
  }
  const dir = join(root, '.tmp', 'subprocess');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, source);
  const child = spawn(process.execPath, [file], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let killedByGuard = false;
  const watchers: { line: string; resolve: () => void; reject: (err: Error) => void }[] = [];
  const lines = (): string[] => stdout.split('\n');
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    stdout += chunk;
    for (let i = watchers.length - 1; i >= 0; i--) {
      const watcher = watchers[i];
      if (watcher !== undefined && lines().includes(watcher.line)) {
        watchers.splice(i, 1);
        watcher.resolve();
      }
    }
  });
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const guard = setTimeout(() => {
    killedByGuard = true;
    child.kill('SIGKILL');
  }, killAfterMs);
  const exit = new Promise<ChildExit>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      for (const watcher of watchers.splice(0)) {
        watcher.reject(new Error(`the child exited before printing ${JSON.stringify(watcher.line)}; stdout: ${stdout}; stderr: ${stderr}`));
      }
      resolve({ code, signal, stdout, stderr, killedByGuard });
    });
  });
  return {
    exit,
    kill: (signal) => {
      child.kill(signal);
    },
    waitFor: (line) =>
      lines().includes(line)
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            if (child.exitCode !== null || child.signalCode !== null) {
              reject(new Error(`the child has exited without printing ${JSON.stringify(line)}`));
              return;
            }
            watchers.push({ line, resolve, reject });
          }),
  };
}
