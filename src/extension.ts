import * as nodePath from "node:path";
import * as vscode from "vscode";
import { AgentSupervisor } from "./core/agents/agentSupervisor";
import { Disposable } from "./core/common/disposable";
import type { Event } from "./core/common/emitter";
import { createAgentTypeResolver } from "./core/definitions/agentTypeResolver";
import { providerOrigins } from "./core/keys/keyOrigin";
import { KeyPools } from "./core/keys/keyPools";
import { keysFromEnvironment } from "./core/keys/envImport";
import { SecretRedactor } from "./core/keys/redact";
import { redactingWorkspaceTools } from "./core/tools/redactingWorkspaceTools";
import { ChatClient } from "./core/llm/chatClient";
import { actionCommandId, AGENT_ACTION_IDS } from "./core/protocol/agentActions";
import { agentCommandHandlers } from "./host/agents/agentCommands";
import { raiseBudget } from "./host/agents/budgetCommands";
import { ApprovalNotifications } from "./host/agents/approvalNotifications";
import { runTask } from "./host/agents/runTask";
import { registerChatParticipant } from "./host/lm/chatParticipant";
import { registerLanguageModelTools } from "./host/lm/languageModelTools";
import { VscodeExtensionTools } from "./host/lm/vscodeExtensionTools";
import { VscodeLmModelClient } from "./host/lm/vscodeLmModelClient";
import { vscodeLmRef } from "./core/llm/vscodeLmRef";
import { TreeIndicators } from "./host/agents/treeIndicators";
import { AgentDefinitionWatcher } from "./host/definitions/agentDefinitionWatcher";
import { AgentDefinitionLanguageClient } from "./host/definitions/definitionLanguageClient";
import { registerNewAgentDefinitionCommand } from "./host/definitions/newAgentDefinition";
import { AgentTreeViewProvider } from "./host/agentTreeView";
import { AgentChangeActions } from "./host/changes/agentChangeActions";
import { ChangeDocuments } from "./host/changes/changeDocuments";
import { CHANGE_COMMAND_IDS } from "./host/changes/changeCommandIds";
import { FileChangeStore } from "./host/persistence/fileChangeStore";
import { GitWorktrees } from "./host/worktrees/gitWorktrees";
import { WorktreeActions } from "./host/worktrees/worktreeActions";
import { createWorktreeProvider } from "./host/worktrees/worktreeProvider";
import { AGENT_TREE_VIEW_ID, COMMAND_IDS, type CommandId } from "./host/commandIds";
import { registerCommands } from "./host/commands";
import { keyCommandHandlers } from "./host/keys/keyCommands";
import { MIN_KEY_LENGTH } from "./host/keys/keyInput";
import { SecretKeyStore } from "./host/keys/secretKeyStore";
import { OutputLogger } from "./host/outputLogger";
import { FileTreeStore } from "./host/persistence/fileTreeStore";
import { JsonlTranscriptStore } from "./host/persistence/jsonlTranscriptStore";
import { pruneClearedTranscripts } from "./host/persistence/transcriptPruning";
import { ToolOutputFiles } from "./host/persistence/toolOutputFiles";
import { SettingsReader } from "./host/settings/settingsReader";
import { findRipgrep } from "./host/tools/ripgrep";
import { VscodeWorkspaceTools } from "./host/tools/vscodeWorkspaceTools";
import { TranscriptDocuments } from "./host/transcripts/transcriptDocuments";

/**
 * The object graph of one window. Everything is registered with this owner in
 * creation order and disposed in reverse, so the supervisor stops before the
 * transcript and tree stores write their last lines.
 */
class SubagentsExtension extends Disposable {
  /** The agent-definition language server's client; `deactivate()` stops it (VS Code awaits that). */
  readonly definitionClient: AgentDefinitionLanguageClient;

