import * as z from "zod";

/**
 * UI state that survives hide/show and reload through the webview's
 * `getState`/`setState`. Agent data is not here: it comes from the host's
 * snapshot after `ready`.
 */
export const viewStateSchema = z.object({
  version: z.literal(1),
  /** Parents the user collapsed; everything else is expanded. */
  collapsed: z.array(z.string()).max(10_000),
  selectedId: z.string().nullable(),
  focusedId: z.string().nullable(),
  scrollTop: z.number().min(0),
  detailOpen: z.boolean(),
});
export type ViewState = z.infer<typeof viewStateSchema>;

export const INITIAL_VIEW_STATE: ViewState = {
  version: 1,
  collapsed: [],
  selectedId: null,
  focusedId: null,
  scrollTop: 0,
  detailOpen: true,
};

export type ViewAction =
  | { readonly type: "toggle"; readonly id: string }
  | { readonly type: "setExpanded"; readonly id: string; readonly expanded: boolean }
  | { readonly type: "select"; readonly id: string | null }
  | { readonly type: "focus"; readonly id: string | null }
  | { readonly type: "scroll"; readonly top: number }
  | { readonly type: "setDetailOpen"; readonly open: boolean }
  /** Agents that still exist; forget state about the others (cleared or replaced trees). */
  | { readonly type: "prune"; readonly exists: (id: string) => boolean };

/** Whatever the webview stored (possibly by an older version): a valid state or the initial one. */
export function restoreViewState(raw: unknown): ViewState {
  const parsed = viewStateSchema.safeParse(raw);
  return parsed.success ? parsed.data : INITIAL_VIEW_STATE;
}

function withCollapsed(state: ViewState, id: string, collapsed: boolean): ViewState {
  const isCollapsed = state.collapsed.includes(id);
  if (isCollapsed === collapsed) return state;
  return {
    ...state,
    collapsed: collapsed ? [...state.collapsed, id] : state.collapsed.filter((other) => other !== id),
  };
}

/** Pure: returns the same object when nothing changed, so callers can skip saving and rendering. */
export function reduceViewState(state: ViewState, action: ViewAction): ViewState {
  switch (action.type) {
    case "toggle":
      return withCollapsed(state, action.id, !state.collapsed.includes(action.id));
    case "setExpanded":
      return withCollapsed(state, action.id, !action.expanded);
    case "select":
      return state.selectedId === action.id ? state : { ...state, selectedId: action.id };
    case "focus":
      return state.focusedId === action.id ? state : { ...state, focusedId: action.id };
    case "scroll": {
      const top = Math.max(0, Math.round(action.top));
      return state.scrollTop === top ? state : { ...state, scrollTop: top };
    }
    case "setDetailOpen":
      return state.detailOpen === action.open ? state : { ...state, detailOpen: action.open };
    case "prune": {
      const collapsed = state.collapsed.filter(action.exists);
      const selectedId = state.selectedId !== null && action.exists(state.selectedId) ? state.selectedId : null;
      const focusedId = state.focusedId !== null && action.exists(state.focusedId) ? state.focusedId : null;
      if (collapsed.length === state.collapsed.length && selectedId === state.selectedId && focusedId === state.focusedId) {
        return state;
      }
      return { ...state, collapsed, selectedId, focusedId };
    }
  }
}
