"use client";
// The signed-in user in the browser: Firebase Authentication (the Auth emulator locally), its ID token
// kept fresh by onIdTokenChanged and handed to every API call; the API stays the authority on roles.
import { initializeApp, getApps, type FirebaseApp } from "firebase/app";
import {
  connectAuthEmulator,
  getAuth,
  GoogleAuthProvider,
  onIdTokenChanged,
  signInWithEmailAndPassword,
  signInWithPopup,
  signOut,
  type Auth,
  type User,
} from "firebase/auth";
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";

import type { PublicConfig } from "./config";

export interface Session {
  config: PublicConfig;
  user: User | null;
  /** Whether Firebase has said who is signed in yet (it restores a session asynchronously). */
  ready: boolean;
  signIn(email: string, password: string): Promise<void>;
  /** Google's sign-in in a popup (Firebase loads Google's scripts for it from apis.google.com). */
  signInWithGoogle(): Promise<void>;
  signOut(): Promise<void>;
  /** A current ID token (refreshed when it expires), or null for the anonymous reader. */
  token(): Promise<string | null>;
}

const SessionContext = createContext<Session | null>(null);

function firebaseAuth(config: PublicConfig): Auth {
  const app: FirebaseApp = getApps()[0] ?? initializeApp(config.firebase);
  const auth = getAuth(app);
  if (config.authEmulatorHost && !auth.emulatorConfig) {
    connectAuthEmulator(auth, `http://${config.authEmulatorHost}`, { disableWarnings: true });
  }
  return auth;
}

export function SessionProvider({ config, children }: { config: PublicConfig; children: ReactNode }) {
  const auth = useMemo(() => firebaseAuth(config), [config]);
  const [user, setUser] = useState<User | null>(auth.currentUser);
  const [ready, setReady] = useState(false);
  useEffect(
    () =>
      onIdTokenChanged(auth, (changed) => {
        setUser(changed);
        setReady(true);
      }),
    [auth],
  );
  // The same function for the page's life: what calls the API with it need not run again when the token
  // is refreshed or the user changes (it reads the current user when called).
  const token = useCallback(async () => (auth.currentUser ? auth.currentUser.getIdToken() : null), [auth]);
  const session = useMemo<Session>(
    () => ({
      config,
      user,
      ready,
      signIn: async (email, password) => {
        await signInWithEmailAndPassword(auth, email, password);
      },
      signInWithGoogle: async () => {
        await signInWithPopup(auth, new GoogleAuthProvider());
      },
      signOut: () => signOut(auth),
      token,
    }),
    [auth, config, ready, token, user],
  );
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === null) {
    throw new Error("useSession outside SessionProvider");
  }
  return session;
}
