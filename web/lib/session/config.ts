// What the browser needs to reach Kiroku, read on the server at request time (not inlined at build), so
// one build serves the local stack, a preview and production alike.
export interface PublicConfig {
  /** Where the browser sends GraphQL: the API itself when it allows this app's origin (CORS), else the
   * app's own relay (app/api/graphql), which forwards to KIROKU_GRAPHQL_URL. */
  graphqlUrl: string;
  firebase: { apiKey: string; authDomain: string; projectId: string };
  /** Whether the sign-in page offers Google (the project's Firebase Authentication has the provider on). */
  googleSignIn: boolean;
  /** host:port of the Firebase Auth emulator, locally; none in the cloud. */
  authEmulatorHost: string | null;
  /** The demo sign-ins the local stack creates, offered on the sign-in page; none in the cloud. */
  demoUsers: { role: string; email: string; password: string }[];
  /** The local fake gateway's demo payment tokens, offered at checkout; none in the cloud. */
  demoCards: { token: string; label: string }[];
}

// emulators/fake_gateway.py's rules: a token starting tok_decline is declined, tok_slow is charged but
// answered 2 s late, tok_timeout hangs (the payment step keeps trying until its deadline), any other pays.
const LOCAL_DEMO_CARDS = [
  { token: "tok_ok", label: "A card that pays" },
  { token: "tok_slow", label: "A card that pays slowly" },
  { token: "tok_decline", label: "A card that is declined" },
  { token: "tok_timeout", label: "A card whose bank does not answer" },
];

const LOCAL_DEMO_USERS = [
  { role: "admin", email: "admin@kiroku.local", password: "kiroku-admin" },
  { role: "writer", email: "writer@kiroku.local", password: "kiroku-writer" },
];

export function publicConfig(): PublicConfig {
  const env = process.env;
  const projectId = env.KIROKU_FIREBASE_PROJECT_ID ?? "kiroku-local";
  const authEmulatorHost = env.FIREBASE_AUTH_EMULATOR_HOST ?? null;
  return {
    graphqlUrl: env.KIROKU_PUBLIC_GRAPHQL_URL ?? "/api/graphql",
    firebase: {
      apiKey: env.KIROKU_FIREBASE_API_KEY ?? "local-emulator-key",
      authDomain: env.KIROKU_FIREBASE_AUTH_DOMAIN ?? `${projectId}.firebaseapp.com`,
      projectId,
    },
    googleSignIn: env.KIROKU_GOOGLE_SIGN_IN === "true",
    authEmulatorHost,
    demoUsers: authEmulatorHost ? LOCAL_DEMO_USERS : [],
    demoCards: authEmulatorHost ? LOCAL_DEMO_CARDS : [],
  };
}
