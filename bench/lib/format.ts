/** Numbers as the report prints them. */

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  const hi = sorted[mid] ?? Number.NaN;
  const lo = sorted[mid - 1] ?? hi;
  return sorted.length % 2 === 1 ? hi : (lo + hi) / 2;
};

export const int = (value: number) => Math.round(value).toLocaleString('en-US');
export const fixed = (value: number, digits: number) => value.toFixed(digits);
export const ratio = (value: number, base: number) => `${(value / base).toFixed(2)}×`;
export const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

/** A markdown table; cells must not contain '|'. */
export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
