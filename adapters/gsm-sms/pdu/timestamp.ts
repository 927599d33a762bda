/**
 * TP-Service-Centre-Time-Stamp and TP-Discharge-Time (TS 23.040 9.2.3.11, 9.2.3.13): seven octets of
 * swapped BCD (year, month, day, hour, minute, second, time zone). The time zone is in quarters of an
 * hour; bit 3 of the last octet (the first semi-octet) is the sign, 1 = negative.
 */

/** A decoded service-centre time stamp. */
export interface SmsTimestamp {
  /** The SC's local time with its offset, ISO 8601 (e.g. `2024-03-15T14:30:00+01:00`). */
  iso: string;
  /** The same instant in UTC, ISO 8601 with `Z`. */
  utc: string;
  /** Offset from UTC in minutes (a multiple of 15). */
  offsetMinutes: number;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, "0");

function swappedBcd(b: number): number | null {
  const lo = b & 0x0f;
  const hi = b >> 4;
  return lo > 9 || hi > 9 ? null : lo * 10 + hi;
}

/** Formats an offset in minutes as `+HH:MM`/`-HH:MM`. */
function formatOffset(minutes: number): string {
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? "-" : "+"}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/**
 * Decodes seven time-stamp octets, or returns a reason string. The two-digit year is read as 20yy
 * (the field has no century).
 */
export function decodeTimestamp(octets: Uint8Array, what = "time stamp"): SmsTimestamp | string {
  if (octets.length !== 7) return `${what} must be 7 octets`;
  const fields: number[] = [];
  for (let i = 0; i < 6; i++) {
    const v = swappedBcd(octets[i] ?? 0xff);
    if (v === null) return `${what} has a non-decimal digit in octet ${i + 1}`;
    fields.push(v);
  }
  const [yy = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = fields;
  const tzOctet = octets[6] ?? 0;
  const tzTens = tzOctet & 0x07;
  const tzUnits = tzOctet >> 4;
  if (tzUnits > 9) return `${what} has a non-decimal time zone`;
  const offsetMinutes = ((tzOctet & 0x08) !== 0 ? -1 : 1) * (tzTens * 10 + tzUnits) * 15;
  const year = 2000 + yy;
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(wall);
  if (
    month < 1 ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return `${what} is not a valid date and time`;
  }
  const iso = `${year}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:${pad(second)}${formatOffset(offsetMinutes)}`;
  return { iso, utc: new Date(wall - offsetMinutes * 60_000).toISOString(), offsetMinutes };
}

/**
 * Encodes an instant as seven time-stamp octets in the zone `offsetMinutes` from UTC (rounded to a
 * quarter hour). For simulators and tests that build SMS-DELIVER / SMS-STATUS-REPORT PDUs.
 */
export function encodeTimestamp(instant: Date, offsetMinutes = 0): number[] {
  const quarters = Math.round(offsetMinutes / 15);
  const local = new Date(instant.getTime() + quarters * 15 * 60_000);
  const year = local.getUTCFullYear();
  if (year < 2000 || year > 2099) throw new RangeError("time stamp year must be 2000-2099");
  const swap = (n: number): number => ((n % 10) << 4) | Math.floor(n / 10);
  const q = Math.abs(quarters);
  const tz = ((q % 10) << 4) | (Math.floor(q / 10) & 0x07) | (quarters < 0 ? 0x08 : 0);
  return [
    swap(year - 2000),
    swap(local.getUTCMonth() + 1),
    swap(local.getUTCDate()),
    swap(local.getUTCHours()),
    swap(local.getUTCMinutes()),
    swap(local.getUTCSeconds()),
    tz,
  ];
}
