import type { DatabaseKind } from '../../helpers/databases';
import { startServer, type TestServer, type TestUser } from '../../helpers/server';
import { wsClient } from '../../helpers/ws-client';

/** One answer from one door, reduced to what the cost suites judge. */
export interface DoorAnswer {
  door: string;
  /** HTTP status (the WebSocket door: 200 for a result, 400 for an error message). */
  status: number;
  /** `extensions.code` of each error, in order. */
  codes: string[];
  messages: string[];
  /** Whether any data came back. */
  data: boolean;
  /** Bytes of the answer as sent. */
  bytes: number;
}

/** The doors a GraphQL document can come through: POST /graphql (direct path and Apollo's) and graphql-ws. */
export interface CostDoors {
  /** The server with the direct path (its WebSocket door is asked too). */
  direct: TestServer;
  /** A server with TASKGATE_DIRECT_EXECUTION=off: every request goes through Apollo. */
  apollo: TestServer;
  /** Sends the same operation through every door; answers in door order. */
  ask(query: string, variables?: Record<string, unknown>, user?: TestUser): Promise<DoorAnswer[]>;
  stop(): Promise<void>;
}

export async function startCostDoors(kind: DatabaseKind, env: Record<string, string> = {}): Promise<CostDoors> {
  const [direct, apollo] = await Promise.all([startServer(kind, env), startServer(kind, { ...env, TASKGATE_DIRECT_EXECUTION: 'off' })]);
  const http = async (door: string, server: TestServer, query: string, variables: Record<string, unknown> | undefined, user: TestUser): Promise<DoorAnswer> => {
    const response = await server.request('POST', '/graphql', { body: { query, variables }, user });
    const body = typeof response.body === 'object' && response.body !== null ? response.body : {};
    const errors: { message: string; extensions?: { code?: string } }[] = body.errors ?? [];
    return {
      door,
      status: response.status,
      codes: errors.map((e) => String(e.extensions?.code)),
      messages: errors.map((e) => e.message),
      data: body.data != null,
      bytes: Buffer.byteLength(response.text),
    };
  };
  const websocket = async (server: TestServer, query: string, variables: Record<string, unknown> | undefined, user: TestUser): Promise<DoorAnswer> => {
    const client = wsClient(server.wsUrl, { connectionParams: server.wsConnectionParams(user) });
    try {
      return await new Promise<DoorAnswer>((resolve) => {
        let answer: DoorAnswer | undefined;
        client.subscribe<Record<string, unknown>>(
          { query, variables },
          {
            next: (result) => {
              const errors = (result.errors ?? []) as { message: string; extensions?: { code?: string } }[];
              answer = { door: 'websocket', status: 200, codes: errors.map((e) => String(e.extensions?.code)), messages: errors.map((e) => e.message), data: result.data != null, bytes: Buffer.byteLength(JSON.stringify(result)) };
            },
            error: (error) => {
              const errors = (Array.isArray(error) ? error : [error]) as { message?: string; extensions?: { code?: string }; code?: number; reason?: string }[];
              resolve({
                door: 'websocket',
                status: 400,
                codes: errors.map((e) => String(e.extensions?.code ?? e.code)),
                messages: errors.map((e) => String(e.message ?? e.reason)),
                data: false,
                bytes: Buffer.byteLength(JSON.stringify(error)),
              });
            },
            complete: () => resolve(answer ?? { door: 'websocket', status: 200, codes: [], messages: [], data: false, bytes: 0 }),
          },
        );
      });
    } finally {
      await client.dispose();
    }
  };
  return {
    direct,
    apollo,
    async ask(query, variables, user = 'reader') {
      return Promise.all([
        http('http-direct', direct, query, variables, user),
        http('http-apollo', apollo, query, variables, user),
        websocket(direct, query, variables, user),
      ]);
    },
    async stop() {
      await Promise.all([direct.stop(), apollo.stop()]);
    },
  };
}
