import * as vscode from "vscode";
import { uriExists } from "../uriExists";
import type { RevertStep } from "../../core/changes/changeReview";
import { assertRealPathInside, resolveWorkspacePath, type WorkspaceRoot } from "../tools/pathContainment";

function roots(): WorkspaceRoot[] {
  return (vscode.workspace.workspaceFolders ?? [])
    .filter((f) => f.uri.scheme === "file")
    .map((f) => ({ name: f.name, fsPath: f.uri.fsPath }));
}

/** The file on disk for a change-set path; a saved change set is data, so its paths are contained like an agent's. */
export async function workspaceUri(path: string): Promise<vscode.Uri> {
  const target = resolveWorkspacePath(roots(), path);
  await assertRealPathInside(target.root, target.absolute, path);
  return vscode.Uri.file(target.absolute);
}


/**
 * Puts one file back as a revert step says, through WorkspaceEdit so it is
 * undoable and merges with an open editor: a file the agent created is
 * deleted, a deleted one is re-created, an edited one gets its old text and
 * is saved (unless the user had unsaved changes in it).
 */
export async function restoreFile(step: RevertStep): Promise<void> {
  if (!vscode.workspace.isTrusted) throw new Error("Refused: this workspace is not trusted (Restricted Mode), so files cannot be reverted in it.");
  const uri = await workspaceUri(step.path);
  const edit = new vscode.WorkspaceEdit();
  if (step.restore === null) {
    edit.deleteFile(uri, { ignoreIfNotExists: true });
    if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`Could not delete ${step.path}; check that it is not locked, then try again.`);
    return;
  }
  if (!(await uriExists(uri))) {
    edit.createFile(uri, { overwrite: false, contents: new TextEncoder().encode(step.restore) });
    if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`Could not re-create ${step.path}; check its folder, then try again.`);
    return;
  }
  const document = await vscode.workspace.openTextDocument(uri);
  const userHadUnsavedChanges = document.isDirty;
  const whole = new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length));
  edit.replace(uri, whole, step.restore);
  if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`Could not restore ${step.path}; it changed while reverting. Try again.`);
  if (!userHadUnsavedChanges) await document.save();
}
