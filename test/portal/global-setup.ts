/** Builds the web app once per run, from the current sources: every browser test then serves this web/dist. */
import { buildWebApp } from '#local/web-app.ts';

export default async function setup(): Promise<void> {
  await buildWebApp();
}
