import { type ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

/** The checkout's root and its `taskgate` command, as a user runs it. */
export const repoRoot = resolve(__dirname, '..', '..');
export const taskgateBin = join(repoRoot, 'bin', 'taskgate.js');

export interface CommandRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Starts `taskgate <args>` with only the environment given (and PATH), the way a user does.
 * `run` fills as the command writes; `done` resolves when it exits.
 */
export function startTaskgate(args: string[], env: Record<string, string> = {}, cwd = repoRoot): { child: ChildProcess; run: CommandRun; done: Promise<CommandRun> } {
  const child = spawn(process.execPath, [taskgateBin, ...args], { cwd, env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const run: CommandRun = { code: null, stdout: '', stderr: '' };
  child.stdout!.on('data', (c: Buffer) => (run.stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (run.stderr += c.toString()));
  const done = new Promise<CommandRun>((finished) => child.on('close', (code) => finished({ ...run, code })));
  return { child, run, done };
}

/** Runs `taskgate <args>` to the end. */
export function runTaskgate(args: string[], env: Record<string, string> = {}, cwd = repoRoot): Promise<CommandRun> {
  return startTaskgate(args, env, cwd).done;
}
