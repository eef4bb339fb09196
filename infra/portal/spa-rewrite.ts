/**
 * The CloudFront Function (cloudfront-js-2.0) on the web app's behaviour: a path whose last segment has no file
 * extension is a client-side route of the single-page app (`/findings`, `/auth/callback`), served as `/index.html`;
 * a file of the build (`/assets/index-3f2a.js`) or `/config.json` goes to S3 as asked. `/v1/*` has its own behaviour
 * and never runs this. Kept as source text so a unit test runs exactly what CloudFront runs.
 */
export const SPA_REWRITE_SOURCE = `function handler(event) {
  var request = event.request;
  var last = request.uri.substring(request.uri.lastIndexOf('/') + 1);
  if (last.indexOf('.') === -1) request.uri = '/index.html';
  return request;
}`;
