import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import type { AgentSnapshot } from "../../src/core/protocol/agentSnapshot";
import { FIXTURE_NOW, makeAgent, snapshotOf } from "./fixtures";
import { cspViolations, openView, pageErrors, postAndPaint, startHarness, type ViewOptions, type WebviewHarness } from "./harness";

/**
 * A row whose command waits for approval, at VS Code's default sidebar width
 * (~300 px): the name must stay readable and uncovered, the command must get
 * real room, and the decision buttons must be on screen — in every theme.
 */

let harness: WebviewHarness;
before(async () => {
  harness = await startHarness();
});
after(async () => {
  await harness.close();
});

const WIDTH = 300;
const THEMES: ReadonlyArray<NonNullable<ViewOptions["theme"]>> = ["light", "dark", "high-contrast"];
const ROOT_NAME = "S5 commands need approval";
const LONG_NAME = "integration-test-runner-for-the-payments-service";
const COMMANDS: Readonly<Record<string, string>> = {
  denier: "echo denied-output-$((40+3))",
  long: "npm run test:integration -- --grep 'payment refunds' --reporter=spec --bail",
};

function approvalTree(): AgentSnapshot[] {
  const t = FIXTURE_NOW;
  const child = (id: string, name: string, createdAt: number): AgentSnapshot =>
    makeAgent({
      id,
      name,
      parentId: "root",
      rootId: "root",
      depth: 1,
      status: "waiting",
      createdAt,
      pendingApproval: { requestId: `req-${id}`, command: COMMANDS[id] ?? "", cwd: "." },
      statusReason: "Waiting for approval",
      timeoutAt: t + 300_000,
      keyFingerprint: "…5002",
      tokensIn: 165,
      tokensOut: 14,
    });
  return [
    makeAgent({ id: "root", name: ROOT_NAME, role: "root", status: "waiting", createdAt: t - 10_000, keyFingerprint: "…5002" }),
    child("denier", "s5-denier", t - 9_000),
    child("long", LONG_NAME, t - 8_000),
  ];
}

interface Box {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
}

interface RowLayout {
  readonly row: Box;
  /** The part of the name that is painted (clipped by its overflowing ancestors). */
  readonly name: Box;
  readonly nameText: string;
  readonly nameTruncated: boolean;
  readonly nameEllipsis: boolean;
  readonly command: Box;
  readonly commandText: string;
  readonly commandTitle: string | null;
  readonly buttons: ReadonlyArray<{ readonly label: string; readonly box: Box; readonly full: Box; readonly visible: boolean }>;
  /** Time left, tokens and key: painted in full or not at all. */
  readonly metrics: ReadonlyArray<{ readonly className: string; readonly box: Box; readonly full: Box }>;
}

