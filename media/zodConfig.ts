import { config } from "zod";

// Zod compiles object parsers with `new Function` when it can. The webview's
// CSP has no 'unsafe-eval', so the probe would only log a CSP violation;
// jitless mode skips it. Imported first by main.ts: the setting is read when
// the schemas are built.
config({ jitless: true });
