/** The restore-test log's filters and the API query they make. */

export interface Filters {
  resource: string;
  outcome: '' | 'PASSED' | 'FAILED' | 'ERROR';
  from: string;
  to: string;
}

export const NO_FILTERS: Filters = { resource: '', outcome: '', from: '', to: '' };

/** The API's query for the filters: dates are whole days in UTC, `to` inclusive. */
export function restoreTestQuery(f: Filters): URLSearchParams {
  const q = new URLSearchParams({ limit: '50' });
  if (f.resource.trim() !== '') q.set('resource', f.resource.trim());
  if (f.outcome !== '') q.set('outcome', f.outcome);
  if (f.from !== '') q.set('from', `${f.from}T00:00:00.000Z`);
  if (f.to !== '') q.set('to', `${f.to}T23:59:59.999Z`);
  return q;
}
