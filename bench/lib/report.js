'use strict';
const { mkdirSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const { join } = require('node:path');
const { root, versionOf } = require('./processes');

function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGb: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    os: `${os.type()} ${os.release()}`,
    loadAverage: os.loadavg().map((n) => Number(n.toFixed(2))),
  };
}

function versions(mariadb) {
  const pkg = (name) => {
    try {
      return require(join(root, 'node_modules', name, 'package.json')).version;
    } catch {
      return 'unknown';
    }
  };
  return {
    taskgate: require(join(root, 'package.json')).version,
    commit: versionOf('git', ['-C', root, 'rev-parse', '--short', 'HEAD']),
    node: process.version,
    mariadb: mariadb ?? 'not reachable',
    '@apollo/server': pkg('@apollo/server'),
    graphql: pkg('graphql'),
    'type-graphql': pkg('type-graphql'),
    mysql2: pkg('mysql2'),
    'better-sqlite3': pkg('better-sqlite3'),
    autocannon: pkg('autocannon'),
    'graphql-ws': pkg('graphql-ws'),
    fastify: pkg('fastify'),
    mercurius: pkg('mercurius'),
    'graphql-jit': pkg('graphql-jit'),
    express: pkg('express'),
  };
}

const columnsOf = (rows) => {
  const seen = [];
  for (const row of rows) for (const key of Object.keys(row)) if (!seen.includes(key) && key !== 'label' && key !== 'status' && key !== 'note') seen.push(key);
  return seen;
};

const cell = (value) => (value === undefined ? '' : Array.isArray(value) ? value.join(', ') : String(value));

function markdown(report) {
  const lines = [
    '# taskgate benchmark results',
    '',
    `Date: ${report.date}  `,
    `Command: \`${report.command}\` (${report.mode} mode: ${report.settings.rounds} alternating rounds of ${report.settings.durationSeconds} s per side, ${report.settings.connections} connections; total ${report.totalSeconds} s)  `,
    `Machine: ${report.machine.cpu}, ${report.machine.cores} cores, ${report.machine.memoryGb} GB, ${report.machine.os}; load average (1/5/15 min) at start ${report.machine.loadAverage.join(' ')}, at end ${(report.loadAverageAtEnd ?? []).join(' ')} (shared machine: ratios, not absolute numbers, are the figures)  `,
    `Versions: ${Object.entries(report.versions).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    '',
    'Ratios are medians of per-round ratios (A/B) with their spread (min-max); A and B alternate (ABBA) with the load generator in its own process.',
    '`a`/`b` list the per-round req/s of A (taskgate) and B (floor or the other door).',
    '`gatewayCpuUsPerReq`/`floorCpuUsPerReq`: CPU time (user+system, /proc) each server process spent per request, median over rounds; `cpuRatio` = floor/gateway CPU per request, a steadier view of the same gap when other work shares the cores.',
    '',
  ];
  for (const scenario of report.scenarios) {
    lines.push(`## ${scenario.id}. ${scenario.title}`, '');
    if (scenario.target) lines.push(`Target: ${scenario.target}`, '');
    if (scenario.error) {
      lines.push(`**Failed to run:** ${scenario.error}`, '');
      continue;
    }
    const cols = ['status', ...columnsOf(scenario.rows)];
    if (scenario.rows.some((r) => r.note)) cols.push('note');
    lines.push(`| case | ${cols.join(' | ')} |`);
    lines.push(`| --- | ${cols.map(() => '---').join(' | ')} |`);
    for (const row of scenario.rows) lines.push(`| ${row.label} | ${cols.map((c) => cell(row[c])).join(' | ')} |`);
    lines.push('');
  }
  if (report.notes?.length) lines.push('## Notes', '', ...report.notes.map((n) => `- ${n}`), '');
  return lines.join('\n');
}

/** Writes `<name>.json` and `<name>.md` (latest: a full run; partial: quick, --only or overridden settings). */
function writeReport(report, name = 'latest', dir = join(__dirname, '..', 'results')) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(dir, `${name}.md`), `${markdown(report)}\n`);
  return join(dir, name);
}

module.exports = { machine, versions, writeReport, markdown };
