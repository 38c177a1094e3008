import { parse } from 'yaml';
import type { K8sObject } from './kustomize.js';

type Model = new (data: unknown) => { validate(): void };
type ModelModule = Record<string, Model | unknown>;

/** The schema packages for every apiVersion the manifests use; anything else is refused. */
const MODELS: Record<string, () => Promise<ModelModule>> = {
  v1: () => import('kubernetes-models/v1'),
  'apps/v1': () => import('kubernetes-models/apps/v1'),
  'batch/v1': () => import('kubernetes-models/batch/v1'),
  'policy/v1': () => import('kubernetes-models/policy/v1'),
  'autoscaling/v2': () => import('kubernetes-models/autoscaling/v2'),
  'networking.k8s.io/v1': () => import('kubernetes-models/networking.k8s.io/v1'),
  'cert-manager.io/v1': () => import('@kubernetes-models/cert-manager/cert-manager.io/v1'),
  'monitoring.coreos.com/v1': () => import('@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1'),
};

/**
 * Validates an object against the published schema of its kind. Returns the
 * problems, empty when valid. SecretProviderClass (Secrets Store CSI driver)
 * has no schema package, so its few fields are checked here by hand.
 */
export async function validateObject(object: K8sObject): Promise<string[]> {
  const where = `${object.kind}/${object.metadata?.name}`;
  if (object.apiVersion === 'secrets-store.csi.x-k8s.io/v1' && object.kind === 'SecretProviderClass') {
    return validateSecretProviderClass(object).map((p) => `${where}: ${p}`);
  }
  const gke = GKE_SCHEMAS[`${object.apiVersion}/${object.kind}`];
  if (gke) return checkShape(object.spec, gke, 'spec').map((p) => `${where}: ${p}`);
  const load = MODELS[object.apiVersion];
  if (!load) return [`${where}: no schema for apiVersion ${object.apiVersion}`];
  const model = (await load())[object.kind] as Model | undefined;
  if (typeof model !== 'function') return [`${where}: no schema for kind ${object.kind} in ${object.apiVersion}`];
  try {
    new model(object).validate();
    return [];
  } catch (error) {
    return [`${where}: ${(error as Error).message}`];
  }
}

type Shape = 'string' | 'integer' | 'boolean' | { [field: string]: Shape };

/**
 * GKE's BackendConfig and FrontendConfig have no schema package: the fields
 * used here, from the GKE Ingress reference, each with its type. Anything else
 * is refused, as a misspelt field would otherwise be dropped by the API server.
 */
const GKE_SCHEMAS: Record<string, Shape> = {
  'cloud.google.com/v1/BackendConfig': {
    timeoutSec: 'integer',
    connectionDraining: { drainingTimeoutSec: 'integer' },
    healthCheck: {
      type: 'string',
      requestPath: 'string',
      port: 'integer',
      checkIntervalSec: 'integer',
      timeoutSec: 'integer',
      healthyThreshold: 'integer',
      unhealthyThreshold: 'integer',
    },
    logging: { enable: 'boolean', sampleRate: 'integer' },
    securityPolicy: { name: 'string' },
  },
  'networking.gke.io/v1beta1/FrontendConfig': {
    redirectToHttps: { enabled: 'boolean', responseCodeName: 'string' },
    sslPolicy: 'string',
  },
};

function checkShape(value: unknown, shape: Shape, path: string): string[] {
  if (typeof shape === 'string') {
    const ok = shape === 'integer' ? Number.isInteger(value) : typeof value === shape;
    return ok ? [] : [`${path} must be ${shape}`];
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return [`${path} must be an object`];
  return Object.entries(value).flatMap(([key, child]) =>
    shape[key] === undefined ? [`unknown field ${path}.${key}`] : checkShape(child, shape[key] as Shape, `${path}.${key}`),
  );
}

function validateSecretProviderClass(object: K8sObject): string[] {
  const problems: string[] = [];
  if (object.spec?.provider !== 'gke' && object.spec?.provider !== 'gcp') problems.push('spec.provider must be gke or gcp');
  const secrets = typeof object.spec?.parameters?.secrets === 'string' ? parse(object.spec.parameters.secrets) : null;
  if (!Array.isArray(secrets) || secrets.length === 0) return [...problems, 'spec.parameters.secrets must be a YAML list'];
  for (const entry of secrets) {
    if (!/^projects\/[a-z][a-z0-9-]{4,28}[a-z0-9]\/secrets\/[\w-]+\/versions\/(latest|\d+)$/.test(entry?.resourceName ?? '')) {
      problems.push(`bad resourceName ${entry?.resourceName}`);
    }
    if (!/^[\w.-]+$/.test(entry?.path ?? '')) problems.push(`bad path ${entry?.path}`);
  }
  return problems;
}

/** The file names the SecretProviderClass mounts. */
export function secretFileNames(object: K8sObject): string[] {
  return (parse(object.spec.parameters.secrets) as { path: string }[]).map((s) => s.path);
}
