import type { FlatRow } from "./agentStore";

/** What a key press on a focused tree row means, following the WAI-ARIA tree pattern. */
export type TreeKeyCommand =
  | { readonly type: "focus"; readonly index: number }
  | { readonly type: "expand"; readonly id: string }
  | { readonly type: "collapse"; readonly id: string }
  | { readonly type: "select"; readonly id: string }
  | { readonly type: "none" };

export interface KeyPress {
  readonly key: string;
  readonly shiftKey: boolean;
  readonly ctrlKey: boolean;
  readonly altKey: boolean;
  readonly metaKey: boolean;
}

const NONE: TreeKeyCommand = { type: "none" };

/**
 * Arrows move; Right expands or enters, Left collapses or goes to the parent;
 * Home/End and PageUp/PageDown jump; Enter and Space select (show details).
 * The context-menu key and Shift+F10 are left to the browser: their
 * `contextmenu` event opens VS Code's native menu of the focused row.
 */
export function treeKeyCommand(press: KeyPress, rows: readonly FlatRow[], index: number, pageSize: number): TreeKeyCommand {
  const row = rows[index];
  if (!row || press.altKey || press.ctrlKey || press.metaKey) return NONE;
  const last = rows.length - 1;
  const to = (target: number): TreeKeyCommand => ({ type: "focus", index: Math.min(last, Math.max(0, target)) });
  switch (press.key) {
    case "ArrowDown":
      return to(index + 1);
    case "ArrowUp":
      return to(index - 1);
    case "Home":
      return to(0);
    case "End":
      return to(last);
    case "PageDown":
      return to(index + Math.max(1, pageSize - 1));
    case "PageUp":
      return to(index - Math.max(1, pageSize - 1));
    case "ArrowRight":
      if (row.hasChildren && !row.expanded) return { type: "expand", id: row.id };
      return row.expanded ? to(index + 1) : NONE;
    case "ArrowLeft": {
      if (row.expanded) return { type: "collapse", id: row.id };
      if (row.parentId === null) return NONE;
      const parentIndex = rows.findIndex((candidate) => candidate.id === row.parentId);
      return parentIndex >= 0 ? to(parentIndex) : NONE;
    }
    case "Enter":
    case " ":
      return press.shiftKey ? NONE : { type: "select", id: row.id };
    default:
      return NONE;
  }
}
