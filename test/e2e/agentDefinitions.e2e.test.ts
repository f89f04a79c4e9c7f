import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { agentDefinitionTemplate, TEMPLATE_DESCRIPTION } from "../../src/core/definitions/definitionFiles";
import { MAX_TIMEOUT_SECONDS } from "../../src/core/common/timeLimits";
import { E2ESession } from "./harness/session";
import {
  activeEditorSquiggles,
  editorBreadcrumbs,
  focusProblemsPanel,
  problemsPanelRows,
  quickOpenFile,
  waitForActiveEditorFile,
  type ProblemsRow,
} from "./harness/workbench";
import { waitUntil } from "../fakes/polling";

/**
 * Scenario 8 in its own code-server: agent definition files and their
 * language server (dist/server.js in the VSIX). A definition with an unknown
 * tool and an out-of-range timeout, opened through Quick Open, shows both
 * problems in the Problems panel; a valid one shows none; "Subagents: New
 * Agent Definition" writes the template and opens it, description selected.
 */

/** A definition with two mistakes: a tool that does not exist and a timeout above the maximum. */
const BROKEN = [
  "---",
  "name: reviewer",
  "description: Reviews a change for bugs and risky patterns.",
  "tools: [read_file, fly_to_moon]",
  "timeout_seconds: 99999",
  "---",
  "",
  "You review changes. Report each bug with its file and line.",
  "",
].join("\n");

const VALID = [
  "---",
  "name: summarizer",
  "description: Summarizes one file in three sentences.",
  "tools: [read_file, search_text]",
  "role: leaf",
  "timeout_seconds: 120",
  "---",
  "",
  "You summarize the file you are given.",
  "",
].join("\n");

// The messages src/core/definitions produces (valueChecks.ts, definitionSchema.ts).
const UNKNOWN_TOOL = /Unknown tool "fly_to_moon"/;
const TIMEOUT_RANGE = new RegExp(`timeout_seconds must be between 0 and ${MAX_TIMEOUT_SECONDS}`);

const NEW_NAME = "e2e-helper";

let session: E2ESession;
let agentsDir: string;

function describeRows(rows: readonly ProblemsRow[]): string {
  return rows.length === 0 ? "(no rows)" : rows.map((r) => `  [${r.kind}] ${r.label || r.text}`).join("\n");
}

/** Marker rows of the Problems panel under the resource row whose text names `fileName`. */
function markersOf(rows: readonly ProblemsRow[], fileName: string): ProblemsRow[] {
  const out: ProblemsRow[] = [];
  let inside = false;
  for (const row of rows) {
    if (row.kind === "resource") inside = row.file === fileName;
    else if (inside) out.push(row);
  }
  return out;
}

function hasResource(rows: readonly ProblemsRow[], fileName: string): boolean {
  return rows.some((r) => r.kind === "resource" && r.file === fileName);
}

/** The language client's own output channel, when the window wrote it to a log file. */
function languageClientLog(): string {
  return session.codeServer
    .findLogs(/Agent Definitions\.log$/)
    .map((file) => {
      try {
        return readFileSync(file, "utf8");
      } catch {
        return "";
      }
    })
    .join("\n")
    .trimEnd()
    .split("\n")
    .slice(-20)
    .join("\n");
}

