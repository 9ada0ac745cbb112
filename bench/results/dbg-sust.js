const { benchDatabase, taskId } = require('/work/wt/bench2/bench/lib/db');
const { startGateway, httpLoad, cpuTimeOf } = require('/work/wt/bench2/bench/lib/processes');
(async () => {
  const db = await benchDatabase('mariadb', 'taskgate_bench_dbg' + process.pid);
  const g = await startGateway({ databaseUrl: db.url });
  try {
    await db.seed(600, { prefix: 3 });
    const start = (id) => JSON.stringify({ query: 'mutation Start($id: ID!) { updateTask(id: $id, input: { status: IN_PROGRESS }) { id } }', variables: { id } });
    const bodies = Array.from({ length: 600 }, (_, i) => start(taskId(i, 3)));
    const r = await httpLoad({ url: `${g.url}/graphql`, bodies, amount: 600, overallRate: 200, connections: 20, duration: 10 });
    console.log(r);
    const mysql = require('/work/wt/bench2/node_modules/mysql2/promise');
    const c = await mysql.createConnection(db.url.replace('mariadb:', 'mysql:'));
    console.log(await c.query("select status, count(*) n from tasks group by status"));
    await c.end();
  } finally { await g.stop(); await db.drop(); }
})();
