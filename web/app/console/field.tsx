// A labelled form field of the console's forms.
import { Text } from "@radix-ui/themes";
import type { ReactNode } from "react";

export function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <label>
      <Text as="div" size="2" mb="1">
        {label}
      </Text>
      {children}
    </label>
  );
}

/** A form's text value; null when left empty. */
export function formText(form: FormData, name: string): string | null {
  const value = String(form.get(name) ?? "").trim();
  return value === "" ? null : value;
}
