"use client";
// Sign-in with Firebase Authentication: email and password, Google where the deployment turns it on, and
// locally the demo admin and writer the stack creates on its Auth emulator; then back to the page that
// asked for it (?next=).
import { Button, Callout, Card, Flex, Heading, Text, TextField } from "@radix-ui/themes";
import { FirebaseError } from "firebase/app";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";

import { useSession } from "@/lib/session/session";

/** Where to go once signed in: the page that sent here (?next=, a path of this app only), else home. */
function returnPath(): string {
  const next = new URLSearchParams(window.location.search).get("next");
  return next !== null && next.startsWith("/") && !next.startsWith("//") ? next : "/";
}

/** Why Google's sign-in did not happen, in words; nothing when the user closed its window. */
function googleProblem(error: unknown): string | null {
  const code = error instanceof FirebaseError ? error.code : null;
  if (code === "auth/popup-closed-by-user" || code === "auth/cancelled-popup-request") {
    return null;
  }
  if (code === "auth/popup-blocked") {
    return "The browser blocked Google's sign-in window: allow pop-ups for this site and try again.";
  }
  // Firebase reports Google's scripts failing to load (apis.google.com out of reach) as an internal error.
  if (code === "auth/network-request-failed" || code === "auth/internal-error") {
    return "Google's sign-in could not be reached. Try again, or sign in with your email and password.";
  }
  return "Google's sign-in did not complete. Try again, or sign in with your email and password.";
}

export default function SignInPage() {
  const session = useSession();
  const router = useRouter();
  const [problem, setProblem] = useState<string | null>(null);

  async function signIn(email: string, password: string) {
    setProblem(null);
    try {
      await session.signIn(email, password);
      router.push(returnPath());
    } catch {
      setProblem("That email and password do not match an account.");
    }
  }

  async function signInWithGoogle() {
    setProblem(null);
    try {
      await session.signInWithGoogle();
      router.push(returnPath());
    } catch (error) {
      setProblem(googleProblem(error));
    }
  }

  function submitted(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    void signIn(String(form.get("email")), String(form.get("password")));
  }

  return (
    <Card size="3" style={{ maxWidth: 420, margin: "0 auto" }}>
      <Flex direction="column" gap="4">
        <Heading as="h1" size="6">
          Sign in
        </Heading>
        <form onSubmit={submitted}>
          <Flex direction="column" gap="3">
            <label>
              <Text as="div" size="2" mb="1">
                Email
              </Text>
              <TextField.Root name="email" type="email" autoComplete="username" required />
            </label>
            <label>
              <Text as="div" size="2" mb="1">
                Password
              </Text>
              <TextField.Root name="password" type="password" autoComplete="current-password" required />
            </label>
            <Button type="submit">Sign in</Button>
          </Flex>
        </form>
        {session.config.googleSignIn ? (
          <Button variant="outline" onClick={() => void signInWithGoogle()}>
            Sign in with Google
          </Button>
        ) : null}
        {problem ? (
          <Callout.Root color="red" role="alert">
            <Callout.Text>{problem}</Callout.Text>
          </Callout.Root>
        ) : null}
        {session.config.demoUsers.length > 0 ? (
          <Flex direction="column" gap="2">
            <Text size="2" color="gray">
              Demo accounts of the local stack
            </Text>
            {session.config.demoUsers.map((user) => (
              <Button key={user.role} variant="soft" onClick={() => void signIn(user.email, user.password)}>
                Sign in as the demo {user.role}
              </Button>
            ))}
          </Flex>
        ) : null}
      </Flex>
    </Card>
  );
}
