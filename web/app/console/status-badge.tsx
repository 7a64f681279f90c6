// An order's or a saga's status, coloured by where it ended or stands.
import { Badge } from "@radix-ui/themes";

export function StatusBadge({ status }: { status: string }) {
  const color = status === "COMPLETED" ? "green" : status.startsWith("CANCEL") || status === "COMPENSATING" ? "red" : "blue";
  return (
    <Badge color={color} data-testid="status">
      {status}
    </Badge>
  );
}
