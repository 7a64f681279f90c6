"use client";
// A button for something that cannot be undone (a delete, a discard), asked for once more in a dialog.
import { AlertDialog, Button, Flex } from "@radix-ui/themes";

export interface ConfirmButtonProps {
  /** The button's words, and its accessible name when `name` is not given. */
  label: string;
  name?: string;
  title: string;
  description: string;
  confirm: string;
  busy: boolean;
  size?: "1" | "2";
  onConfirm(): void;
}

export function ConfirmButton({ label, name, title, description, confirm, busy, size = "2", onConfirm }: ConfirmButtonProps) {
  return (
    <AlertDialog.Root>
      <AlertDialog.Trigger>
        <Button size={size} color="red" variant="soft" loading={busy} aria-label={name} style={{ alignSelf: "start" }}>
          {label}
        </Button>
      </AlertDialog.Trigger>
      <AlertDialog.Content maxWidth="420px">
        <AlertDialog.Title>{title}</AlertDialog.Title>
        <AlertDialog.Description size="2">{description}</AlertDialog.Description>
        <Flex gap="3" mt="4" justify="end">
          <AlertDialog.Cancel>
            <Button variant="soft" color="gray">
              Keep it
            </Button>
          </AlertDialog.Cancel>
          <AlertDialog.Action>
            <Button color="red" onClick={onConfirm}>
              {confirm}
            </Button>
          </AlertDialog.Action>
        </Flex>
      </AlertDialog.Content>
    </AlertDialog.Root>
  );
}
