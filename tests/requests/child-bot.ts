import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { fileRequest } from './drive.js';

/**
 * A whole Thunder process for the crash test: `file` confirms one request and keeps trying to
 * deliver it; `resume` only starts (the outbox resumes what is pending). Reports on stdout.
 */
const mode = process.argv[2];
const app = createApp(loadConfig());
app.core.registerSender('web', { send: async (chatId) => void process.stdout.write(`PUSHED ${chatId}\n`) });
app.core.events.on('request.accepted', (e) => process.stdout.write(`ACCEPTED ${e.id} ${e.ref}\n`));
app.core.events.on('request.retry', (e) => process.stdout.write(`RETRY ${e.id}\n`));
for (const service of app.services) await service.start();
if (mode === 'file') {
  const id = await fileRequest(app.core, 'crash-user');
  process.stdout.write(`CONFIRMED ${id}\n`);
}
// The outbox's timers do not hold a process open (main.ts has its HTTP server); this one has nothing else.
setInterval(() => undefined, 60_000);
process.stdout.write('READY\n');
process.on('SIGTERM', async () => {
  for (const service of [...app.services].reverse()) await service.stop();
  await app.store.close();
  process.exit(0);
});
