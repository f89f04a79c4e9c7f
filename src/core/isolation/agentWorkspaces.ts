import type { WorkspaceTools } from "../tools/workspaceTools";

/** Where an agent's file tools and commands work: the shared workspace, or its own git worktree. */
export const ISOLATION_MODES = ["none", "worktree"] as const;
export type Isolation = (typeof ISOLATION_MODES)[number];

/** An isolated agent's checkout, as the tree shows it and Merge/Discard find it. */
export interface WorktreeInfo {
  path: string;
  branch: string;
  /** The commit it started from; the agent's changes are its diff against this. */
  base: string;
}

/** What the host provides for isolation: creating a worktree, and workspace tools rooted in one. */
export interface WorktreeProvider {
  /** Creates the agent's worktree; rejects with a message fit for the user (e.g. not a git repository). */
  create(agent: { id: string; name: string }): Promise<WorktreeInfo>;
  /** Workspace tools whose files and commands are rooted in `path`. */
  toolsAt(path: string): WorkspaceTools;
}

const NO_WORKTREE = "This agent runs isolated but has no git worktree (it could not be created); its files are not touched. Spawn a new agent instead.";
const NO_PROVIDER = "Worktree isolation is not available here (no git worktree support in this window); spawn the agent without isolation.";

/**
 * The workspace each agent's tools use. An isolated agent never falls back
 * to the shared workspace: without its worktree its tools refuse, so edits
 * meant for the worktree can never land in the user's files.
 */
export class AgentWorkspaces {
  private readonly isolated = new Map<string, WorkspaceTools>();

  constructor(
    private readonly shared: WorkspaceTools,
    private readonly provider: WorktreeProvider | undefined,
  ) {}

  async createWorktree(agent: { id: string; name: string }): Promise<WorktreeInfo> {
    if (!this.provider) throw new Error(NO_PROVIDER);
    const info = await this.provider.create(agent);
    this.isolated.set(agent.id, this.provider.toolsAt(info.path));
    return info;
  }

  /** The tools' workspace for an agent (`worktree` = its checkout, when it runs isolated). */
  workspaceFor(agentId: string, isolation: "worktree" | undefined, worktree: WorktreeInfo | undefined): WorkspaceTools {
    if (isolation === "worktree" && worktree === undefined) return refusingWorkspace(NO_WORKTREE);
    if (worktree === undefined) return this.shared;
    const known = this.isolated.get(agentId);
    if (known) return known;
    if (!this.provider) return refusingWorkspace(NO_PROVIDER);
    const tools = this.provider.toolsAt(worktree.path);
    this.isolated.set(agentId, tools);
    return tools;
  }

  /** The worktree was merged or discarded. */
  forget(agentId: string): void {
    this.isolated.delete(agentId);
  }
}

function refusingWorkspace(message: string): WorkspaceTools {
  const refuse = async (): Promise<never> => {
    throw new Error(message);
  };
  return {
    readFile: refuse,
    statVersion: refuse,
    listFiles: refuse,
    searchText: refuse,
    editFile: refuse,
    writeFile: refuse,
    runCommand: refuse,
    getDiagnostics: refuse,
  };
}
