// What the browser needs to reach Kiroku, read on the server at request time (not inlined at build), so
// one build serves the local stack, a preview and production alike.
export interface PublicConfig {
  graphqlUrl: string;
  firebase: { apiKey: string; authDomain: string; projectId: string };
  /** host:port of the Firebase Auth emulator, locally; none in the cloud. */
  authEmulatorHost: string | null;
  /** The demo sign-ins the local stack creates, offered on the sign-in page; none in the cloud. */
  demoUsers: { role: string; email: string; password: string }[];
}

const LOCAL_DEMO_USERS = [
  { role: "admin", email: "admin@kiroku.local", password: "kiroku-admin" },
  { role: "writer", email: "writer@kiroku.local", password: "kiroku-writer" },
];

export function publicConfig(): PublicConfig {
  const env = process.env;
  const projectId = env.KIROKU_FIREBASE_PROJECT_ID ?? "kiroku-local";
  const authEmulatorHost = env.FIREBASE_AUTH_EMULATOR_HOST ?? null;
  return {
    graphqlUrl: env.KIROKU_PUBLIC_GRAPHQL_URL ?? env.KIROKU_GRAPHQL_URL ?? "http://127.0.0.1:8080/",
    firebase: {
      apiKey: env.KIROKU_FIREBASE_API_KEY ?? "local-emulator-key",
      authDomain: env.KIROKU_FIREBASE_AUTH_DOMAIN ?? `${projectId}.firebaseapp.com`,
      projectId,
    },
    authEmulatorHost,
    demoUsers: authEmulatorHost ? LOCAL_DEMO_USERS : [],
  };
}
