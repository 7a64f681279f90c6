// Money as the API gives it, an exact decimal string and its ISO 4217 currency, shown in the reader's
// locale without ever passing through a float for arithmetic: sums and products are computed on integers
// (BigInt) of the smallest unit the amounts carry.
export function formatMoney(amount: string, currency: string, locale = "en"): string {
  // Intl formats a decimal string as the exact decimal it is (no float rounding of the digits).
  return new Intl.NumberFormat(locale, { style: "currency", currency }).format(amount as `${number}`);
}

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

interface Scaled {
  units: bigint;
  scale: number;
}

function parse(amount: string): Scaled {
  const match = DECIMAL.exec(amount.trim());
  if (match === null) {
    throw new Error(`not a decimal amount: ${JSON.stringify(amount)}`);
  }
  const [, sign = "", whole = "0", fraction = ""] = match;
  const units = BigInt(`${whole}${fraction}`);
  return { units: sign === "-" ? -units : units, scale: fraction.length };
}

function rescale({ units, scale }: Scaled, to: number): bigint {
  return units * 10n ** BigInt(to - scale);
}

function print(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, "0");
  const whole = digits.slice(0, digits.length - scale);
  const fraction = scale > 0 ? `.${digits.slice(digits.length - scale)}` : "";
  return `${negative ? "-" : ""}${whole}${fraction}`;
}

/** An exact decimal amount times a whole quantity, e.g. multiplyAmount("26.10", 3) === "78.30". */
export function multiplyAmount(amount: string, quantity: number): string {
  if (!Number.isSafeInteger(quantity)) {
    throw new Error(`not a whole quantity: ${quantity}`);
  }
  const parsed = parse(amount);
  return print(parsed.units * BigInt(quantity), parsed.scale);
}

/** The exact sum of decimal amounts, at the finest scale among them; "0" for none. */
export function sumAmounts(amounts: readonly string[]): string {
  const parsed = amounts.map(parse);
  const scale = Math.max(0, ...parsed.map((each) => each.scale));
  return print(
    parsed.reduce((total, each) => total + rescale(each, scale), 0n),
    scale,
  );
}