  constructor(context: vscode.ExtensionContext) {
    super();
    const activatedAt = Date.now();
    const channel = this.register(vscode.window.createOutputChannel("Subagents", { log: true }));
    let pools: KeyPools | undefined;
    let settingsReader: SettingsReader | undefined;
    // Every key of every pool, and keys waiting in the environment to be imported, are cut from
    // whatever is shown, stored, sent or logged.
    const redactor = new SecretRedactor(() => [
      ...(pools?.secretsForRedaction() ?? []),
      // Values too short to be keys (a stray "1") would cut ordinary text everywhere.
      ...(settingsReader?.current.providers ?? [])
        .flatMap((p) => (p.envPrefix ? keysFromEnvironment(p.envPrefix, process.env) : []))
        .filter((value) => value.length >= MIN_KEY_LENGTH),
    ]);
    const logger = new OutputLogger(channel, (text) => redactor.redactMessage(text));
    const settings = (settingsReader = this.register(new SettingsReader(logger)));
    // Both read the user's own provider settings (never a workspace's): keys go only to the origin they were added for.
    const originOf = providerOrigins(() => settings.current.providers);
    const keyStore = this.register(new SecretKeyStore(context.secrets, { originForUnbound: originOf }));
    const keyPools = (pools = this.register(
      new KeyPools({ store: keyStore, originOf, cooldownSeconds: settings.current["keyPool.cooldownSeconds"], logger }),
    ));
    const providerIds = () => settings.current.providers.map((p) => p.id);
    void keyPools.load(providerIds());
    const onDidChangeKeys: Event<void> = (listener) => keyPools.onDidChange(() => listener());

    const storage = (context.storageUri ?? context.globalStorageUri).fsPath;
    const transcriptsDirectory = nodePath.join(storage, "transcripts");
    const transcripts = this.register(new JsonlTranscriptStore(transcriptsDirectory, logger, (event) => redactor.redactDeep(event)));
    const toolOutputs = new ToolOutputFiles(transcriptsDirectory, (text) => redactor.redact(text));
    const treeStore = new FileTreeStore(storage, logger, Date.now, {
      transcriptsDirectory,
      beforeSave: (agents) => redactor.redactDeep(agents),
      warnUser: (message) => void vscode.window.showWarningMessage(message),
    });
    const keyPoolClient = this.register(new ChatClient({ pools: keyPools, providers: () => settings.current.providers, logger, redactor }));
    // `vscode-lm:` models go through VS Code's language model API (no keys of ours); the rest through the key pools.
    const modelClient = new VscodeLmModelClient(keyPoolClient, { logger, redactMessages: (messages) => redactor.redactEach(messages) });
    const ripgrepPath = findRipgrep(vscode.env.appRoot);
    const providers = () => settings.current.providers;
    const extensionTools = new VscodeExtensionTools((text) => redactor.redact(text));
    // Listing VS Code's models asks for no consent (using one does).
    const vscodeModels = async () => (await vscode.lm.selectChatModels()).map(vscodeLmRef);
    const definitions = this.register(
      new AgentDefinitionWatcher({ providers, onDidChangeSettings: settings.onDidChange, logger }),
    );
    this.definitionClient = this.register(
      new AgentDefinitionLanguageClient({
        serverModule: vscode.Uri.joinPath(context.extensionUri, "dist", "server.js").fsPath,
        providers,
        vscodeOffers: async () => ({
          models: await vscodeModels(),
          tools: extensionTools.available().map(({ name, description }) => ({ name, description })),
        }),
        logger,
      }),
    );
    // The server reports problems of files on disk too, so start it as soon as
    // any definition file exists, not only when one is opened.
    const startServerIfDefinitions = (current: { files: readonly unknown[] }) => {
      if (current.files.length > 0) void this.definitionClient.ensureStarted();
    };
    void definitions.ready.then(() => startServerIfDefinitions(definitions.current));
    this.register(definitions.onDidChange(startServerIfDefinitions));
    // Worktrees of isolated agents live under the extension's storage, never inside the workspace.
    const gitWorktrees = (): GitWorktrees | undefined => {
      const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === "file");
      return folder ? new GitWorktrees(folder.uri.fsPath, storage, logger) : undefined;
    };
    const supervisor = this.register(
      new AgentSupervisor({
        worktrees: createWorktreeProvider({ worktrees: gitWorktrees, settings: () => settings.current, ripgrepPath, redactor }),
        settings: () => settings.current,
        modelClient,
        workspace: redactingWorkspaceTools(new VscodeWorkspaceTools({ settings: () => settings.current, ripgrepPath }), redactor),
        transcripts,
        toolOutputs,
        extensionTools,
        treeStore,
        // Beside the transcripts; every text is redacted again on its way to disk.
        changeStore: new FileChangeStore(nodePath.join(storage, "changes"), logger, (text) => redactor.redact(text)),
        usableKeyCount: (providerId) => keyPools.usableKeyCount(providerId),
        agentTypes: createAgentTypeResolver(() => definitions.current),
        logger,
      }),
    );
    logger.info(`activated; search uses ${ripgrepPath ? "VS Code's ripgrep" : "findFiles (ripgrep not found)"}`);
    // A crash (or a cleared tree) may have left worktrees behind: keep only those of agents still in the tree.
    void supervisor.ready.then(async () => {
      if (!vscode.workspace.isTrusted) return;
      const keep = new Set(supervisor.snapshot().filter((a) => a.worktree !== undefined).map((a) => a.id));
      await gitWorktrees()?.sweep(keep).catch((error: unknown) => logger.warn(`could not sweep worktrees: ${String(error)}`));
    });
    void supervisor.ready.then(() =>
      pruneClearedTranscripts(treeStore, transcripts, new Set(supervisor.snapshot().map((a) => a.id)), activatedAt, logger, [toolOutputs]),
    );

