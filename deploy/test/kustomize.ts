import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const K8S_DIR = fileURLToPath(new URL('../k8s/', import.meta.url));

/** A Kubernetes object as rendered: only the members every object has are typed. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: rendered manifests are checked by schema, then read freely.
  [field: string]: any;
}

/**
 * How to run kustomize here: `kubectl kustomize` (kubectl ships kustomize v5)
 * or a standalone `kustomize build`. Returns why not if neither exists.
 */
export function findKustomize(): { command: string; args: string[] } | { missing: string } {
  for (const [command, args] of [
    ['kubectl', ['kustomize']],
    ['kustomize', ['build']],
  ] as const) {
    try {
      execFileSync(command, command === 'kubectl' ? ['version', '--client'] : ['version'], { stdio: 'ignore' });
      return { command, args: [...args] };
    } catch {}
  }
  return {
    missing: 'neither kubectl nor kustomize is on PATH (kubectl from the google-cloud-cli apt repository, or kubernetes-client on Debian)',
  };
}

export function render(tool: { command: string; args: string[] }, dir: string): K8sObject[] {
  const output = execFileSync(tool.command, [...tool.args, `${K8S_DIR}${dir}`], { encoding: 'utf8' });
  return parseAllDocuments(output)
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((doc): doc is K8sObject => doc !== null);
}

export function findObject(objects: K8sObject[], kind: string, name?: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (!found) throw new Error(`no ${kind}${name ? ` named ${name}` : ''} in the rendered output`);
  return found;
}
