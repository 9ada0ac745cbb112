import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describeSettings } from '../../../src/config';

const root = resolve(__dirname, '..', '..', '..');

describe('settings documentation', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const example = readFileSync(join(root, '.env.example'), 'utf8');

  it.each(describeSettings().map((s) => [s.env, s]))('lists %s in the README table and in .env.example with its default', (_name, setting) => {
    const row = readme.split('\n').find((line) => line.startsWith(`| \`${setting.env}\` |`));
    expect(row).toBeDefined();
    // An empty default (the setting is off until given) is written "(unset)" in the table.
    expect(row).toContain(setting.default === '' ? '| (unset) |' : `\`${String(setting.default)}\``);
    expect(example).toContain(`# ${setting.env}=${String(setting.default)}\n`);
  });
});
