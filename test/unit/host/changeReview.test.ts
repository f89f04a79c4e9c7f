import "../../fakes/vscodeModule";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import * as nodePath from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { AgentChanges } from "../../../src/core/changes/agentChanges";
import { ChangeReview } from "../../../src/core/changes/changeReview";
import { silentLogger } from "../../../src/core/common/logger";
import { DEFAULT_SETTINGS } from "../../../src/core/settings/schema";
import { FileLedger } from "../../../src/core/tools/fileLedger";
import type { AgentTool, ToolContext } from "../../../src/core/tools/toolDefinition";
import { createWorkspaceTools } from "../../../src/core/tools/workspaceToolAdapters";
import { AgentChangeActions } from "../../../src/host/changes/agentChangeActions";
import { CHANGE_SCHEME, ChangeDocuments } from "../../../src/host/changes/changeDocuments";
import { VscodeWorkspaceTools } from "../../../src/host/tools/vscodeWorkspaceTools";
import { ManualClock } from "../../fakes/manualClock";
import { resetShim, shimState } from "../../fakes/vscodeShim";
import { shimUi } from "../../fakes/vscodeShimUi";
import { FakeUserControls } from "./agentTreeFakes";
import { makeWorkspace, readText, snapshot, writeFile } from "./hostTestSupport";

describe("change review in the host", () => {
  let ws: ReturnType<typeof makeWorkspace>;
  let changes: AgentChanges;
  let review: ChangeReview;
  let actions: AgentChangeActions;
  let documents: ChangeDocuments;
  let workspace: VscodeWorkspaceTools;

  /** Runs a tool as the agent would, through the real host workspace tools. */
  const asAgent = (agentId: string) => {
    const tools = createWorkspaceTools(workspace, new FileLedger(), async () => ({ run: true }), changes);
    const context: ToolContext = { agentId, callId: "c", signal: new AbortController().signal, waitWithoutSlot: (_r, wait) => wait() };
    return (name: string, args: Record<string, unknown>) => (tools.find((t) => t.name === name) as AgentTool).execute(args, context);
  };

  beforeEach(async () => {
    ws = makeWorkspace({ "src/a.ts": "export const a = 1;\n", "src/b.ts": "export const b = 1;\n" });
    resetShim({ root: ws.root });
    workspace = new VscodeWorkspaceTools({ settings: () => DEFAULT_SETTINGS, ripgrepPath: undefined });
    changes = new AgentChanges(undefined, new ManualClock(), silentLogger);
    const controls = new FakeUserControls([
      snapshot("root", { name: "task" }),
      snapshot("a", { name: "writer-a", parentId: "root", depth: 1, role: "leaf" }),
      snapshot("b", { name: "writer-b", parentId: "root", depth: 1, role: "leaf" }),
    ]);
    review = new ChangeReview(changes, { nameOf: (id) => controls.get(id)?.name, subtreeOf: (id) => (id === "root" ? ["root", "a", "b"] : [id]) }, workspace);
    actions = new AgentChangeActions(review, controls, silentLogger);
    documents = new ChangeDocuments(review);
    const a = asAgent("a");
    await a("read_file", { path: "src/a.ts" });
    await a("edit_file", { path: "src/a.ts", old_text: "= 1", new_text: "= 2" });
    await a("write_file", { path: "src/new.ts", content: "made by a\n" });
    const b = asAgent("b");
    await b("read_file", { path: "src/b.ts" });
    await b("edit_file", { path: "src/b.ts", old_text: "= 1", new_text: "= 3" });
  });
  afterEach(() => {
    documents.dispose();
    ws.cleanup();
  });

  it("reverts one child's changes through WorkspaceEdit; the other child's edit stays", async () => {
    const editsBefore = shimState.documents.appliedEdits;
    await actions.revert("a", "agent");
    assert.equal(readText(ws.root, "src/a.ts"), "export const a = 1;\n");
    assert.equal(existsSync(nodePath.join(ws.root, "src/new.ts")), false, "a file the agent created is deleted");
    assert.equal(readText(ws.root, "src/b.ts"), "export const b = 3;\n");
    assert.ok(shimState.documents.appliedEdits >= editsBefore + 2, "each restore went through applyEdit");
    assert.equal(review.count("a", "agent"), 0);
    assert.equal(review.count("b", "agent"), 1);
    assert.match(shimUi.messages.at(-1)?.message ?? "", /Reverted 2 files changed by writer-a/);
  });

  it("refuses in a modal, naming the file and the agent, after the user edited the file; reverts only when confirmed", async () => {
    writeFile(ws.root, "src/a.ts", "export const a = 2; // the user's edit\n");
    await actions.revert("a", "agent", "src/a.ts");
    const warning = shimUi.messages.find((m) => m.level === "warning");
    assert.ok(warning?.modal, "asked in a modal");
    assert.match(warning?.detail ?? "", /src\/a\.ts was changed by writer-a and has changed since/);
    assert.equal(readText(ws.root, "src/a.ts"), "export const a = 2; // the user's edit\n", "dismissed: nothing reverted");
    assert.equal(review.count("a", "agent"), 2);

    shimUi.messageAnswer = () => "Revert Anyway";
    await actions.revert("a", "agent", "src/a.ts");
    assert.equal(readText(ws.root, "src/a.ts"), "export const a = 1;\n");
    assert.deepEqual(review.list("a", "agent").map((c) => c.change.path), ["src/new.ts"]);
  });

  it("re-creates a file the agent deleted", async () => {
    changes.recordChange("b", "src/gone.ts", "was here\n", null);
    await actions.revert("b", "agent", "src/gone.ts");
    assert.equal(readText(ws.root, "src/gone.ts"), "was here\n");
  });

  it("Keep clears the marker and leaves the files as they are", async () => {
    actions.keep("root", "subtree");
    assert.equal(review.count("root", "subtree"), 0);
    assert.equal(readText(ws.root, "src/a.ts"), "export const a = 2;\n");
  });

  it("opens VS Code's diff editor: the saved before side is read-only content, the after side the file itself", async () => {
    await actions.openDiff("a", "src/a.ts");
    const diff = shimUi.executed.find((e) => e.id === "vscode.diff");
    assert.ok(diff);
    const [left, right, title] = diff.args as [{ scheme: string; path: string; query: string; fsPath: string }, { scheme: string; fsPath: string }, string];
    assert.equal(left.scheme, CHANGE_SCHEME);
    assert.equal(shimState.contentProviders.get(CHANGE_SCHEME)?.provideTextDocumentContent(left as never, undefined as never), "export const a = 1;\n");
    assert.equal(right.scheme, "file");
    assert.equal(right.fsPath, nodePath.join(ws.root, "src/a.ts"));
    assert.equal(title, "src/a.ts (writer-a: modified)");
  });

  it("Review Agent Changes… lists every changed file with its agent and opens the picked one", async () => {
    shimUi.pickAnswers.push((items) => items.find((i) => i.label === "src/b.ts"));
    await actions.review();
    assert.deepEqual(shimUi.picks[0]?.items.map((i) => `${i.label} ${i.description}`), [
      "src/a.ts modified by writer-a",
      "src/new.ts created by writer-a",
      "src/b.ts modified by writer-b",
    ]);
    const diff = shimUi.executed.find((e) => e.id === "vscode.diff");
    assert.match(String(diff?.args[2]), /src\/b\.ts \(writer-b/);
  });
});
