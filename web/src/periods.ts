/** The reporting periods an auditor chooses from, named as the API takes them: 2026, 2026-Q3, 2026-09. */

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** The periods an auditor picks from: this year (up to now) and the last, as years, quarters and months, newest first. */
export function periodOptions(now: Date): Array<{ value: string; label: string }> {
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth() + 1;
  const options: Array<{ value: string; label: string }> = [];
  for (const y of [year, year - 1]) {
    const lastMonth = y === year ? month : 12;
    options.push({ value: String(y), label: `${y} (whole year)` });
    for (let q = Math.ceil(lastMonth / 3); q >= 1; q--) options.push({ value: `${y}-Q${q}`, label: `Q${q} ${y}` });
    for (let m = lastMonth; m >= 1; m--) {
      options.push({ value: `${y}-${String(m).padStart(2, '0')}`, label: `${MONTHS[m - 1]} ${y}` });
    }
  }
  return options;
}

export function currentQuarter(now: Date): string {
  return `${now.getUTCFullYear()}-Q${Math.floor(now.getUTCMonth() / 3) + 1}`;
}
