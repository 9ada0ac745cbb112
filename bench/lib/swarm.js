'use strict';
const { fork } = require('node:child_process');
const { join } = require('node:path');
const WebSocket = require('ws');
const { signer } = require('./auth');

const perProcess = 2500;

/** Subscribers spread over several child processes (bench/load/ws-swarm.js). */
class Swarm {
  constructor() {
    this.children = [];
  }

  /** Opens `count` subscribers on each of `urls` in turn (split evenly), `perProcess` per child. */
  async open({ urls, count, query, connectionParams }) {
    const jobs = [];
    for (let i = 0; i < count; i += perProcess) jobs.push(Math.min(perProcess, count - i));
    const results = await Promise.all(
      jobs.map((n, i) => {
        const child = fork(join(__dirname, '..', 'load', 'ws-swarm.js'), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
        this.children.push(child);
        return ask(child, { type: 'open', url: urls[i % urls.length], count: n, query, connectionParams }, 'opened');
      }),
    );
    return {
      connected: results.reduce((s, r) => s + r.connected, 0),
      failed: results.reduce((s, r) => s + r.failed, 0),
      firstError: results.find((r) => r.firstError)?.firstError ?? null,
    };
  }

  /** Receive time of each subscriber for one task's change (null where it never arrived). */
  async times(taskId) {
    const parts = await Promise.all(this.children.map((c) => ask(c, { type: 'times', taskId }, 'times')));
    this.closeCodes = mergeCodes(parts);
    this.subscriptionErrors = mergeCodes(parts, 'subscriptionErrors');
    return parts.flatMap((p) => p.times);
  }

  async counts(prefix) {
    const parts = await Promise.all(this.children.map((c) => ask(c, { type: 'counts', prefix }, 'counts')));
    this.closeCodes = mergeCodes(parts);
    this.subscriptionErrors = mergeCodes(parts, 'subscriptionErrors');
    return parts.flatMap((p) => p.counts);
  }

  async close() {
    await Promise.all(this.children.map((c) => ask(c, { type: 'close' }, 'closed', 30_000).catch(() => c.kill('SIGKILL'))));
    this.children = [];
  }
}

/** Close codes over all children, e.g. { '4008': 12 }. */
function mergeCodes(parts, field = 'closeCodes') {
  const codes = {};
  for (const p of parts) for (const [code, n] of Object.entries(p[field] ?? {})) codes[code] = (codes[code] ?? 0) + n;
  return codes;
}

function ask(child, message, reply, timeoutMs = 300_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`swarm child gave no ${reply} in ${timeoutMs} ms`)), timeoutMs);
    const onExit = (code) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      if (reply !== 'closed') reject(new Error(`swarm child exited (${code})`));
      else resolve({});
    };
    const onMessage = (m) => {
      if (m.type !== reply) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(m);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.send(message);
  });
}

/** Does the gateway speak graphql-ws at /graphql? One connection_init, wait for connection_ack. */
function probeWebSocket(port) {
  return new Promise((resolve) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/graphql`, 'graphql-transport-ws');
    const done = (result) => {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.terminate();
      resolve(result);
    };
    const timer = setTimeout(() => done({ available: false, why: 'no connection_ack within 5 s' }), 5000);
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: signer.connectionParams(`127.0.0.1:${port}`) })));
    socket.on('message', (data) => {
      const message = JSON.parse(String(data));
      done(message.type === 'connection_ack' ? { available: true } : { available: false, why: `answered ${message.type}` });
    });
    socket.on('unexpected-response', (_req, res) => done({ available: false, why: `WebSocket upgrade at /graphql answered HTTP ${res.statusCode} (graphql-ws subscriptions not merged)` }));
    socket.on('error', (error) => done({ available: false, why: `no WebSocket at /graphql in this build (${error.message}; graphql-ws subscriptions not merged)` }));
    socket.on('close', () => done({ available: false, why: 'WebSocket at /graphql closed without connection_ack' }));
  });
}

module.exports = { Swarm, probeWebSocket };
