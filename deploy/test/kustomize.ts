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
 * How to run kustomize here: `kubectl kustomize` (kubectl ships kustomize) or
 * a standalone `kustomize build`. The overlays use `labels` and `patches`,
 * which need kustomize 5 (kubectl 1.27 or later); Debian's kubernetes-client
 * 1.20 carries kustomize 2 and counts as missing. Returns why not if neither fits.
 */
export function findKustomize(): { command: string; args: string[] } | { missing: string } {
  const candidates = [
    { command: 'kubectl', args: ['kustomize'], version: ['version', '--client'] },
    { command: 'kustomize', args: ['build'], version: ['version'] },
  ];
  const seen: string[] = [];
  for (const { command, args, version } of candidates) {
    let output: string;
    try {
      output = execFileSync(command, version, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      continue;
    }
    const major = Number(/(?:Kustomize Version: |^)v?(\d+)\.\d+/m.exec(output)?.[1] ?? 0);
    if (major >= 5) return { command, args };
    seen.push(`${command} has kustomize ${major || 'unknown'}`);
  }
  return {
    missing: `no kustomize 5 found (${seen.join(', ') || 'neither kubectl nor kustomize on PATH'}): install kubectl 1.27+ (google-cloud-cli apt repository) or kustomize 5`,
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
