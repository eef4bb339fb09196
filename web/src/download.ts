/**
 * Saving what the API answers as a file. API routes need the bearer token, which a plain link cannot
 * send, so the app fetches the bytes and saves them through a blob: URL of this origin (the CSP
 * allows it: nothing is loaded from elsewhere). Presigned links (dossiers, audit exports) are
 * ordinary links instead: the browser downloads them straight from the store.
 */
import { request } from './api/client.ts';

export async function downloadFromApi(path: string, fileName: string): Promise<{ bytes: number }> {
  const response = await request(path);
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  try {
    const a = document.createElement('a');
    a.href = url;
    a.download = fileName;
    a.rel = 'noopener';
    document.body.append(a);
    a.click();
    a.remove();
  } finally {
    // Give the download a moment to start before the URL goes away.
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }
  return { bytes: blob.size };
}