/** Measures one row in the page: painted boxes, clipped by every ancestor that hides overflow. */
async function rowLayout(page: Page, id: string): Promise<RowLayout> {
  return page.locator(`[data-id="${id}"]`).evaluate((rowElement) => {
    interface Rect {
      left: number;
      top: number;
      right: number;
      bottom: number;
    }
    interface Node {
      getBoundingClientRect(): Rect;
      readonly parentElement: Node | null;
      readonly textContent: string | null;
      readonly className: string;
      readonly scrollWidth: number;
      readonly clientWidth: number;
      getAttribute(name: string): string | null;
      querySelector(selector: string): Node | null;
      querySelectorAll(selector: string): Iterable<Node>;
    }
    interface Style {
      overflowX: string;
      overflowY: string;
      display: string;
      visibility: string;
      opacity: string;
      textOverflow: string;
    }
    // No named helpers in here: the test runner's transform would wrap them in a helper the page lacks.
    const g = globalThis as unknown as { getComputedStyle(n: Node): Style };
    const row = rowElement as unknown as Node;
    const name = row.querySelector(".name");
    const command = row.querySelector(".activity.approval code");
    const activity = row.querySelector(".activity.approval");
    if (!name || !command || !activity) throw new Error("row without a name or a pending command");
    const buttons = [...row.querySelectorAll("button")];
    const metrics = [...row.querySelectorAll(".line2 .remaining, .line2 .tokens, .line2 .key")];
    const [rowBox, nameBox, commandBox, ...otherBoxes] = [row, name, command, ...buttons, ...metrics].map((node) => {
      const r = node.getBoundingClientRect();
      const full = { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
      const box = { ...full };
      let shown = true;
      for (let up: Node | null = node; up; up = up.parentElement) {
        const style = g.getComputedStyle(up);
        if (style.display === "none" || style.visibility === "hidden" || Number(style.opacity) < 0.5) shown = false;
        if (up === node || (style.overflowX === "visible" && style.overflowY === "visible")) continue;
        const clip = up.getBoundingClientRect();
        box.left = Math.max(box.left, clip.left);
        box.right = Math.max(box.left, Math.min(box.right, clip.right));
        box.top = Math.max(box.top, clip.top);
        box.bottom = Math.max(box.top, Math.min(box.bottom, clip.bottom));
      }
      return { full, box: shown ? box : { left: 0, top: 0, right: 0, bottom: 0 }, shown };
    });
    if (!rowBox || !nameBox || !commandBox) throw new Error("unmeasured row");
    return {
      row: rowBox.full,
      name: nameBox.box,
      nameText: name.textContent ?? "",
      nameTruncated: name.scrollWidth > name.clientWidth,
      nameEllipsis: g.getComputedStyle(name).textOverflow === "ellipsis",
      command: commandBox.box,
      commandText: command.textContent ?? "",
      commandTitle: activity.getAttribute("title"),
      buttons: buttons.map((button, index) => ({
        label: button.getAttribute("aria-label") ?? "",
        box: otherBoxes[index]?.box ?? { left: 0, top: 0, right: 0, bottom: 0 },
        full: otherBoxes[index]?.full ?? { left: 0, top: 0, right: 0, bottom: 0 },
        visible: otherBoxes[index]?.shown ?? false,
      })),
      metrics: metrics.map((metric, index) => ({
        className: metric.className,
        box: otherBoxes[buttons.length + index]?.box ?? { left: 0, top: 0, right: 0, bottom: 0 },
        full: otherBoxes[buttons.length + index]?.full ?? { left: 0, top: 0, right: 0, bottom: 0 },
      })),
    };
  });
}

const width = (box: Box): number => box.right - box.left;
const height = (box: Box): number => box.bottom - box.top;
const overlaps = (a: Box, b: Box): boolean => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
const inside = (inner: Box, outer: Box): boolean =>
  inner.left >= outer.left - 0.5 && inner.right <= outer.right + 0.5 && inner.top >= outer.top - 0.5 && inner.bottom <= outer.bottom + 0.5;

function assertReadableApprovalRow(layout: RowLayout, name: string, command: string, when: string): void {
  assert.equal(layout.nameText, name);
  assert.ok(width(layout.name) >= 60, `${when}: ${name}'s name shows ${width(layout.name).toFixed(0)} px`);
  assert.ok(width(layout.command) >= 80, `${when}: ${name}'s pending command shows ${width(layout.command).toFixed(0)} px (need ≥ 80)`);
  assert.ok(height(layout.command) >= 10, `${when}: ${name}'s pending command is clipped vertically`);
  assert.ok(inside(layout.command, layout.row), `${when}: the command is painted inside its row`);
  assert.equal(layout.commandText, command, "the row holds the whole command");
  assert.equal(layout.commandTitle, command, "the whole command is in the tooltip");
  for (const label of [`Approve command of ${name}`, `Deny command of ${name}`]) {
    const button = layout.buttons.find((b) => b.label === label);
    assert.ok(button, `${when}: no "${label}" button (buttons: ${layout.buttons.map((b) => b.label).join(" | ")})`);
    assert.ok(button.visible, `${when}: "${label}" is not visible`);
    assert.deepEqual(button.box, button.full, `${when}: "${label}" is clipped, so its focus outline would be too`);
    assert.ok(inside(button.full, layout.row), `${when}: "${label}" lies outside its row`);
  }
  for (const metric of layout.metrics) {
    const painted = width(metric.box) * height(metric.box);
    assert.ok(painted === 0 || (width(metric.box) >= width(metric.full) - 0.5 && height(metric.box) >= height(metric.full) - 0.5), `${when}: ${name}'s .${metric.className} is cut off (${JSON.stringify(metric)})`);
    if (painted > 0) assert.ok(!overlaps(metric.box, layout.command), `${when}: .${metric.className} covers the command`);
  }
  for (const button of layout.buttons) {
    if (!button.visible || width(button.box) === 0) continue;
    assert.ok(!overlaps(button.box, layout.name), `${when}: "${button.label}" covers ${name}'s name`);
    assert.ok(!overlaps(button.box, layout.command), `${when}: "${button.label}" covers ${name}'s command`);
  }
}

async function openApprovalTree(theme: NonNullable<ViewOptions["theme"]>): Promise<Page> {
  const page = await openView(harness, { theme, width: WIDTH, height: 400 });
  await postAndPaint(page, snapshotOf(approvalTree()));
  await page.mouse.move(0, 0);
  return page;
}

describe("agent row with a pending approval at the default sidebar width", () => {
  for (const theme of THEMES) {
    it(`keeps the name readable and uncovered and gives the command room (${theme})`, async () => {
      const page = await openApprovalTree(theme);
      const denier = await rowLayout(page, "denier");
      assertReadableApprovalRow(denier, "s5-denier", COMMANDS["denier"] ?? "", `${theme}, at rest`);
      assert.equal(denier.nameTruncated, false, `"s5-denier" fits in full at ${WIDTH} px`);

      const long = await rowLayout(page, "long");
      assertReadableApprovalRow(long, LONG_NAME, COMMANDS["long"] ?? "", `${theme}, long name and command`);
      assert.ok(long.nameTruncated && long.nameEllipsis, "a long name ends in an ellipsis");

      // Hover, selection and keyboard focus must not bring buttons over the name either.
      await page.locator('[data-id="denier"]').hover();
      assertReadableApprovalRow(await rowLayout(page, "denier"), "s5-denier", COMMANDS["denier"] ?? "", `${theme}, hovered`);
      await page.locator('[data-id="denier"] .name').click();
      await page.mouse.move(0, 0);
      assertReadableApprovalRow(await rowLayout(page, "denier"), "s5-denier", COMMANDS["denier"] ?? "", `${theme}, selected and focused`);

      // One row height for all: the next row starts where the approval row ends.
      const rows = await page.$$eval(".row", (elements) => elements.map((e) => ({ id: e.getAttribute("data-id"), top: e.getBoundingClientRect().top, height: e.getBoundingClientRect().height })));
      const denierRow = rows.find((r) => r.id === "denier");
      const longRow = rows.find((r) => r.id === "long");
      assert.ok(denierRow && longRow);
      assert.equal(longRow.top - denierRow.top, denierRow.height, "rows are stacked by one fixed height");

      assert.deepEqual(await cspViolations(page), []);
      assert.deepEqual(pageErrors(page), []);
      await page.close();
    });

    it(`shows time left, tokens and key again when the sidebar is wide enough (${theme})`, async () => {
      const page = await openApprovalTree(theme);
      await page.setViewportSize({ width: 600, height: 400 });
      await postAndPaint(page, snapshotOf(approvalTree()));
      const denier = await rowLayout(page, "denier");
      assertReadableApprovalRow(denier, "s5-denier", COMMANDS["denier"] ?? "", `${theme}, 600 px`);
      assert.deepEqual(
        denier.metrics.filter((m) => width(m.box) > 0).map((m) => m.className),
        ["remaining", "tokens", "key"],
      );
      await page.close();
    });

    it(`shows keyboard focus on the row and on its Approve/Deny buttons (${theme})`, async () => {
      const page = await openApprovalTree(theme);
      await page.locator(".tree").focus();
      await page.keyboard.press("ArrowDown");
      await page.keyboard.press("ArrowDown");
      const focusLook = (): Promise<{ label: string; style: string; width: string; color: string }> =>
        page.evaluate(() => {
          interface Focused {
            getAttribute(name: string): string | null;
          }
          const g = globalThis as unknown as {
            document: { activeElement: Focused | null };
            getComputedStyle(e: Focused): { outlineStyle: string; outlineWidth: string; outlineColor: string };
          };
          const active = g.document.activeElement;
          if (!active) return { label: "", style: "none", width: "0px", color: "" };
          const style = g.getComputedStyle(active);
          return { label: active.getAttribute("aria-label") ?? "", style: style.outlineStyle, width: style.outlineWidth, color: style.outlineColor };
        });
      const visibleOutline = (look: { style: string; width: string; color: string }): boolean =>
        look.style !== "none" && Number.parseFloat(look.width) >= 1 && !/rgba\(0, 0, 0, 0\)|transparent/.test(look.color);

      const row = await focusLook();
      assert.equal(row.label, "s5-denier, Waiting");
      assert.ok(visibleOutline(row), `${theme}: the focused row has no visible outline (${JSON.stringify(row)})`);
      for (const label of ["Approve command of s5-denier", "Deny command of s5-denier"]) {
        await page.keyboard.press("Tab");
        const button = await focusLook();
        assert.equal(button.label, label);
        assert.ok(visibleOutline(button), `${theme}: "${label}" has no visible focus outline (${JSON.stringify(button)})`);
      }
      assertReadableApprovalRow(await rowLayout(page, "denier"), "s5-denier", COMMANDS["denier"] ?? "", `${theme}, a button focused`);
      await page.close();
    });
  }
});
