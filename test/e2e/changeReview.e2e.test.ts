import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import type { ScriptedReply, ScriptedRequest } from "../fixtures/fakeOpenAiServer";
import { spawnCall, taskOf, toolResults } from "./harness/model";
import { E2ESession, makeTestKeys } from "./harness/session";
import { waitUntil } from "../fakes/polling";

/**
 * Change review in real VS Code: a task whose two children edit different
 * files; from the tree the user opens one child's diff, reverts that child,
 * and only its edit is gone.
 */

const ROOT = "CR fan out two editors";
const EDITORS = [
  { name: "cr-alpha", file: "src/alpha.js", before: "export const alpha = 1;\n", after: "export const alpha = 2;\n" },
  { name: "cr-beta", file: "src/beta.js", before: "export const beta = 1;\n", after: "export const beta = 2;\n" },
] as const;

let session: E2ESession;

const ISOLATED_ROOT = "CR isolated editor";
const ISOLATED = "cr-isolated";

function script(request: ScriptedRequest): ScriptedReply {
  const task = taskOf(request);
  const results = toolResults(request);
  if (task.startsWith(ISOLATED_ROOT)) {
    if (results.length === 0) return { toolCalls: [spawnCall({ name: ISOLATED, task: `Change 1 to 5 in src/alpha.js [${ISOLATED}]`, isolation: "worktree" })] };
    return { text: "CR isolated root done." };
  }
  if (task.includes(`[${ISOLATED}]`)) {
    if (results.length === 0) return { toolCalls: [{ name: "read_file", arguments: { path: "src/alpha.js" } }] };
    if (results.length === 1) return { toolCalls: [{ name: "edit_file", arguments: { path: "src/alpha.js", old_text: "= 1", new_text: "= 5" } }] };
    return { text: `${ISOLATED} edited its worktree` };
  }
  if (task.startsWith(ROOT)) {
    if (results.length === 0) return { toolCalls: EDITORS.map((e) => spawnCall({ name: e.name, task: `Change 1 to 2 in ${e.file} [${e.name}]` })) };
    return { text: "CR root: both files edited." };
  }
  const editor = EDITORS.find((e) => task.includes(`[${e.name}]`));
  if (!editor) return { text: `unexpected request for task: ${task.slice(0, 80)}` };
  if (results.length === 0) return { toolCalls: [{ name: "read_file", arguments: { path: editor.file } }] };
  if (results.length === 1) return { toolCalls: [{ name: "edit_file", arguments: { path: editor.file, old_text: "= 1", new_text: "= 2" } }] };
  return { text: `${editor.name} edited ${editor.file}` };
}

const onDisk = (file: string) => readFileSync(path.join(session.workspace, file), "utf8");

describe("reviewing and reverting agent changes (code-server)", { timeout: 10 * 60_000 }, () => {
  before(async () => {
    session = await E2ESession.start({
      name: "change-review",
      fakeServer: { script },
      workspaceFiles: Object.fromEntries(EDITORS.map((e) => [e.file, e.before])),
    });
    await session.addKeys(makeTestKeys(1));
  });
  after(async () => {
    await session?.close();
  });

  it("opens one child's diff from the tree, reverts that child, and only its edit is gone", { timeout: 300_000 }, async () => {
    await session.scenario("change-review", async () => {
      const wb = session.workbench;
      await wb.runCommand("Subagents: Run Task…");
      await wb.typeIntoInputBox(ROOT, { title: "Run Task" });
      const tree = await session.tree();
      await tree.waitForRow(ROOT, "Completed", 120_000);
      for (const e of EDITORS) {
        await tree.waitForRow(e.name, "Completed", 10_000);
        assert.equal(onDisk(e.file), e.after, `${e.name} should have edited ${e.file}`);
        await waitUntil(`the row of ${e.name} to show ±1 file`, async () => (await tree.rowText(e.name)).includes("±1 file"), 10_000);
      }

      const [alpha, beta] = EDITORS;
      await tree.select(alpha.name);
      const fileButton = tree.frame.locator(".detail .detail-changes .change-open").first();
      assert.match((await fileButton.textContent()) ?? "", /src\/alpha\.js/);
      await fileButton.click();
      await waitUntil(
        async () => `the diff editor of ${alpha.file} (active tab: "${await wb.activeTabTitle()}")`,
        async () => /alpha\.js/.test(await wb.activeTabTitle()) && (await wb.page.locator(".part.editor .monaco-diff-editor").first().isVisible()),
        20_000,
      );
      // The diff editor is visible before its two sides have their text: wait for what it shows.
      const diffText = async () => (await wb.page.locator(".part.editor .monaco-diff-editor").first().innerText()).replace(/\u00a0/g, " ");
      await waitUntil(
        async () => `the left side to show the text before the agent's edit (diff editor shows: ${JSON.stringify((await diffText()).slice(0, 300))})`,
        async () => /alpha = 1/.test(await diffText()),
        20_000,
      );
      await wb.screenshot("change-review-diff");

      await tree.clickButton(`Revert ${alpha.file}`);
      await waitUntil(`${alpha.file} back to its text before ${alpha.name}`, () => onDisk(alpha.file) === alpha.before, 20_000);
      assert.equal(onDisk(beta.file), beta.after, `${beta.name}'s edit must stay`);
      await waitUntil(`the row of ${alpha.name} to drop its ±N marker`, async () => !(await tree.rowText(alpha.name)).includes("±"), 10_000);
      assert.match(await tree.rowText(beta.name), /±1 file/);
      await wb.waitForNotification(/Reverted 1 file changed by cr-alpha/);
    });
  });

  it("a worktree child's edit reaches the workspace only after Merge", { timeout: 300_000 }, async () => {
    await session.scenario("change-review-worktree", async () => {
      const wb = session.workbench;
      const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=e2e", "-c", "user.email=e2e@example.invalid", ...args], { cwd: session.workspace });
      // Its own starting point: a failure of the scenario before must not decide this one.
      writeFileSync(path.join(session.workspace, "src/alpha.js"), "export const alpha = 1;\n");
      git("init", "-q");
      git("add", "--all");
      git("commit", "-q", "-m", "start");
      const before = onDisk("src/alpha.js");
      assert.equal(before, "export const alpha = 1;\n");

      await wb.runCommand("Subagents: Run Task…");
      await wb.typeIntoInputBox(ISOLATED_ROOT, { title: "Run Task" });
      const tree = await session.tree();
      await tree.waitForRow(ISOLATED_ROOT, "Completed", 120_000);
      await tree.waitForRow(ISOLATED, "Completed", 10_000);
      assert.equal(onDisk("src/alpha.js"), before, "the isolated child's edit stays in its worktree");
      await tree.select(ISOLATED);
      assert.match(await tree.detailSectionText("detail-worktree"), /subagents\/cr-isolated-/);
      await wb.screenshot("change-review-worktree-before-merge");

      await tree.clickButton(`Merge the worktree of ${ISOLATED} into the workspace`);
      await waitUntil("src/alpha.js to hold the merged edit", () => onDisk("src/alpha.js") === "export const alpha = 5;\n", 30_000);
      await wb.waitForNotification(/Merged 1 file changed by cr-isolated/);
      await waitUntil("the worktree section to go after the merge", async () => (await tree.detailSectionText("detail-worktree")) === "", 10_000);
      assert.equal(execFileSync("git", ["branch", "--list", "subagents/*"], { cwd: session.workspace, encoding: "utf8" }).trim(), "", "the agent's branch is removed");
    });
  });
});
