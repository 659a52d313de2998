import { brl } from '~/lib/money';

const dateTime = new Intl.DateTimeFormat('pt-BR', { dateStyle: 'short', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat('pt-BR', { dateStyle: 'short' });

export function formatDateTime(value: Date | string | null | undefined): string {
  if (!value) return '—';
  return dateTime.format(new Date(value));
}

export function formatDate(value: Date | string | null | undefined): string {
  if (!value) return '—';
  return dateOnly.format(new Date(value));
}

const quantity = new Intl.NumberFormat('pt-BR', { maximumFractionDigits: 3 });
const percent = new Intl.NumberFormat('pt-BR', { style: 'percent', maximumFractionDigits: 0 });
const integer = new Intl.NumberFormat('pt-BR');
const relative = new Intl.RelativeTimeFormat('pt-BR', { numeric: 'auto' });
const time = new Intl.DateTimeFormat('pt-BR', { timeStyle: 'medium' });

/** R$ 1.234,56 */
export function formatMoney(value: number | null | undefined): string {
  return value == null ? '—' : brl(value);
}

/** 1.234,5 — up to 3 decimals (items sold by weight). */
export function formatQuantity(value: number | null | undefined): string {
  return value == null ? '—' : quantity.format(value);
}

export function formatPercent(value: number | null | undefined): string {
  return value == null ? '—' : percent.format(value);
}

export function formatInteger(value: number | null | undefined): string {
  return value == null ? '—' : integer.format(value);
}

export function formatTime(value: Date | string | null | undefined): string {
  return value ? time.format(new Date(value)) : '—';
}

/** "há 5 minutos", "ontem"; the exact date beyond a week. */
export function formatRelativeTime(value: Date | string | null | undefined, now: number = Date.now()): string {
  if (!value) return '—';
  const seconds = Math.round((new Date(value).getTime() - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return 'agora mesmo';
  if (abs < 3600) return relative.format(Math.round(seconds / 60), 'minute');
  if (abs < 86_400) return relative.format(Math.round(seconds / 3600), 'hour');
  if (abs < 7 * 86_400) return relative.format(Math.round(seconds / 86_400), 'day');
  return formatDate(value);
}

/**
 * A number typed the Brazilian way ("1.234,5", "12,50") or the dotted way ("12.50"); null when it is not one.
 * Dots before groups of 3 digits ("1.500", "2.000.000") are thousands separators, as a person in Brazil means
 * them, except after a lone 0 ("0.500" is half). `isAmbiguousDecimal` tells where that reading is a guess.
 */
export function parseDecimal(text: string): number | null {
  const trimmed = text.trim().replace(/\s/g, '');
  if (trimmed === '') return null;
  let normalized: string;
  if (trimmed.includes(',')) normalized = trimmed.replace(/\./g, '').replace(',', '.');
  else if (/^[1-9]\d{0,2}(\.\d{3})+$/.test(trimmed)) normalized = trimmed.replace(/\./g, '');
  else normalized = trimmed;
  if (!/^\d+(\.\d+)?$/.test(normalized)) return null;
  const value = Number(normalized);
  return Number.isFinite(value) ? value : null;
}

/**
 * "1.250": one thousand two hundred and fifty in Brazil, but 1.25 on a keypad with only a dot. Where the
 * difference is a thousandfold (a count in kilograms), ask for a comma or no separator instead of guessing.
 */
export function isAmbiguousDecimal(text: string): boolean {
  return /^-?[1-9]\d{0,2}\.\d{3}$/.test(text.trim());
}

/** parseDecimal with an optional leading minus ("-2", "-1,5"): a count entry may take units back. */
export function parseSignedDecimal(text: string): number | null {
  const trimmed = text.trim();
  const negative = trimmed.startsWith('-');
  const value = parseDecimal(negative ? trimmed.slice(1) : trimmed);
  return value === null ? null : negative ? -value : value;
}

/** Digits after the decimal separator of a number (0.125 → 3). */
export function decimalPlaces(value: number): number {
  const [, fraction = ''] = String(value).split('.');
  return fraction.length;
}

/** A quantity as it is typed back into a field: "1,5", never "1.5". */
export function quantityInputValue(value: number): string {
  return String(value).replace('.', ',');
}

/** The first 8 characters of a request id, how people refer to a request ("#1a2b3c4d"). */
export function shortId(id: string): string {
  return `#${id.slice(0, 8)}`;
}
