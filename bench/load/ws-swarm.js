'use strict';
/**
 * A swarm of graphql-ws subscribers in its own process (the bench forks several). Each
 * subscriber is its own WebSocket and its own subscription. Receive times are taken with
 * performance.timeOrigin + performance.now(), comparable across processes on one machine.
 *
 * Messages from the parent: {type:'open', url, count, query, connectionParams},
 * {type:'times', taskId} -> receive time per subscriber for that task, {type:'counts', prefix}
 * -> how many events each subscriber got for tasks whose id starts with prefix, {type:'close'}.
 */
const { createClient } = require('graphql-ws');
const WebSocket = require('ws');
const { signer } = require('../lib/auth');

const now = () => performance.timeOrigin + performance.now();
const subscribers = [];
/** Close codes seen after connecting (e.g. 4008: the server dropped a subscriber that fell behind). */
const closeCodes = {};
/** Subscriptions the server ended with an error, by message. */
const subscriptionErrors = {};

async function open({ url, count, query, connectionParams }) {
  let failed = 0;
  let firstError = null;
  const batch = 250;
  for (let start = 0; start < count; start += batch) {
    const opening = [];
    for (let i = start; i < Math.min(count, start + batch); i++) {
      const received = new Map();
      const counts = { byPrefix: new Map() };
      const subscriber = { received, counts, client: null };
      opening.push(
        new Promise((resolve) => {
          const client = createClient({
            url,
            webSocketImpl: WebSocket,
            lazy: false,
            retryAttempts: 0,
            // Without this graphql-ws prints every close to stderr; the codes are counted instead.
            onNonLazyError: () => undefined,
            // Signed at connect time (auth is on): the date is fresh for every socket.
            connectionParams: connectionParams ?? (() => signer.connectionParams(new URL(url).host)),
            on: {
              connected: () => {
                subscriber.connected = true;
                resolve(true);
              },
              error: (error) => {
                firstError ??= String(error?.message ?? error);
                resolve(false);
              },
              closed: (event) => {
                if (subscriber.connected) closeCodes[event?.code ?? 'unknown'] = (closeCodes[event?.code ?? 'unknown'] ?? 0) + 1;
                resolve(false);
              },
            },
          });
          subscriber.client = client;
          client.subscribe(
            { query },
            {
              next: (result) => {
                const at = now();
                const id = result.data?.taskStatusChanged?.task?.id ?? result.data?.taskStatusChanged?.id;
                if (!id) return;
                if (!received.has(id)) received.set(id, at);
              },
              error: (error) => {
                // The server ended this subscription with an error (the socket may stay open).
                const text = (Array.isArray(error) ? error.map((e) => e.message).join('; ') : (error?.message ?? JSON.stringify(error))).slice(0, 300);
                subscriptionErrors[text] = (subscriptionErrors[text] ?? 0) + 1;
                firstError ??= text;
              },
              complete: () => undefined,
            },
          );
        }).then((ok) => {
          if (ok) subscribers.push(subscriber);
          else failed++;
        }),
      );
    }
    await Promise.all(opening);
  }
  return { connected: subscribers.length, failed, firstError };
}

process.on('message', async (message) => {
  switch (message.type) {
    case 'open':
      process.send({ type: 'opened', ...(await open(message)) });
      break;
    case 'times':
      process.send({ type: 'times', closeCodes, subscriptionErrors, times: subscribers.map((s) => s.received.get(message.taskId) ?? null) });
      break;
    case 'counts':
      process.send({
        type: 'counts',
        closeCodes,
        subscriptionErrors,
        counts: subscribers.map((s) => {
          let n = 0;
          for (const id of s.received.keys()) if (id.startsWith(message.prefix)) n++;
          return n;
        }),
      });
      break;
    case 'close':
      await Promise.all(subscribers.map((s) => s.client.dispose()));
      process.send({ type: 'closed' });
      process.exit(0);
  }
});
