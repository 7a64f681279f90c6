"use client";
// The console's sections, the current one marked.
import { TabNav } from "@radix-ui/themes";
import NextLink from "next/link";
import { usePathname } from "next/navigation";

const SECTIONS = [
  { href: "/console", label: "Health" },
  { href: "/console/catalogue", label: "Catalogue" },
  { href: "/console/orders", label: "Orders" },
  { href: "/console/sagas", label: "Sagas" },
  { href: "/console/dead-letters", label: "Dead letters" },
  { href: "/console/events", label: "Event history" },
];

export function ConsoleTabs() {
  const path = usePathname();
  return (
    <TabNav.Root aria-label="Console sections">
      {SECTIONS.map((section) => (
        <TabNav.Link
          key={section.href}
          asChild
          active={section.href === "/console" ? path === "/console" : path.startsWith(section.href)}
        >
          <NextLink href={section.href}>{section.label}</NextLink>
        </TabNav.Link>
      ))}
    </TabNav.Root>
  );
}
