/**
 * `reversa serve`: the portal on the local cloud. One node:http server on 127.0.0.1 answers the API
 * under /v1 (the same handler the Lambda runs in AWS) and serves the built web app (web/dist) for
 * every other path, with the security headers CloudFront adds in AWS; nothing is loaded from
 * another origin.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { type ApiRequest, type ApiResponse, MAX_BODY_BYTES } from '#api/handle.ts';
import { SECURITY_HEADERS } from '#core/portal/security-headers.ts';

export const DEFAULT_PORT = 8787;

/** What CloudFront's response-headers policy sets in AWS too (core/portal/security-headers.ts). */
export { SECURITY_HEADERS };

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
};

async function readBody(req: IncomingMessage): Promise<Uint8Array | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    // One byte over the limit is enough for the handler to refuse it with a problem naming the limit.
    if (size > MAX_BODY_BYTES + 1) break;
    chunks.push(chunk as Buffer);
  }
  return chunks.length === 0 ? undefined : Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES + 1);
}

function send(res: ServerResponse, response: ApiResponse): void {
  res.writeHead(response.status, { ...SECURITY_HEADERS, ...response.headers });
  if (typeof response.body === 'string' || response.body instanceof Uint8Array) res.end(response.body);
  else (response.body as Readable).pipe(res);
}

/** A file of the built web app, or its index.html for client-side routes; nothing outside the directory. */
async function staticFile(root: string, path: string): Promise<{ file: string; type: string } | undefined> {
  const decoded = (() => {
    try {
      return decodeURIComponent(path);
    } catch {
      return '/';
    }
  })();
  const file = normalize(join(root, decoded));
  if (file !== root && !file.startsWith(root + sep)) return undefined;
  const info = await stat(file).catch(() => undefined);
  if (info?.isFile()) return { file, type: TYPES[extname(file)] ?? 'application/octet-stream' };
  if (extname(decoded) !== '') return undefined;
  return { file: join(root, 'index.html'), type: TYPES['.html'] as string };
}

export interface ServeOptions {
  handler: (request: ApiRequest) => Promise<ApiResponse>;
  /** The built web app (web/dist); without it only the API is served. */
  webRoot?: string;
  port?: number;
  host?: string;
}

export async function servePortal(
  options: ServeOptions,
): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const webRoot = options.webRoot === undefined ? undefined : resolve(options.webRoot);
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname.startsWith('/v1/') || url.pathname === '/v1') {
        const response = await options.handler({
          method: req.method ?? 'GET',
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          headers: Object.fromEntries(
            Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]),
          ),
          address: req.socket.remoteAddress ?? 'unknown',
          ...(req.method === 'GET' || req.method === 'HEAD'
            ? {}
            : { body: (await readBody(req)) ?? new Uint8Array(0) }),
        });
        send(res, response);
        return;
      }
      const found =
        webRoot && (req.method === 'GET' || req.method === 'HEAD')
          ? await staticFile(webRoot, url.pathname)
          : undefined;
      if (!found) {
        res.writeHead(404, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' });
        res.end(webRoot ? 'not found\n' : 'the web app is not built: npm run web:build\n');
        return;
      }
      // Hashed asset names never change content: cache them; index.html always revalidates.
      const cache = found.file.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache';
      res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': found.type, 'cache-control': cache });
      if (req.method === 'HEAD') res.end();
      else Readable.from(createReadStream(found.file)).pipe(res);
    })().catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`internal error: ${(error as Error).name}\n`);
    });
  });
  await new Promise<void>((resolvePort, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_PORT, options.host ?? '127.0.0.1', () => resolvePort());
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
