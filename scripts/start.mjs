// npm start: compile only if a source changed since the last build, then run the server in this
// same process (one node start, and SIGTERM reaches the server's own shutdown).
import { buildIfStale } from './build.mjs';

buildIfStale();
await import('../dist/main.js');
