// Starts the Bluesky reference network (PLC, PDS, AppView, and the Ozone
// and bsync services the AppView needs) from @atproto/dev-env, fresh each
// time, and writes its addresses to $SOCQ_ATPROTO_STATE (JSON) once ready.
// A small control server on 127.0.0.1 lets tests wait until the AppView
// has indexed what they wrote: POST /process. Run by scripts/atproto-dev-env.
import http from 'node:http';
import fs from 'node:fs';
import { TestNetwork } from '@atproto/dev-env';

const state = process.env.SOCQ_ATPROTO_STATE;
if (!state) throw new Error('SOCQ_ATPROTO_STATE is not set');

const network = await TestNetwork.create({
  dbPostgresSchema: process.env.DB_POSTGRES_SCHEMA || 'socq',
  pds: { hostname: 'localhost' },
});

const control = http.createServer(async (req, res) => {
  try {
    if (req.method === 'POST' && req.url === '/process') {
      await network.processAll(10000);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"processed":true}');
    } else {
      res.writeHead(404).end();
    }
  } catch (err) {
    res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err?.stack || err));
  }
});
await new Promise((ok) => control.listen(0, '127.0.0.1', ok));

const info = {
  pds: network.pds.url,
  appview: network.bsky.url,
  plc: network.plc.url,
  control: `http://127.0.0.1:${control.address().port}`,
  pid: process.pid,
};
fs.writeFileSync(state + '.tmp', JSON.stringify(info, null, 1) + '\n');
fs.renameSync(state + '.tmp', state);
console.log('ready', JSON.stringify(info));

const stop = async () => {
  control.close();
  try {
    await network.close();
  } finally {
    process.exit(0);
  }
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
