import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EmbeddedPostgres } from '../../src/db/embeddedPostgres.js';

let parent: string;
let blocker: net.Server;
let takenPort: number;
beforeAll(async () => {
  parent = await mkdtemp(path.join(os.tmpdir(), 'billstream-embedded-'));
  await chmod(parent, 0o755);
  blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  takenPort = (blocker.address() as net.AddressInfo).port;
});
afterAll(async () => {
  blocker.close();
  await rm(parent, { recursive: true, force: true });
});

const query = async (url: string, sql: string) => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
};

it('moves to a free port when its port is taken, stops, and finds its data after a restart', async () => {
  const dataDir = path.join(parent, 'postgres');
  const first = new EmbeddedPostgres({ dataDir, port: takenPort, durable: false });
  const url = await first.start();
  expect(new URL(url).port).not.toBe(String(takenPort));
  await query(url, 'create table kept (note text); insert into kept values ($$still here$$)');
  await first.stop();
  await expect(stat(path.join(dataDir, 'postmaster.pid'))).rejects.toThrow();

  const second = new EmbeddedPostgres({ dataDir, port: takenPort, durable: false });
  const again = await second.start();
  try {
    expect(await query(again, 'select note from kept')).toEqual([{ note: 'still here' }]);
  } finally {
    await second.stop();
  }
});
