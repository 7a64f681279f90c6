// Money as the API gives it, an exact decimal string and its ISO 4217 currency, shown in the reader's
// locale without ever passing through a float for arithmetic.
export function formatMoney(amount: string, currency: string, locale = "en"): string {
  return new Intl.NumberFormat(locale, { style: "currency", currency }).format(Number(amount));
}
