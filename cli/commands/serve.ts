/**
 * `reversa serve [--port 8787]`: the portal (API + web app) on the local cloud, attaching to
 * `reversa local up` when it runs on this home. Runs until interrupted.
 */
import { existsSync } from 'node:fs';
import { API_ROUTES } from '#api/api.ts';
import { apiHandler } from '#api/handle.ts';
import { openLocalCloud } from '#local/cloud.ts';
import { describeHolder } from '#local/home-lock.ts';
import { pumpNotifications } from '#local/notifier.ts';
import { startLocalScheduler } from '#local/scheduler.ts';
import { DEFAULT_PORT, servePortal } from '#local/serve.ts';
import { ensureWebApp, WEB_DIST } from '#local/web-app.ts';
import { localAdapters } from '#wiring/local/adapters.ts';
import { localApiDeps } from '#wiring/local/api.ts';
import { localNotifier } from '#wiring/local/notify.ts';
import { parseCommand, usageError } from '../args.ts';
import { write, writeError } from '../output.ts';

/** web/dist, built first when missing or older than web/src; undefined (API only) when it cannot be built. */
async function webAppRoot(quiet: boolean): Promise<string | undefined> {
  try {
    return await ensureWebApp((reason) => {
      if (!quiet) write(`building the web app (${reason}): vite build → web/dist …`);
    });
  } catch (error) {
    writeError(`the web app could not be built: ${(error as Error).message}`);
    return existsSync(WEB_DIST) ? WEB_DIST : undefined;
  }
}

export async function serveCommand(argv: string[]): Promise<number> {
  const { values } = parseCommand(argv, { port: { type: 'string' }, host: { type: 'string' } }, 0);
  if (values.stack)
    throw usageError('the deployed portal is served by CloudFront and API Gateway (see docs/portal.md)');
  const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw usageError('--port expects a port number');
  const cloud = await openLocalCloud({
    persist: true,
    lock: { onWait: (holder) => writeError(`waiting for ${describeHolder(holder)}, which uses this Reversa home…`) },
  });
  const deps = localApiDeps(cloud, {
    onExportDone: (name, status) => write(`${new Date().toISOString()} export ${name}: ${status}`),
    onInternalError: (error, request) =>
      writeError(
        `${new Date().toISOString()} ${request.method} ${request.path} failed: ${(error as Error).name}: ${(error as Error).message}`,
      ),
  });
  // What the portal's incident changes emit is delivered as `reversa local up` does: every minute, and at the end.
  const notifier = localNotifier(cloud, localAdapters(cloud));
  const notifyError = (error: unknown) => writeError(`notification delivery failed: ${(error as Error).message}`);
  const notifications = startLocalScheduler({
    expression: 'rate(1 minute)',
    onError: notifyError,
    run: async () => void (await pumpNotifications(notifier)),
  });
  const webRoot = await webAppRoot(Boolean(values.json));
  const portal = await servePortal({
    handler: apiHandler(API_ROUTES, deps),
    port,
    ...(values.host ? { host: values.host } : {}),
    ...(webRoot ? { webRoot } : {}),
  });
  if (values.json) write(JSON.stringify({ url: portal.url, api: `${portal.url}/v1`, web: webRoot !== undefined }));
  else {
    write(`Reversa portal on ${portal.url}  (API ${portal.url}/v1, OpenAPI ${portal.url}/v1/openapi.json)`);
    if (!webRoot) write('the web app is not built (npm run web:build): serving the API only');
    write('users: npx reversa user add --email <e> --role client --tenant <id> --password-stdin; Ctrl-C to stop');
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await portal.close();
  notifications.stop();
  await pumpNotifications(notifier).catch(notifyError);
  await cloud.stop();
  return 0;
}
