/**
 * What the fake model answers, as plain data so the e2e test and the
 * extension share it: the root fans out to two children; the "lookup" child
 * calls the fake VS Code tool once, the other answers at once; each ends with
 * text that names what it saw.
 */
export const FAKE_VENDOR = "subagents-fake";
export const FAKE_FAMILY = "fake-agent";
export const FAKE_MODEL_REF = `vscode-lm:${FAKE_VENDOR}/${FAKE_FAMILY}`;
export const FAKE_TOOL = "subagents_fake_lookup";
export const LOOKUP_CHILD = "lm-lookup";
export const PLAIN_CHILD = "lm-plain";
/** The fake tool's answer; the child's result must carry it. */
export const toolAnswer = (word: string) => `${word} is a fake word, looked up by the fake tool`;
/** A definition file the fake extension asks VS Code to complete in (see COMPLETE_COMMAND), and where. */
export const FAKE_DEFINITION_FILE = ".subagents/agents/fake-complete.md";
export const FAKE_DEFINITION_TEXT = "---\nname: fake-complete\ndescription: Completion check\ntools: [read_file, ]\nmodel: \n---\nPrompt.\n";
export const COMPLETION_AT = { tools: { line: 3, character: 19 }, model: { line: 4, character: 7 } };
/** Runs VS Code's own completion (every provider, ours included) in FAKE_DEFINITION_FILE and logs the labels. */
export const COMPLETE_COMMAND = "subagentsFake.completeDefinition";
/** Where the extension records each request and tool call (one JSON line each), inside the workspace. */
export const FAKE_LM_LOG = ".fake-lm-log.jsonl";

export interface FakeTurnInput {
  /** Every text part of the conversation, in order (the system prompt and task come first). */
  texts: string[];
  /** Tool results so far (text of each). */
  toolResults: string[];
  /** Names of the tools offered with this request. */
  tools: string[];
}

export type FakeTurn = { text: string } | { toolCalls: Array<{ id: string; name: string; input: Record<string, unknown> }> };

export function fakeTurn(input: FakeTurnInput): FakeTurn {
  const all = input.texts.join("\n");
  if (input.tools.includes("spawn_agent")) {
    if (input.toolResults.length === 0) {
      return {
        toolCalls: [
          { id: "spawn-1", name: "spawn_agent", input: { name: LOOKUP_CHILD, task: `Use ${FAKE_TOOL} to look up the word "zebra" and report what it says.` } },
          { id: "spawn-2", name: "spawn_agent", input: { name: PLAIN_CHILD, task: "Say hello." } },
        ],
      };
    }
    return { text: `root done; children said: ${input.toolResults.join(" | ")}` };
  }
  if (all.includes(`look up the word "zebra"`)) {
    if (input.toolResults.length === 0) {
      if (!input.tools.includes(FAKE_TOOL)) return { text: `no ${FAKE_TOOL} offered` };
      return { toolCalls: [{ id: "lookup-1", name: FAKE_TOOL, input: { word: "zebra" } }] };
    }
    return { text: `lookup said: ${input.toolResults.at(-1) ?? ""}` };
  }
  return { text: "hello from the plain child" };
}
