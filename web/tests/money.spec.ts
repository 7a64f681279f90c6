// The cart's money arithmetic, exact on decimal strings (no browser needed): what a float would get wrong.
import { expect, test } from "@playwright/test";

import { formatMoney, multiplyAmount, sumAmounts } from "../lib/kiroku/money";

test("amounts multiply and add exactly, at the finest scale among them", () => {
  expect(multiplyAmount("9.50", 3)).toBe("28.50");
  expect(multiplyAmount("0.10", 3)).toBe("0.30"); // 0.1 * 3 is 0.30000000000000004 as a float
  expect(multiplyAmount("26", 2)).toBe("52");
  expect(multiplyAmount("0.01", 0)).toBe("0.00");
  expect(sumAmounts(["0.10", "0.20"])).toBe("0.30"); // 0.1 + 0.2 is 0.30000000000000004 as a float
  expect(sumAmounts(["19.00", "9.9"])).toBe("28.90");
  expect(sumAmounts(["999999999.99", "0.01"])).toBe("1000000000.00");
  expect(sumAmounts(["90071992547409.93", "0.01"])).toBe("90071992547409.94"); // past a double's precision
  expect(sumAmounts(["-1.50", "1"])).toBe("-0.50");
  expect(sumAmounts([])).toBe("0");
});

test("a malformed amount or quantity is refused, not guessed", () => {
  expect(() => sumAmounts(["1,50"])).toThrow("not a decimal amount");
  expect(() => multiplyAmount("abc", 1)).toThrow("not a decimal amount");
  expect(() => multiplyAmount("1.00", 1.5)).toThrow("not a whole quantity");
});

test("money is shown from its decimal string in its currency", () => {
  expect(formatMoney("28.50", "EUR")).toBe("€28.50");
  expect(formatMoney("1000000000.00", "EUR")).toBe("€1,000,000,000.00");
  expect(formatMoney("1200", "JPY")).toBe("¥1,200");
});
