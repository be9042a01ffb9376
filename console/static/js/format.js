// Words and numbers as the console shows them.

const integer = new Intl.NumberFormat("en", { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat("en", { maximumFractionDigits: 1 });

/** count formats an Int64 (a string of digits) or a number. */
export function count(n) {
  const v = typeof n === "string" ? Number(n) : n;
  return Number.isFinite(v) ? integer.format(v) : String(n);
}

/** rate formats events per second. */
export function rate(r) {
  return decimal.format(r);
}

/** seconds formats a duration in seconds: "0.4 s", "12 s", "3 min 5 s". */
export function seconds(s) {
  if (!Number.isFinite(s)) return "—";
  if (s < 10) return decimal.format(s) + " s";
  if (s < 120) return integer.format(Math.round(s)) + " s";
  const m = Math.floor(s / 60);
  if (m < 120) return `${m} min ${Math.round(s - m * 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** time formats an RFC 3339 instant in the operator's time zone. */
export function time(t) {
  if (!t) return "—";
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? t : d.toLocaleString();
}

const precise = new Intl.DateTimeFormat(undefined, {
  year: "numeric", month: "2-digit", day: "2-digit",
  hour: "2-digit", minute: "2-digit", second: "2-digit", fractionalSecondDigits: 3,
});

/** instant formats an RFC 3339 instant to the millisecond, for events. */
export function instant(t) {
  if (!t) return "—";
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? t : precise.format(d);
}

/** age is how long ago an RFC 3339 instant was, in seconds. */
export function age(t) {
  return (Date.now() - new Date(t).getTime()) / 1000;
}

/** money formats {amount, currency} in minor units. */
export function money(m) {
  if (!m) return "—";
  try {
    const f = new Intl.NumberFormat("en", { style: "currency", currency: m.currency });
    return f.format(Number(m.amount) / 10 ** f.resolvedOptions().maximumFractionDigits);
  } catch {
    return `${m.amount} ${m.currency} (minor units)`;
  }
}

/** words turns an enum value (CATCHING_UP) into words (catching up). */
export function words(v) {
  return String(v).toLowerCase().replace(/_/g, " ");
}
