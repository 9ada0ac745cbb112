'use strict';
/**
 * The fan-out floor: the least a server can do to tell N graphql-ws subscribers about one change.
 * A bare node:http + ws server speaking just enough of graphql-transport-ws (connection_init ->
 * connection_ack, subscribe, complete, ping), whose `Start` mutation runs the same UPDATE + event
 * INSERT in one transaction (floor-db.js) and then sends one pre-serialised message to every
 * subscriber: no GraphQL execution, no authentication, no queues. What this machine can deliver,
 * measured beside the gateway with the same client swarm.
 *
 * Database settings: floor-db.js; PORT.
 */
const http = require('node:http');
const { WebSocketServer } = require('ws');
const { database } = require('./floor-db');

const db = database();
/** Subscription id by socket; every subscriber watches the same filter (IN_PROGRESS). */
const subscribers = new Map();

function broadcast(eventId, taskId) {
  const payload = JSON.stringify({ data: { taskStatusChanged: { id: String(eventId), status: 'IN_PROGRESS', task: { id: taskId } } } });
  for (const [socket, id] of subscribers) socket.send(`{"id":${JSON.stringify(id)},"type":"next","payload":${payload}}`);
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    const request = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    let result = { data: { __typename: 'Query' } };
    if (request.operationName === 'Start' || /mutation Start/.test(request.query ?? '')) {
      const id = request.variables.id;
      const eventId = await db.start(id, 'anonymous');
      result = { data: { updateTask: { id } } };
      setImmediate(broadcast, eventId, id);
    }
    const text = `${JSON.stringify(result)}\n`;
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  });
});

const wss = new WebSocketServer({ server, path: '/graphql', handleProtocols: () => 'graphql-transport-ws' });
wss.on('connection', (socket) => {
  socket.on('message', (data) => {
    const message = JSON.parse(String(data));
    if (message.type === 'connection_init') socket.send('{"type":"connection_ack"}');
    else if (message.type === 'subscribe') subscribers.set(socket, message.id);
    else if (message.type === 'complete') subscribers.delete(socket);
    else if (message.type === 'ping') socket.send('{"type":"pong"}');
  });
  socket.on('close', () => subscribers.delete(socket));
});

server.listen(Number(process.env.PORT), '127.0.0.1');