    this.register(
      settings.onDidChange((next) => {
        keyPools.setCooldownLadder(next["keyPool.cooldownSeconds"]);
        void keyPools.load(providerIds());
        supervisor.applySettings();
      }),
    );
    this.register(keyPools.onDidChange(() => supervisor.refreshCaps()));

    const documents = this.register(new TranscriptDocuments(supervisor, transcripts, (text) => redactor.redact(text)));
    this.register(new TreeIndicators(supervisor, () => keyPools.summaries(), onDidChangeKeys));
    this.register(new ApprovalNotifications(supervisor, logger));
    this.register(new ChangeDocuments(supervisor.review));
    const changes = new AgentChangeActions(supervisor.review, supervisor, logger);
    const reportFailure = (what: string) => (error: unknown) => {
      const message = `Subagents: ${what} failed: ${error instanceof Error ? error.message : String(error)}`;
      logger.error(message);
      void vscode.window.showErrorMessage(message);
    };
    this.register(vscode.commands.registerCommand(CHANGE_COMMAND_IDS.reviewAgentChanges, () => changes.review().catch(reportFailure("reviewing changes"))));
    this.register(vscode.commands.registerCommand(CHANGE_COMMAND_IDS.revertAgentChanges, () => changes.revert().catch(reportFailure("reverting changes"))));
    const worktrees = new WorktreeActions(supervisor, gitWorktrees, logger);
    this.register(vscode.commands.registerCommand(CHANGE_COMMAND_IDS.mergeAgentWorktree, () => worktrees.merge().catch(reportFailure("merging a worktree"))));
    this.register(vscode.commands.registerCommand(CHANGE_COMMAND_IDS.discardAgentWorktree, () => worktrees.discard().catch(reportFailure("discarding a worktree"))));
    const treeView = this.register(
      new AgentTreeViewProvider(context.extensionUri, {
        supervisor,
        keySummary: () => keyPools.summaries(),
        onDidChangeKeys,
        runCommand: (id: CommandId, ...args: unknown[]) => vscode.commands.executeCommand(id, ...args),
        copyToClipboard: (text) => vscode.env.clipboard.writeText(redactor.redact(text)),
        logger,
        changes,
        worktrees,
      }, (message) => redactor.redactDeep(message)),
    );
    this.register(vscode.window.registerWebviewViewProvider(AGENT_TREE_VIEW_ID, treeView));
    // The entries of a row's native context menu (package.json `menus.webview/context`).
    for (const action of AGENT_ACTION_IDS) {
      this.register(vscode.commands.registerCommand(actionCommandId(action), (menuContext: unknown) => treeView.runAgentAction(action, menuContext)));
    }

    const keys = keyCommandHandlers({ store: keyStore, pools: keyPools, settings: () => settings.current, env: process.env, logger });
    const agents = agentCommandHandlers({ supervisor, openTranscript: (id) => documents.open(id) });
    const runTaskDeps = {
      supervisor,
      settings: () => settings.current,
      storedKeyCount: async (providerId: string) => (await keyStore.list(providerId)).length,
      openDocument: (id: string, view: "transcript" | "result") => documents.open(id, view),
      logger,
      vscodeModels,
    };
    for (const registration of registerCommands(
      {
        [COMMAND_IDS.runTask]: (arg) => runTask(runTaskDeps, arg),
        [COMMAND_IDS.addApiKey]: keys.addApiKey,
        [COMMAND_IDS.removeApiKey]: keys.removeApiKey,
        [COMMAND_IDS.importApiKeys]: keys.importApiKeys,
        [COMMAND_IDS.showKeyPool]: keys.showKeyPool,
        [COMMAND_IDS.interruptAgent]: agents.interruptAgent,
        [COMMAND_IDS.interruptAll]: agents.interruptAll,
        [COMMAND_IDS.setAgentTimeout]: agents.setAgentTimeout,
        [COMMAND_IDS.togglePauseSpawning]: agents.togglePauseSpawning,
        [COMMAND_IDS.openTranscript]: agents.openTranscript,
        [COMMAND_IDS.clearFinished]: agents.clearFinished,
        [COMMAND_IDS.raiseBudget]: (arg) => raiseBudget(supervisor, arg),
      },
      logger,
    )) {
      this.register(registration);
    }
    this.register(registerNewAgentDefinitionCommand());
    // Copilot agent mode (and other extensions) may hand tasks to our scheduler; each run asks the user first.
    const delegation = { supervisor, settings: () => settings.current, redact: (text: string) => redactor.redact(text), logger };
    for (const tool of registerLanguageModelTools(delegation)) this.register(tool);
    this.register(registerChatParticipant(delegation, context.extensionUri));
  }
}

let current: SubagentsExtension | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const extension = new SubagentsExtension(context);
  current = extension;
  context.subscriptions.push(extension);
}

/** Stops the language server before the window goes (its subscriptions are disposed after this). */
export async function deactivate(): Promise<void> {
  const extension = current;
  current = undefined;
  await extension?.definitionClient.stop();
}
