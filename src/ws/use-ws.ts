import { CloseCode, handleProtocols, makeServer, type ServerOptions, type WebSocket as ProtocolSocket } from 'graphql-ws';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '../ops/logger';

/** What graphql-ws hands our callbacks as `ctx.extra` for each connection (the connection itself). */
export interface SocketExtra {
  socket: WebSocket;
  /** The upgrade request's Host header (the WebSocket door signs against it). */
  host: string | undefined;
  /** The upgrade request's path and query as sent (a presigned URL carries its signature there). */
  url: string | undefined;
  /**
   * Sends protocol messages serialised by the caller (the fan-out's `next` messages), in order
   * and in one write where the socket allows. Returns a promise only when the socket is backed
   * up: the caller waits for it before sending more.
   */
  sendSerialised(messages: readonly string[]): Promise<void> | undefined;
  /** Sends one serialised message now unless the socket is backed up (false: nothing was sent; a closed socket drops it). */
  trySend(message: string): boolean;
}

/**
 * Past this many bytes waiting in a socket's send buffer, the next message waits until it has
 * been written: a subscriber that does not read then stops pulling events, its feed queue fills,
 * and the feed closes it with 4008 (graphql-ws-server.ts).
 */
const sendHighWaterBytes = 64 * 1024;
const sent: Promise<void> = Promise.resolve();

/** One connection as graphql-ws sees it, and its `extra`: the only thing kept per socket besides the socket. */
class Connection implements ProtocolSocket, SocketExtra {
  closed?: (code?: number, reason?: string) => Promise<void>;
  receive?: (data: string) => Promise<void>;
  constructor(
    readonly socket: WebSocket,
    readonly host: string | undefined,
    readonly url: string | undefined,
    /** The TCP socket under the WebSocket, corked around a batch so its frames leave in one write. */
    private readonly tcp: Duplex,
  ) {}
  get protocol(): string {
    return this.socket.protocol;
  }
  send(data: string): Promise<void> {
    return this.sendSerialised([data]) ?? sent;
  }
  trySend(message: string): boolean {
    const ws = this.socket;
    if (ws.readyState !== ws.OPEN) return true;
    if (ws.bufferedAmount >= sendHighWaterBytes) return false;
    ws.send(message);
    return true;
  }
  sendSerialised(messages: readonly string[]): Promise<void> | undefined {
    const ws = this.socket;
    if (ws.readyState !== ws.OPEN) return undefined;
    const last = messages.length - 1;
    if (ws.bufferedAmount < sendHighWaterBytes) {
      if (last === 0) ws.send(messages[0]);
      else {
        this.tcp.cork();
        for (const message of messages) ws.send(message);
        this.tcp.uncork();
      }
      return undefined;
    }
    return new Promise((resolve, reject) => {
      this.tcp.cork();
      for (let i = 0; i < last; i++) ws.send(messages[i]);
      ws.send(messages[last], (error) => (error ? reject(error) : resolve()));
      this.tcp.uncork();
    });
  }
  close(code?: number, reason?: string): void {
    this.socket.close(code, reason);
  }
  onMessage(receive: (data: string) => Promise<void>): void {
    this.receive = receive;
  }
}

/**
 * graphql-ws on a `ws` server: the protocol is graphql-ws's (`makeServer`); this only moves
 * strings between it and the sockets. It replaces graphql-ws's own `use/ws` adapter for the
 * fan-out: a message is handed to the socket without waiting for the write to complete unless
 * the socket is backed up (one promise and callback less per delivered event), the fan-out can
 * send `next` messages it serialised itself (`sendSerialised`), and nothing is kept per
 * connection but one small object that is also graphql-ws's `extra` (no closures, no keep-alive
 * timer: the door runs one keep-alive for all sockets).
 */
export function serveGraphqlWs<P extends Record<string, unknown> | undefined>(
  options: ServerOptions<P, SocketExtra>,
  wss: WebSocketServer,
  logger: Logger,
): { dispose(): Promise<void> } {
  const protocol = makeServer<P, SocketExtra>(options);
  wss.options.handleProtocols = handleProtocols;
  const internalError = (socket: WebSocket, error: unknown, what: string) => {
    logger.error({ err: error }, what);
    socket.close(CloseCode.InternalServerError, 'Internal server error');
  };

  const connections = new WeakMap<WebSocket, Connection>();
  // Listeners shared by every socket (`this` is the socket): a closure per socket is memory per idle subscriber.
  function onMessage(this: WebSocket, data: Buffer): void {
    const connection = connections.get(this);
    connection?.receive?.(String(data)).catch((error: unknown) => internalError(this, error, 'graphql-ws failed to handle a message'));
  }
  function onClose(this: WebSocket, code: number, reason: Buffer): void {
    const connection = connections.get(this);
    connections.delete(this);
    void connection?.closed?.(code, String(reason));
  }
  function onError(this: WebSocket, error: Error): void {
    internalError(this, error, 'WebSocket error');
  }

  wss.on('connection', (ws, request) => {
    // `on`, not `once`: each once() wraps the listener in two more objects per socket, and a
    // socket closes once anyway (onClose forgets it; a second error only closes it again).
    ws.on('error', onError);
    const connection = new Connection(ws, request.headers.host, request.url, request.socket);
    connections.set(ws, connection);
    connection.closed = protocol.opened(connection, connection);
    ws.on('message', onMessage);
    ws.on('close', onClose);
  });

  return {
    async dispose() {
      for (const ws of wss.clients) ws.close(1001, 'Going away');
      wss.removeAllListeners();
      await new Promise<void>((resolve, reject) => wss.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
