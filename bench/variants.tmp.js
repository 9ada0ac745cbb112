// temporary: CPU per request of the gateway under variants (not committed)
const { benchDatabase, taskId } = require('./lib/db');
const { cpuTimeOf, httpLoad, startGateway, startFloor } = require('./lib/processes');
const { readBodies } = require('./lib/operations');
const { signer } = require('./lib/auth');
(async () => {
  const kind = process.argv[2] || 'mariadb';
  const variants = JSON.parse(process.argv[3] || '{"default":{}}');
  const db = await benchDatabase(kind);
  const ids = Array.from({ length: 200 }, (_, i) => taskId((i * 7) % 1000));
  const bodies = readBodies(ids);
  { const g = await startGateway({ databaseUrl: db.url }); await db.seed(1000); await g.stop(); }
  for (let round = 0; round < 2; round++)
  for (const [name, env] of Object.entries(variants)) {
    const server = name === 'floor' ? await startFloor('floor-server.js', db.floorEnv) : await startGateway({ databaseUrl: db.url, env });
    await httpLoad({ url: `${server.url}/graphql`, bodies, duration: 2, connections: 50, signer: signer.spec });
    const before = cpuTimeOf(server.child.pid);
    const r = await httpLoad({ url: `${server.url}/graphql`, bodies, duration: 4, connections: 50, signer: signer.spec });
    console.log(name, Math.round(r.requests / 4), 'req/s', Math.round((cpuTimeOf(server.child.pid) - before) / r.requests), 'us/req', r.non2xx ?? '');
    await server.stop();
  }
  await db.drop();
})();
