/**
 * Process helpers for the benchmarks. Everything a benchmark starts runs in a process group it
 * created (detached spawn); cleanup() ends those groups, and only those, by pgid.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { now } from './stats.mjs';

const groups = new Set();

/** Starts a command in its own process group (remembered for cleanup()). */
export function spawnGroup(cmd, args, opts = {}) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts, detached: true });
  child.on('error', () => {});
  if (child.pid) groups.add(child.pid);
  return child;
}

/**
 * Runs a command to its end in its own group; resolves with its exit code, wall time (spawn → exit)
 * and output. Whatever it left in its group is SIGKILLed afterwards.
 */
export function run(cmd, args, opts = {}) {
  const t0 = now();
  const child = spawnGroup(cmd, args, opts);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => (stdout += d));
  child.stderr?.on('data', (d) => (stderr += d));
  const timeout = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), opts.timeoutMs ?? 120_000);
  return new Promise((resolve) => {
    child.once('close', (code, signal) => {
      const t1 = now();
      clearTimeout(timeout);
      signalGroup(child.pid, 'SIGKILL');
      groups.delete(child.pid);
      resolve({ code, signal, ms: t1 - t0, t0, t1, stdout, stderr });
    });
  });
}

export function signalGroup(pgid, sig) {
  try {
    process.kill(-pgid, sig);
    return true;
  } catch {
    return false;
  }
}

/** Ends every group a benchmark started and has not ended itself. */
export function cleanup() {
  for (const pgid of groups) signalGroup(pgid, 'SIGKILL');
  groups.clear();
}
export function forget(pgid) {
  groups.delete(pgid);
}

/** /proc/PID/stat: state and process group; undefined when gone. */
export function stat(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { state: f[0], ppid: Number(f[1]), pgid: Number(f[2]) };
  } catch {
    return undefined;
  }
}
export const alive = (pid) => {
  const s = stat(pid);
  return !!s && s.state !== 'Z' && s.state !== 'X';
};

function pids() {
  return readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number);
}

/** Live processes whose environment holds `NAME=value…` (value may be a prefix). */
export function withEnv(name, value) {
  const needle = `${name}=${value}`;
  return pids().filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').some((e) => e.startsWith(needle)) && alive(pid);
    } catch {
      return false;
    }
  });
}

/** Live members of a process group plus their descendants. */
export function groupTree(pgid) {
  const table = pids().map((pid) => ({ pid, ...stat(pid) })).filter((p) => p.state);
  const out = new Set(table.filter((p) => p.pgid === pgid).map((p) => p.pid));
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of table) {
      if (!out.has(p.pid) && out.has(p.ppid)) {
        out.add(p.pid);
        grew = true;
      }
    }
  }
  return [...out].filter(alive);
}

/** Polls (every ms) until none of `list` is alive; resolves the moment (now()) or NaN on timeout. */
export async function waitGone(list, timeoutMs = 10_000) {
  const t0 = performance.now();
  let left = list;
  while ((left = left.filter(alive)).length > 0) {
    if (performance.now() - t0 > timeoutMs) return Number.NaN;
    await sleep(1);
  }
  return now();
}

/** Ports handed out recently: a config asks for 20 before any is listened on. */
const handedOut = [];

/** A TCP port below 32768 (outside the ephemeral range) that nothing listens on, on 127.0.0.1 and ::. */
export async function freePort() {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    if (handedOut.includes(port)) continue;
    const ok = (host) =>
      new Promise((resolve) => {
        const s = createServer();
        s.once('error', () => resolve(false));
        s.listen({ port, host, exclusive: true }, () => s.close(() => resolve(true)));
      });
    if ((await ok('127.0.0.1')) && (await ok('::'))) {
      handedOut.push(port);
      if (handedOut.length > 1000) handedOut.shift();
      return port;
    }
  }
}

/** The ready lines a boot-service fixture wrote; waits until `count` are there (or returns what is). */
export async function readyStamps(file, count = 1, timeoutMs = 10_000) {
  const t0 = performance.now();
  for (;;) {
    const lines = existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
    if (lines.length >= count || performance.now() - t0 > timeoutMs) return lines;
    await sleep(2);
  }
}
