const { benchDatabase } = require('../lib/db');
const { startGateway, sleep } = require('../lib/processes');
const { Swarm } = require('../lib/swarm');
const { subscribeAll, oneChange, singleId } = require('../lib/fanout');
(async () => {
  const db = await benchDatabase('mariadb', 'taskgate_bench_dbg' + process.pid);
  const g = await startGateway({ databaseUrl: db.url });
  const swarm = new Swarm();
  try {
    await db.seed(20, { prefix: 2 });
    let next = 0;
    await subscribeAll(swarm, { urls: [`ws://127.0.0.1:${g.port}/graphql`], count: 100, writer: g, gateways: [g], nextSingle: () => singleId(next++) });
    for (let i = 0; i < 6; i++) { await sleep(8000); const r = await oneChange(swarm, g, singleId(next++), 100, 3000); console.log((i + 1) * 8, 's idle: received', r.received, JSON.stringify(swarm.closeCodes), JSON.stringify(swarm.subscriptionErrors)); }
    console.log('STDERR', g.child.stderrText());
  } finally { await swarm.close(); await g.stop(); await db.drop(); }
})();
