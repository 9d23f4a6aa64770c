import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createStandin, type Standin } from '../../src/requests/standin/server.js';

/**
 * The stand-in request API behind a real loopback server that a test can break: planned answers
 * for the next POSTs (status codes, bodies, delays, dropped connections), or the whole server down.
 */

export type Fault =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  /** Files the request in the stand-in, but answers only after `delayMs` (the client may have given up). */
  | { delayMs: number }
  /** Drops the connection without an answer. */
  | 'reset';

export const API_TOKEN = 'test-request-api-token';

export class FaultApi {
  /** Answers for the next POSTs, in order; when empty, POSTs reach the stand-in. */
  readonly plan: Fault[] = [];
  /** Every POST that arrived, planned faults included. */
  postCount = 0;
  /** When each POST arrived (ms since epoch). */
  readonly postTimes: number[] = [];
  private server: Server | undefined;
  private port = 0;

  private constructor(readonly standin: Standin) {}

  static async start(file: string): Promise<FaultApi> {
    const api = new FaultApi(createStandin({ file, token: API_TOKEN }));
    await api.up();
    return api;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  env(): Record<string, string> {
    return { REQUEST_API_URL: this.url, REQUEST_API_TOKEN: API_TOKEN };
  }

  /** Listens again, on the same port after a `down()`. */
  async up(): Promise<void> {
    const server = createServer((req, res) => void this.route(req, res));
    await new Promise<void>((done) => server.listen(this.port, '127.0.0.1', done));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Connection refused from now on. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((done) => {
      server.close(() => done());
      server.closeAllConnections();
    });
  }

  async close(): Promise<void> {
    await this.down();
    await this.standin.close();
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const fault = req.method === 'POST' ? this.plan.shift() : undefined;
    if (req.method === 'POST') {
      this.postCount++;
      this.postTimes.push(Date.now());
    }
    if (fault === 'reset') return void req.socket.destroy();
    if (fault && 'status' in fault) {
      res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
      return void res.end(JSON.stringify(fault.body ?? { error: { code: 'fault', message: 'planned fault' } }));
    }
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
    const body = chunks.length ? Buffer.concat(chunks) : undefined;
    const answer = await this.standin.app.fetch(new Request(`${this.url}${req.url}`, { method: req.method, headers, body }));
    if (fault && 'delayMs' in fault) await new Promise((r) => setTimeout(r, fault.delayMs));
    if (res.destroyed) return;
    const out: Record<string, string> = {};
    answer.headers.forEach((value, key) => (out[key] = value));
    res.writeHead(answer.status, out);
    res.end(Buffer.from(await answer.arrayBuffer()));
  }
}
