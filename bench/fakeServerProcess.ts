import { fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import type { Script } from "../test/fixtures/fakeOpenAiScript";
import { startFakeOpenAiServer, type FakeOpenAiServerOptions, type RecordedRequest } from "../test/fixtures/fakeOpenAiServer";

/**
 * The test server in its own process, so that in throughput benchmarks the
 * server's work does not compete with the client under test for one event
 * loop (a real provider is on another machine). Only data options cross the
 * process boundary; a script comes as the path of a module that exports it.
 */

type ServerOptions = Omit<FakeOpenAiServerOptions, "script"> & {
  /** A module whose exported `script` answers each request (functions cannot cross the boundary, a path can). */
  scriptModule?: string;
};
type Request = { type: "stats" } | { type: "close" };
type Reply = { type: "ready"; baseUrl: string } | { type: "stats"; requests: RecordedRequest[] };

export interface RemoteFakeServer {
  readonly baseUrl: string;
  requests(): Promise<RecordedRequest[]>;
  close(): Promise<void>;
}

export async function startRemoteFakeServer(options: ServerOptions): Promise<RemoteFakeServer> {
  const child = fork(join(__dirname, "fakeServerProcess.ts"), [JSON.stringify(options)], { execArgv: ["--import", "tsx"], stdio: "inherit" });
  const ready = await next(child, "ready");
  return {
    baseUrl: ready.baseUrl,
    async requests() {
      child.send({ type: "stats" } satisfies Request);
      return (await next(child, "stats")).requests;
    },
    close() {
      return new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.send({ type: "close" } satisfies Request);
      });
    },
  };
}

function next<T extends Reply["type"]>(child: ChildProcess, type: T): Promise<Extract<Reply, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: Reply) => {
      if (message.type !== type) return;
      child.off("message", onMessage);
      child.off("exit", onExit);
      resolve(message as Extract<Reply, { type: T }>);
    };
    const onExit = (code: number | null) => reject(new Error(`fake server process exited (${code})`));
    child.on("message", onMessage);
    child.once("exit", onExit);
  });
}

async function serve(): Promise<void> {
  const { scriptModule, ...options } = JSON.parse(process.argv[2] ?? "{}") as ServerOptions;
  const scripted = scriptModule === undefined ? {} : { script: ((await import(scriptModule)) as { script: Script }).script };
  const server = await startFakeOpenAiServer({ ...options, ...scripted });
  process.on("message", (message: Request) => {
    if (message.type === "stats") process.send?.({ type: "stats", requests: server.requests } satisfies Reply);
    if (message.type === "close") void server.close().then(() => process.exit(0));
  });
  process.send?.({ type: "ready", baseUrl: server.baseUrl } satisfies Reply);
}

if (require.main === module && process.send) void serve();
