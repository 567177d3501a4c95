// How values and labels read. The API's chart data carries no unit, so a
// dataset or label whose name has "%" in it is taken as a percentage and
// everything else as a plain number.

const full = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });
const whole = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });

export function isPercent(name: string): boolean {
  return name.includes("%");
}

/** A value as a table cell or tooltip shows it. */
export function formatValue(v: number | null | undefined, name = ""): string {
  if (v === null || v === undefined || Number.isNaN(v)) return "–";
  if (isPercent(name)) return `${full.format(v)} %`;
  return full.format(v);
}

/** A value as the big number of a NUMBER tile shows it. */
export function formatBig(v: number | null | undefined, name = ""): string {
  if (v === null || v === undefined || Number.isNaN(v)) return "–";
  if (isPercent(name)) return `${v > 0 ? "+" : ""}${full.format(v)} %`;
  return Math.abs(v) >= 1000 ? whole.format(v) : full.format(v);
}

/** A value on an axis tick. */
export function formatTick(v: number | string): string {
  const n = typeof v === "number" ? v : Number(v);
  return Number.isFinite(n) ? compact.format(n) : String(v);
}

const monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Period labels: 2026-03 -> Mar 2026, 2026-03-09 -> 9 Mar 2026; others as they are. */
export function formatLabel(label: string): string {
  let m = /^(\d{4})-(\d{2})$/.exec(label);
  if (m) return `${monthNames[Number(m[2]) - 1] ?? m[2]} ${m[1]}`;
  m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(label);
  if (m) return `${Number(m[3])} ${monthNames[Number(m[2]) - 1] ?? m[2]} ${m[1]}`;
  return label;
}

export function formatRange(start: string, end: string): string {
  return start === end ? start : `${start} – ${end}`;
}