/** Fails if `probe` turns true within `ms` (a marker that should never appear). */
async function staysFalse(what: string, probe: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    assert.equal(await probe(), false, what);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe("Subagents agent definitions (code-server)", { timeout: 10 * 60_000 }, () => {
  before(async () => {
    session = await E2ESession.start({ name: "definitions" });
    // Extra files go into the temp copy of the sample workspace, never into the committed one.
    agentsDir = path.join(session.workspace, ".subagents", "agents");
    mkdirSync(agentsDir, { recursive: true });
    writeFileSync(path.join(agentsDir, "reviewer.md"), BROKEN);
    writeFileSync(path.join(agentsDir, "summarizer.md"), VALID);
  });

  after(async () => {
    await session?.close();
  });

  it("8: a definition with an unknown tool and a 99999 s timeout shows both problems in the Problems panel; a valid one shows none", { timeout: 180_000 }, async () => {
    await session.scenario("8-definitions-problems", async () => {
      const wb = session.workbench;
      await quickOpenFile(wb, "reviewer.md");
      await focusProblemsPanel(wb);

      let rows: ProblemsRow[] = [];
      await waitUntil(
        () => `the Problems panel to list both problems of reviewer.md (rows:\n${describeRows(rows)})\n--- language client log ---\n${languageClientLog()}`,
        async () => {
          rows = await problemsPanelRows(wb);
          const markers = markersOf(rows, "reviewer.md").map((r) => r.label);
          return markers.some((l) => UNKNOWN_TOOL.test(l)) && markers.some((l) => TIMEOUT_RANGE.test(l));
        },
        60_000,
      );
      const reviewer = markersOf(rows, "reviewer.md");
      assert.equal(reviewer.length, 2, `reviewer.md should have exactly two problems:\n${describeRows(rows)}`);
      for (const marker of reviewer) {
        assert.match(marker.label, /^Error: /, `both mistakes are errors:\n${describeRows(rows)}`);
        assert.match(marker.label, /generated by subagents/, `the markers come from the Subagents language server:\n${describeRows(rows)}`);
      }
      const toolMarker = reviewer.find((r) => UNKNOWN_TOOL.test(r.label));
      // tools: [read_file, fly_to_moon] is line 4; the marker points at the unknown name, not the list.
      assert.match(toolMarker?.label ?? "", /at line 4 and character 20\b/, `the unknown-tool marker should point at fly_to_moon:\n${describeRows(rows)}`);
      assert.ok(await activeEditorSquiggles(wb) > 0, "the reviewer.md editor should underline its mistakes");

      // The valid definition: open it too, and it still gets no marker (all files are checked in one pass).
      assert.equal(hasResource(rows, "summarizer.md"), false, `summarizer.md is valid and must not be listed:\n${describeRows(rows)}`);
      await quickOpenFile(wb, "summarizer.md");
      await staysFalse(
        "summarizer.md is valid: no squiggle in its editor and no row in the Problems panel",
        async () => (await activeEditorSquiggles(wb)) > 0 || hasResource(await problemsPanelRows(wb), "summarizer.md"),
        2000,
      );
      const total = (await problemsPanelRows(wb)).filter((r) => r.kind === "marker");
      assert.equal(total.length, 2, `only reviewer.md's two problems in the workspace:\n${describeRows(await problemsPanelRows(wb))}`);

      await quickOpenFile(wb, "reviewer.md");
      await focusProblemsPanel(wb);
      await wb.screenshot("8-definitions-problems");
    });
  });

  it("8b: Subagents: New Agent Definition asks for a name, writes the template and opens it with the description selected", { timeout: 120_000 }, async () => {
    await session.scenario("8b-new-definition", async () => {
      const wb = session.workbench;
      await wb.runCommand("Subagents: New Agent Definition");
      await wb.waitForInputBox({ title: "New Agent Definition" });

      // An existing name is refused by the input box's validation.
      await wb.quickInput.locator(".quick-input-box input").fill("reviewer");
      await waitUntil(
        async () => `the input box to refuse an existing name (message: "${await wb.inputBoxMessage()}")`,
        async () => (await wb.inputBoxMessage()).includes(".subagents/agents/reviewer.md already exists"),
        10_000,
      );

      await wb.typeIntoInputBox(NEW_NAME, { title: "New Agent Definition" });
      const file = path.join(agentsDir, `${NEW_NAME}.md`);
      // The file can exist a moment before its text is in it (created, then written): wait for the text.
      await waitUntil(
        () => `${NEW_NAME}.md to be written with the template (on disk: ${existsSync(file) ? JSON.stringify(readFileSync(file, "utf8")) : "no file"})`,
        () => existsSync(file) && readFileSync(file, "utf8") === agentDefinitionTemplate(NEW_NAME),
        15_000,
      );
      await waitForActiveEditorFile(wb, `${NEW_NAME}.md`);
      assert.match(await wb.activeEditorText(), new RegExp(`name: ${NEW_NAME}`));

      // The description is selected: typing replaces it, and saving writes that. The selection
      // is made after the editor opens, so wait until it shows before typing.
      await waitUntil(
        "the template's description to be selected in the editor",
        async () => (await wb.page.locator(".part.editor .monaco-editor .selected-text").count()) > 0,
        10_000,
      );
      const description = "Helps the end-to-end test.";
      await wb.page.keyboard.type(description);
      await wb.page.keyboard.press("Control+S");
      await waitUntil(
        () => `${NEW_NAME}.md to be saved with the typed description (on disk:\n${readFileSync(file, "utf8")})`,
        () => readFileSync(file, "utf8") === agentDefinitionTemplate(NEW_NAME).replace(TEMPLATE_DESCRIPTION, description),
        10_000,
      );

      // The language server serves the new file (its document symbol, the agent, shows in the
      // breadcrumbs), and the template is a valid definition: no problems for it.
      let crumbs: string[] = [];
      await waitUntil(
        () => `the breadcrumbs to show the agent symbol "${NEW_NAME}" from the language server (breadcrumbs: ${crumbs.join(" › ")})`,
        async () => {
          crumbs = await editorBreadcrumbs(wb);
          return crumbs.indexOf(NEW_NAME) > crumbs.indexOf(`${NEW_NAME}.md`);
        },
        15_000,
      );
      await focusProblemsPanel(wb);
      await staysFalse(
        `the new ${NEW_NAME}.md is valid: no squiggle and no row in the Problems panel`,
        async () => (await activeEditorSquiggles(wb)) > 0 || hasResource(await problemsPanelRows(wb), `${NEW_NAME}.md`),
        2000,
      );
      const rows = await problemsPanelRows(wb);
      assert.equal(markersOf(rows, "reviewer.md").length, 2, `reviewer.md keeps its two problems:\n${describeRows(rows)}`);
    });
  });
});
