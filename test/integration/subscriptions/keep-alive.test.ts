import WebSocket from 'ws';
import { databaseKinds } from '../../helpers/databases';
import { startServer, type TestServer } from '../../helpers/server';

/** Opens an acknowledged graphql-ws connection; `answerPings: false` plays a client that has gone away silently. */
function connect(server: TestServer, answerPings: boolean): Promise<{ socket: WebSocket; pings: () => number; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws', { autoPong: answerPings });
    let pings = 0;
    socket.on('ping', () => pings++);
    const closed = new Promise<number>((done) => socket.on('close', (code) => done(code)));
    socket.on('error', reject);
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: server.wsConnectionParams() })));
    socket.on('message', (data) => {
      if (JSON.parse(String(data)).type === 'connection_ack') resolve({ socket, pings: () => pings, closed });
    });
  });
}

describe.each(databaseKinds())('WebSocket keep-alive on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    // Short enough to watch a silent client being dropped; long enough that a client answering
    // pings on a busy machine (the server shares this process) is never taken for a silent one.
    server = await startServer(kind, { TASKGATE_WS_KEEPALIVE_MS: '1000' });
  });
  afterAll(() => server.stop());

  it('drops a connection that stops answering pings and keeps one that answers them', async () => {
    const alive = await connect(server, true);
    const silent = await connect(server, false);
    // 1006: terminated without a close handshake.
    expect(await silent.closed).toBe(1006);
    expect(silent.pings()).toBeGreaterThan(0);
    const pingsBefore = alive.pings();
    await new Promise((resolve) => alive.socket.once('ping', resolve));
    expect(alive.pings()).toBeGreaterThan(pingsBefore);
    expect(alive.socket.readyState).toBe(WebSocket.OPEN);
    alive.socket.close();
    await alive.closed;
  });
});
