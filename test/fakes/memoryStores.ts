import type { ToolOutputStore } from "../../src/core/agents/storedToolOutputs";
import type { ChangeStore, FileChange } from "../../src/core/changes/fileChange";
import type { TreeStore } from "../../src/core/agents/treePersistence";
import type { TranscriptEvent, TranscriptStore } from "../../src/core/agents/transcript";
import type { AgentSnapshot } from "../../src/core/protocol/agentSnapshot";

/** Transcripts kept in memory; `read` sees every earlier `append`, as the host's store must. */
export class MemoryTranscriptStore implements TranscriptStore {
  readonly events = new Map<string, TranscriptEvent[]>();

  append(agentId: string, event: TranscriptEvent): void {
    let list = this.events.get(agentId);
    if (!list) {
      list = [];
      this.events.set(agentId, list);
    }
    list.push(structuredClone(event));
  }

  async read(agentId: string): Promise<TranscriptEvent[]> {
    return structuredClone(this.events.get(agentId) ?? []);
  }

  of(agentId: string): TranscriptEvent[] {
    return this.events.get(agentId) ?? [];
  }
}

/** A tree store that keeps the last save (deep-copied, as JSON on disk would be). */
export class MemoryTreeStore implements TreeStore {
  saved: AgentSnapshot[] = [];
  saves = 0;

  constructor(initial: AgentSnapshot[] = []) {
    this.saved = structuredClone(initial);
  }

  save(agents: readonly AgentSnapshot[]): void {
    this.saves++;
    this.saved = JSON.parse(JSON.stringify(agents)) as AgentSnapshot[];
  }

  async load(): Promise<AgentSnapshot[]> {
    return structuredClone(this.saved);
  }
}

/** Stored large tool results in memory, keyed by agent and name, as the host keeps them per agent folder. */
export class MemoryToolOutputStore implements ToolOutputStore {
  readonly files = new Map<string, string>();

  async save(agentId: string, name: string, content: string): Promise<void> {
    this.files.set(`${agentId}/${name}`, content);
  }

  async read(agentId: string, name: string): Promise<string | undefined> {
    return this.files.get(`${agentId}/${name}`);
  }
}

/** Change sets kept as JSON per agent, as files on disk would be. */
export class MemoryChangeStore implements ChangeStore {
  readonly saved = new Map<string, string>();

  save(agentId: string, changes: readonly FileChange[]): void {
    if (changes.length === 0) this.saved.delete(agentId);
    else this.saved.set(agentId, JSON.stringify(changes));
  }

  async load(): Promise<Map<string, FileChange[]>> {
    return new Map([...this.saved].map(([id, json]) => [id, JSON.parse(json) as FileChange[]]));
  }
}
