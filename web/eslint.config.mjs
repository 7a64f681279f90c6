// ESLint: Next.js's rules (core web vitals) and its TypeScript rules, over the app; generated code is
// left to its generator.
import next from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";

const config = [
  ...next,
  ...nextTypescript,
  { ignores: [".next/**", "src/gql/**", "next-env.d.ts", "test-results/**", "playwright-report/**"] },
];

export default config;
