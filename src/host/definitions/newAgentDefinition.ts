import * as vscode from "vscode";
import { uriExists } from "../uriExists";
import { AGENT_NAME_PATTERN } from "../../core/definitions/definitionSchema";
import { TEMPLATE_DESCRIPTION, agentDefinitionTemplate } from "../../core/definitions/definitionFiles";
import { NEW_AGENT_DEFINITION_COMMAND } from "./definitionCommandIds";

export function registerNewAgentDefinitionCommand(): vscode.Disposable {
  return vscode.commands.registerCommand(NEW_AGENT_DEFINITION_COMMAND, () => newAgentDefinition());
}

/**
 * "New Agent Definition": asks for a name, writes `.subagents/agents/<name>.md`
 * from the template and opens it with the description selected, ready to type.
 * Returns the new file, or undefined when the user cancelled.
 */
export async function newAgentDefinition(): Promise<vscode.Uri | undefined> {
  const folder = await pickFolder();
  if (!folder) return undefined;
  const dir = vscode.Uri.joinPath(folder.uri, ".subagents", "agents");
  const fileFor = (name: string) => vscode.Uri.joinPath(dir, `${name}.md`);

  const name = await vscode.window.showInputBox({
    title: "New Agent Definition",
    prompt: "Name of the agent type (used as agent_type by spawn_agent)",
    placeHolder: "reviewer",
    validateInput: async (value) => {
      const trimmed = value.trim();
      if (!AGENT_NAME_PATTERN.test(trimmed)) {
        return "Use 1-64 letters, digits, '-', '_' or '.', starting with a letter or digit.";
      }
      return (await uriExists(fileFor(trimmed))) ? `.subagents/agents/${trimmed}.md already exists.` : undefined;
    },
  });
  if (name === undefined) return undefined;

  const uri = fileFor(name.trim());
  const text = agentDefinitionTemplate(name.trim());
  try {
    await vscode.workspace.fs.createDirectory(dir);
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
  } catch (error) {
    void vscode.window.showErrorMessage(
      `Subagents: could not create ${uri.fsPath}: ${error instanceof Error ? error.message : String(error)}. Check that the folder is writable.`,
    );
    return undefined;
  }
  const editor = await vscode.window.showTextDocument(uri);
  const at = text.indexOf(TEMPLATE_DESCRIPTION);
  if (at >= 0) {
    const start = editor.document.positionAt(at);
    editor.selection = new vscode.Selection(start, editor.document.positionAt(at + TEMPLATE_DESCRIPTION.length));
  }
  return uri;
}

async function pickFolder(): Promise<vscode.WorkspaceFolder | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) {
    void vscode.window.showErrorMessage("Subagents: open a folder first; agent definitions live in its .subagents/agents folder.");
    return undefined;
  }
  if (folders.length === 1) return folders[0];
  return vscode.window.showWorkspaceFolderPick({ placeHolder: "Workspace folder for the new agent definition" });
}

