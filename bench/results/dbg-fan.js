const { benchDatabase } = require('../lib/db');
const { startGateway, cpuTimeOf, sleep } = require('../lib/processes');
const { Swarm } = require('../lib/swarm');
const { subscribeAll, sustained, singleId } = require('../lib/fanout');
const [subs = 1000, rate = 200, secs = 10] = process.argv.slice(2).map(Number);
(async () => {
  const db = await benchDatabase('mariadb', 'taskgate_bench_dbg' + process.pid);
  const prof = process.env.PROF_DIR; const g = await startGateway({ databaseUrl: db.url, nodeArgs: prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [] });
  const swarm = new Swarm();
  try {
    await db.seed(20, { prefix: 2 });
    await db.seed(rate * secs, { prefix: 3 });
    let next = 0;
    await subscribeAll(swarm, { urls: [`ws://127.0.0.1:${g.port}/graphql`], count: subs, writer: g, gateways: [g], nextSingle: () => singleId(next++) });
    const c0 = cpuTimeOf(g.child.pid); const k0 = swarm.children.map((c) => cpuTimeOf(c.pid)); const t0 = performance.now();
    let last = -1; let dumped = false;
    const timer = setInterval(async () => { const counts0 = await swarm.counts('00000003'); const total = counts0.reduce((a, b) => a + b, 0);
      if (total === last && !dumped) { dumped = true; const out = require('child_process').execSync(`ss -tnH state established '( sport = :${g.port} or dport = :${g.port} )'`, { encoding: 'utf8' }); const lines = out.trim().split('\n').map((l) => l.trim().split(/\s+/)); let srvR = 0, srvS = 0, cliR = 0, cliS = 0, nz = 0; for (const l of lines) { const [r, sq, local] = [Number(l[0]), Number(l[1]), l[2]]; if (local.endsWith(':' + g.port)) { srvR += r; srvS += sq; if (sq) nz++; } else { cliR += r; cliS += sq; } } console.log('fds gw', require('fs').readdirSync(`/proc/${g.child.pid}/fd`).length, 'fds swarm', swarm.children.map((c) => require('fs').readdirSync(`/proc/${c.pid}/fd`).length)); console.log('sockets', lines.length, 'server recvQ', srvR, 'sendQ', srvS, 'nonzero sendQ', nz, 'client recvQ', cliR, 'sendQ', cliS); const mysql = require('/work/wt/bench2/node_modules/mysql2/promise'); const c = await mysql.createConnection(db.url.replace('mariadb:', 'mysql:')); const [rows] = await c.query('SHOW FULL PROCESSLIST'); console.log(rows.filter((r) => r.db === db.url.split('/').pop())); const [tx] = await c.query('SELECT * FROM information_schema.innodb_trx'); console.log(tx); const [ev] = await c.query('SELECT MAX(id) m, COUNT(*) n FROM task_events'); console.log(ev); await c.end(); }
      last = total; const counts = await swarm.counts('00000003'); console.log(((performance.now() - t0) / 1000).toFixed(1), 's delivered', counts.reduce((a, b) => a + b, 0), 'gw cpu', ((cpuTimeOf(g.child.pid) - c0) / 1e6).toFixed(1), 'swarm cpu', swarm.children.map((c, i) => ((cpuTimeOf(c.pid) - k0[i]) / 1e6).toFixed(1)).join(','), JSON.stringify(swarm.closeCodes), JSON.stringify(swarm.subscriptionErrors)); }, 2000);
    const r = await sustained(swarm, { writer: g, subscribers: subs, perSecond: rate, seconds: secs });
    clearInterval(timer);
    console.log('STDERR', g.child.stderrText());
    console.log(r, 'elapsed', ((performance.now() - t0) / 1000).toFixed(1));
  } finally { await swarm.close(); await g.stop(); await db.drop(); if (prof) { const fs = require('fs'); const f = fs.readdirSync(prof).find((x) => x.endsWith('.cpuprofile')); require('../profile').summarise(JSON.parse(fs.readFileSync(prof + '/' + f, 'utf8'))); } }
})();
