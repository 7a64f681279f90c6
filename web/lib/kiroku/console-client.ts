"use client";
// How console pages read and command as the signed-in admin: who the API takes the user for (the API is
// the authority on roles; the browser only asks it), a read that can be asked again, and a catalogue
// command sent with a commandId kept for its attempt (a retried click is the same command).
import {
  createContext,
  createElement,
  useCallback,
  useContext,
  useEffect,
  useRef,
  useState,
  type FormEvent,
  type ReactNode,
} from "react";

import type { TypedDocumentString } from "@/src/gql/graphql";

import { useSession } from "../session/session";
import { useKiroku, type Run } from "./browser";
import { KirokuError } from "./client";
import { ConsoleAccessQuery } from "./console-operations";

export type ConsoleAccess = "checking" | "admin" | "signed-out" | "refused" | "unreachable";

function refusal(error: unknown): ConsoleAccess {
  const refused = error instanceof KirokuError && (error.code === "FORBIDDEN" || error.code === "UNAUTHENTICATED");
  return refused ? "refused" : "unreachable";
}

const ConsoleAccessContext = createContext<ConsoleAccess | null>(null);

/** Asks the API once per signed-in user whether it answers them its admin fields, for every part of the
 * page that needs to know (the header's console link, the console's gate). */
export function ConsoleAccessProvider({ children }: { children: ReactNode }) {
  const session = useSession();
  const run = useKiroku();
  const uid = session.user?.uid ?? null;
  const [answer, setAnswer] = useState<{ uid: string; access: ConsoleAccess } | null>(null);
  useEffect(() => {
    if (uid === null) {
      return;
    }
    let current = true;
    run(ConsoleAccessQuery, {}).then(
      () => current && setAnswer({ uid, access: "admin" }),
      (error: unknown) => current && setAnswer({ uid, access: refusal(error) }),
    );
    return () => {
      current = false;
    };
  }, [run, uid]);
  return createElement(ConsoleAccessContext.Provider, { value: accessOf(session.ready, uid, answer) }, children);
}

function accessOf(ready: boolean, uid: string | null, answer: { uid: string; access: ConsoleAccess } | null): ConsoleAccess {
  if (!ready) {
    return "checking";
  }
  if (uid === null) {
    return "signed-out";
  }
  return answer?.uid === uid ? answer.access : "checking"; // until the API answers this user
}

/** Whether the API answers the signed-in user its admin fields (as `ConsoleAccessProvider` asked it). */
export function useConsoleAccess(): ConsoleAccess {
  const access = useContext(ConsoleAccessContext);
  if (access === null) {
    throw new Error("useConsoleAccess outside ConsoleAccessProvider");
  }
  return access;
}

const READ_BACK_TRIES = 20;
const READ_BACK_PAUSE_MS = 300;

/** Reads until `shows` says the read model shows a change (it lags the event store), for about 6 s. */
export async function readBack<Result>(read: () => Promise<Result | null>, shows: (read: Result | null) => boolean) {
  for (let tries = 0; tries < READ_BACK_TRIES; tries += 1) {
    if (shows(await read())) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, READ_BACK_PAUSE_MS));
  }
}

export interface ConsoleRead<Result> {
  data: Result | null;
  error: unknown;
  /** Ask again (after a change), keeping what is shown meanwhile. */
  reload(): Promise<Result | null>;
}

/** A read as the signed-in admin, asked again whenever its variables change. */
export function useConsoleQuery<Result, Variables>(
  document: TypedDocumentString<Result, Variables>,
  variables: Variables,
): ConsoleRead<Result> {
  const run = useKiroku();
  const [state, setState] = useState<{ data: Result | null; error: unknown }>({ data: null, error: null });
  const key = JSON.stringify(variables);
  const ask = useCallback(() => run(document, JSON.parse(key) as Variables), [document, key, run]);
  const reload = useCallback(async (): Promise<Result | null> => {
    try {
      const data = await ask();
      setState({ data, error: null });
      return data;
    } catch (error) {
      setState((previous) => ({ ...previous, error }));
      return null;
    }
  }, [ask]);
  useEffect(() => {
    let current = true;
    ask().then(
      (data) => current && setState({ data, error: null }),
      (error: unknown) => current && setState({ data: null, error }),
    );
    return () => {
      current = false;
    };
  }, [ask]);
  return { ...state, reload };
}

/** Reads again (`reload`) each time `refreshes` grows past the value it had when first rendered. */
export function useReloaded(refreshes: number, reload: () => Promise<unknown>): void {
  const seen = useRef(refreshes);
  useEffect(() => {
    if (refreshes !== seen.current) {
      seen.current = refreshes;
      void reload();
    }
  }, [refreshes, reload]);
}

/** A command's answer as the catalogue mutations give it (CommandResult). */
export interface CommandAnswer {
  commandId: string;
  status: string;
  aggregateId: string;
  version?: number | null;
  error?: { code: string; message: string; field?: string | null } | null;
}

export interface Sent {
  /** Send the command; the same attempt keeps its commandId until it is decided. */
  send(variables: (commandId: string) => Promise<CommandAnswer>): Promise<CommandAnswer | null>;
  busy: boolean;
  error: unknown;
  answer: CommandAnswer | null;
}

/** One command form's sending: its commandId per attempt, its answer or its error. */
export function useCommand(): Sent {
  const attempt = useRef<string | null>(null);
  const [state, setState] = useState<{ busy: boolean; error: unknown; answer: CommandAnswer | null }>({
    busy: false,
    error: null,
    answer: null,
  });
  const send = useCallback(async (sender: (commandId: string) => Promise<CommandAnswer>) => {
    attempt.current ??= crypto.randomUUID();
    setState({ busy: true, error: null, answer: null });
    try {
      const answer = await sender(attempt.current);
      if (answer.status !== "PENDING" && answer.status !== "TIMED_OUT") {
        attempt.current = null; // decided: the next click is a new command
      }
      setState({ busy: false, error: null, answer });
      return answer;
    } catch (error) {
      if (error instanceof KirokuError) {
        attempt.current = null; // the API refused it: a corrected form is another command
      }
      setState({ busy: false, error, answer: null });
      return null;
    }
  }, []);
  return { ...state, send };
}

/** A console form's command: built from what the form holds, sent as the signed-in admin. */
export type FormCommand = (run: Run, form: FormData, commandId: string) => Promise<CommandAnswer>;

export interface CommandForm {
  sent: Sent;
  /** The form's submit handler: sends `command` with the form's values. */
  onSubmit(event: FormEvent<HTMLFormElement>): void;
}

/** A form that sends one command per submit, with its commandId kept per attempt; `onAccepted` hears the
 * accepted answer. */
export function useCommandForm(command: FormCommand, onAccepted?: (answer: CommandAnswer) => void): CommandForm {
  const run = useKiroku();
  const sent = useCommand();
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    void sent.send((commandId) => command(run, form, commandId)).then((answer) => {
      if (answer?.status === "ACCEPTED") {
        onAccepted?.(answer);
      }
    });
  };
  return { sent, onSubmit };
}
