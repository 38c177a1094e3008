import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../apps/server/src/config.js';
import { secretFileNames, validateObject } from './k8s-schema.js';
import { unknownFields } from './k8s-strict.js';
import { findKustomize, findObject, type K8sObject, render } from './kustomize.js';
import { metricNames, SERVER_METRICS } from './promql.js';

const tool = findKustomize();
const missing = 'missing' in tool ? tool.missing : undefined;
if (missing) console.warn(`SKIPPED Kustomize rendering tests: ${missing}`);

/** Besides the server's own metrics, alerts may use Prometheus' `up`, kube-state-metrics and cert-manager's. */
const ALERT_METRICS = new Set([
  ...SERVER_METRICS,
  'up',
  'kube_deployment_status_replicas_available',
  'certmanager_certificate_expiration_timestamp_seconds',
  'certmanager_certificate_ready_status',
]);
/** Google's external load balancer's backend keep-alive, which the server's must exceed. */
const GOOGLE_LB_KEEP_ALIVE_SECONDS = 600;
const SECRET_VARIABLES = ['DATABASE_URL', 'REDIS_URL', 'LEASEHOLD_BOOTSTRAP_ADMIN_KEY', 'LEASEHOLD_PKCS11_PIN'];
const operations = readFileSync(new URL('../../docs/operations.md', import.meta.url), 'utf8');

/** Collected only when kustomize exists: rendering happens while the suite is collected. */
function kustomizeSuite(): void {
  const run = tool as { command: string; args: string[] };
  const cluster = render(run, 'cluster');

  it('renders cluster objects that pass their schemas', async () => {
    expect(cluster.map((o) => o.kind)).toEqual(['ClusterIssuer']);
    for (const object of cluster) expect(await validateObject(object)).toEqual([]);
    expect(cluster[0]?.spec.acme.server).toBe('https://acme-v02.api.letsencrypt.org/directory');
  });

  describe.each(['dev', 'prod'])('overlay %s', (overlay) => {
    const objects = render(run, `overlays/${overlay}`);
    const namespace = findObject(objects, 'Namespace').metadata.name;
    const deployment = findObject(objects, 'Deployment', 'leasehold-server');
    const pod = deployment.spec.template.spec;
    const server = pod.containers[0];
    const job = findObject(objects, 'Job', 'leasehold-migrate');
    const config = findObject(objects, 'ConfigMap').data as Record<string, string>;

    it('validates every object against the schema of its kind', async () => {
      const problems = (await Promise.all(objects.map(validateObject))).flat();
      expect(problems).toEqual([]);
      expect(unknownFields(objects)).toEqual([]);
      const kinds = new Set(objects.map((o) => o.kind));
      for (const kind of ['Deployment', 'Service', 'Ingress', 'HorizontalPodAutoscaler', 'PodDisruptionBudget']) {
        expect(kinds).toContain(kind);
      }
      for (const kind of [
        'NetworkPolicy',
        'ServiceAccount',
        'Job',
        'ServiceMonitor',
        'PrometheusRule',
        'SecretProviderClass',
        'BackendConfig',
        'FrontendConfig',
      ]) {
        expect(kinds).toContain(kind);
      }
    });

    it('puts every namespaced object in the overlay namespace', () => {
      for (const o of objects.filter((o) => o.kind !== 'Namespace')) expect(o.metadata.namespace, o.kind).toBe(namespace);
    });

    it('probes the server endpoints on a declared port', () => {
      expect(server.ports.map((p: { name: string }) => p.name)).toContain('http');
      expect(server.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
      expect(server.startupProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
      expect(server.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
      expect(server.args).toEqual(['serve']);
      expect(job.spec.template.spec.containers[0].args).toEqual(['migrate']);
    });

    it('terminates gracefully: preStop sleep plus the server drain fit in the grace period', () => {
      const drain = Number(config.LEASEHOLD_SHUTDOWN_GRACE_SECONDS);
      const [sleep, seconds] = server.lifecycle.preStop.exec.command;
      expect(sleep).toBe('sleep');
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(drain + Number(seconds));
      expect(deployment.spec.replicas).toBeUndefined();
      expect(deployment.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    });

    it('runs locked down: non-root, read-only root, no capabilities, writable dirs only as emptyDir', () => {
      for (const spec of [pod, job.spec.template.spec]) {
        expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
        expect(spec.securityContext.runAsUser).toBeGreaterThan(0);
        expect(spec.automountServiceAccountToken).toBe(false);
        const container = spec.containers[0];
        expect(container.securityContext).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
        expect(container.resources.requests.cpu).toBeDefined();
        expect(container.resources.limits.memory).toBeDefined();
        const dataDir = container.volumeMounts.find((m: { mountPath: string }) => m.mountPath === config.LEASEHOLD_DATA_DIR);
        expect(spec.volumes.find((v: { name: string }) => v.name === dataDir?.name)?.emptyDir).toBeDefined();
      }
      expect(pod.topologySpreadConstraints.map((t: { topologyKey: string }) => t.topologyKey)).toEqual([
        'kubernetes.io/hostname',
        'topology.kubernetes.io/zone',
      ]);
    });

    it('delivers secrets as mounted files through NAME_FILE, never as values', () => {
      const spc = findObject(objects, 'SecretProviderClass');
      const files = secretFileNames(spc);
      for (const name of SECRET_VARIABLES) {
        expect(config[name], `${name} must not be set in plain text`).toBeUndefined();
        for (const container of [server, job.spec.template.spec.containers[0]]) {
          expect(container.env?.some((e: { name: string }) => e.name === name) ?? false).toBe(false);
        }
      }
      for (const name of ['DATABASE_URL', 'REDIS_URL', 'LEASEHOLD_BOOTSTRAP_ADMIN_KEY']) {
        const path = config[`${name}_FILE`] ?? '';
        const mount = server.volumeMounts.find((m: { mountPath: string }) => path.startsWith(`${m.mountPath}/`));
        expect(mount, `${name}_FILE must point into a mounted volume`).toBeDefined();
        expect(mount.readOnly).toBe(true);
        expect(files).toContain(path.slice(mount.mountPath.length + 1));
        const volume = pod.volumes.find((v: { name: string }) => v.name === mount.name);
        expect(volume.csi.volumeAttributes.secretProviderClass).toBe(spc.metadata.name);
      }
    });

    it('wires the pieces to each other by name and label', () => {
      const labels = deployment.spec.template.metadata.labels;
      const matches = (selector: Record<string, string>, target: Record<string, string>) => Object.entries(selector).every(([k, v]) => target[k] === v);
      const service = findObject(objects, 'Service', 'leasehold-server');
      expect(matches(service.spec.selector, labels)).toBe(true);
      expect(matches(findObject(objects, 'PodDisruptionBudget').spec.selector.matchLabels, labels)).toBe(true);
      const policy = findObject(objects, 'NetworkPolicy', 'leasehold-server');
      expect(matches(policy.spec.podSelector.matchLabels, labels)).toBe(true);
      const migratePolicy = findObject(objects, 'NetworkPolicy', 'leasehold-migrate');
      expect(matches(migratePolicy.spec.podSelector.matchLabels, job.spec.template.metadata.labels)).toBe(true);
      expect(findObject(objects, 'HorizontalPodAutoscaler').spec.scaleTargetRef.name).toBe(deployment.metadata.name);
      const monitor = findObject(objects, 'ServiceMonitor');
      expect(matches(monitor.spec.selector.matchLabels, service.metadata.labels)).toBe(true);
      expect(service.spec.ports.map((p: { name: string }) => p.name)).toContain(monitor.spec.endpoints[0].port);
      expect(monitor.spec.endpoints[0].path).toBe('/metrics');
      expect(pod.serviceAccountName).toBe(findObject(objects, 'ServiceAccount').metadata.name);
      expect(job.spec.template.spec.serviceAccountName).toBe(pod.serviceAccountName);
      expect(job.spec.template.spec.containers[0].image).toBe(server.image);
      expect(server.envFrom[0].configMapRef.name).toBe(findObject(objects, 'ConfigMap').metadata.name);
    });

    it('uses Workload Identity, KMS signing and an Artifact Registry image', () => {
      const sa = findObject(objects, 'ServiceAccount');
      expect(sa.metadata.annotations?.['iam.gke.io/gcp-service-account']).toMatch(/^[a-z][\w-]*@[a-z][\w-]+\.iam\.gserviceaccount\.com$/);
      expect(config.LEASEHOLD_SIGNER).toBe('kms');
      expect(config.LEASEHOLD_KMS_KEY_VERSION).toMatch(/^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+\/cryptoKeyVersions\/\d+$/);
      expect(server.image).toMatch(/^[a-z0-9-]+-docker\.pkg\.dev\/[^/]+\/[^/]+\/leasehold-server[:@]/);
    });

    it('serves TLS from a cert-manager certificate issued by the cluster issuer', () => {
      const ingress = findObject(objects, 'Ingress');
      const host = ingress.spec.rules[0].host;
      expect(host).toBe(overlay === 'prod' ? 'auth.coditect.ai' : 'dev.auth.coditect.ai');
      expect(ingress.spec.tls[0].hosts).toEqual([host]);
      expect(config.LEASEHOLD_PUBLIC_URL).toBe(`https://${host}`);
      expect(ingress.metadata.annotations?.['cert-manager.io/cluster-issuer']).toBe(cluster[0]?.metadata.name);
      expect(cluster[0]?.spec.acme.solvers[0].http01.ingress.name).toBe(ingress.metadata.name);
    });

    it('keeps /metrics off the Ingress: its own port, scraped in-cluster, admitted only from the monitoring namespace', () => {
      const service = findObject(objects, 'Service', 'leasehold-server');
      const ingress = findObject(objects, 'Ingress');
      const metricsPort = server.ports.find((p: { name: string }) => p.name === 'metrics').containerPort;
      expect(String(metricsPort)).toBe(config.LEASEHOLD_METRICS_PORT);
      expect(metricsPort).not.toBe(Number(config.PORT));
      const routed = ingress.spec.rules.flatMap((r: { http: { paths: { backend: { service: { port: { name: string } } } }[] } }) =>
        r.http.paths.map((p) => p.backend.service.port.name),
      );
      expect(routed).toEqual(['http']);
      expect(findObject(objects, 'ServiceMonitor').spec.endpoints[0].port).toBe('metrics');
      expect(service.spec.ports.find((p: { name: string }) => p.name === 'metrics').targetPort).toBe('metrics');
      const policy = findObject(objects, 'NetworkPolicy', 'leasehold-server');
      const fromMonitoring = policy.spec.ingress.find((r: { from: { namespaceSelector?: unknown }[] }) => r.from.some((f) => f.namespaceSelector));
      expect(fromMonitoring.ports.map((p: { port: number }) => p.port)).toEqual([metricsPort]);
      const fromLb = policy.spec.ingress.find((r: { from: { ipBlock?: { cidr: string } }[] }) => r.from.some((f) => f.ipBlock));
      expect(fromLb.from.map((f: { ipBlock: { cidr: string } }) => f.ipBlock.cidr)).toEqual(['35.191.0.0/16', '130.211.0.0/22']);
      expect(fromLb.ports.map((p: { port: number }) => p.port)).toEqual([Number(config.PORT)]);
    });

    it('fits Google’s load balancer: hop-count proxy trust, keep-alive above 600 s, /readyz health check, draining, HTTPS redirect', () => {
      expect(config.LEASEHOLD_TRUST_PROXY).toBe('2');
      expect(Number(config.LEASEHOLD_KEEP_ALIVE_TIMEOUT_SECONDS)).toBeGreaterThan(GOOGLE_LB_KEEP_ALIVE_SECONDS);
      const service = findObject(objects, 'Service', 'leasehold-server');
      const backend = findObject(objects, 'BackendConfig');
      expect(JSON.parse(service.metadata.annotations?.['cloud.google.com/backend-config'] ?? '{}')).toEqual({ ports: { http: backend.metadata.name } });
      expect(backend.spec.healthCheck).toMatchObject({ type: 'HTTP', requestPath: '/readyz', port: Number(config.PORT) });
      const drain = Number(config.LEASEHOLD_SHUTDOWN_GRACE_SECONDS) + Number(server.lifecycle.preStop.exec.command[1]);
      expect(backend.spec.connectionDraining.drainingTimeoutSec).toBeGreaterThanOrEqual(drain);
      const ingress = findObject(objects, 'Ingress');
      const frontend = findObject(objects, 'FrontendConfig');
      expect(ingress.metadata.annotations?.['networking.gke.io/v1beta1.FrontendConfig']).toBe(frontend.metadata.name);
      expect(frontend.spec.redirectToHttps.enabled).toBe(true);
      expect(ingress.metadata.annotations?.['cert-manager.io/issue-temporary-certificate']).toBe('true');
    });

    it('verifies PostgreSQL’s and Redis’s TLS against CAs mounted from Secret Manager', () => {
      const files = secretFileNames(findObject(objects, 'SecretProviderClass'));
      expect(files).toEqual(expect.arrayContaining(['database-ca.pem', 'redis-ca.pem']));
      expect(config.REDIS_CA_CERT_FILE).toBe('/var/run/secrets/leasehold/redis-ca.pem');
      for (const container of [server, job.spec.template.spec.containers[0]]) {
        expect(container.volumeMounts.find((m: { name: string }) => m.name === 'secrets').mountPath).toBe('/var/run/secrets/leasehold');
      }
    });

    it('is configuration the server accepts, with the secret files in place', () => {
      const dir = mkdtempSync(join(tmpdir(), 'leasehold-k8s-config-'));
      const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
      const files: Record<string, string> = {
        'database-url':
          'postgres://leasehold:pw@10.100.0.3:5432/leasehold?sslmode=verify-ca&uselibpqcompat=true&sslrootcert=/var/run/secrets/leasehold/database-ca.pem',
        'redis-url': 'rediss://:auth@10.100.0.4:6378',
        'redis-ca.pem': pem,
        'bootstrap-admin-key': 'k'.repeat(48),
      };
      for (const [name, value] of Object.entries(files)) writeFileSync(join(dir, name), value);
      const env = Object.fromEntries(Object.entries(config).map(([k, v]) => [k, v.replace('/var/run/secrets/leasehold/', `${dir}/`)]));
      const loaded = loadConfig(env);
      expect(loaded).toMatchObject({ trustProxy: 2, keepAliveTimeoutSeconds: 620, redisCaCert: pem.trim(), metrics: { port: 9464, host: '0.0.0.0' } });
    });

    it('never names a tag that no pipeline pushes', () => {
      const tag = server.image.split(':').at(-1);
      expect(tag).toBe(overlay === 'dev' ? 'main' : 'promote-by-digest-only');
      expect(readFileSync(new URL('../../.github/workflows/release.yml', import.meta.url), 'utf8')).toContain('${{ env.IMAGE }}:main');
    });

    it('alerts on the required conditions, using only exported metrics, each explained in the runbook', () => {
      const rules = findObject(objects, 'PrometheusRule').spec.groups.flatMap((g: { rules: unknown[] }) => g.rules);
      const names = rules.map((r: { alert: string }) => r.alert);
      for (const required of [
        'LeaseholdSeatsNearCapacity',
        'LeaseholdSeatDenialSpike',
        'LeaseholdErrorBudgetBurnFast',
        'LeaseholdErrorBudgetBurnSlow',
        'LeaseholdHighLatency',
        'LeaseholdDatabaseDown',
        'LeaseholdRedisDown',
        'LeaseholdSigningFailures',
        'LeaseholdCertificateExpiringSoon',
      ]) {
        expect(names).toContain(required);
      }
      for (const rule of rules as { alert: string; expr: string; annotations: { runbook: string } }[]) {
        for (const name of metricNames(rule.expr)) expect(ALERT_METRICS, `${rule.alert} uses ${name}`).toContain(name);
        const anchor = rule.annotations.runbook.split('#')[1];
        expect(operations.toLowerCase(), `runbook section for ${rule.alert}`).toContain(`### ${anchor}`);
      }
    });
  });

  it('rejects an object that breaks its schema, so the validation can fail', async () => {
    const broken: K8sObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'x' },
      spec: { replicas: 'two', selector: {}, template: { spec: { containers: [{ name: 'a' }] } } },
    };
    expect((await validateObject(broken)).join()).toMatch(/replicas must be integer/);
    expect((await validateObject({ ...broken, apiVersion: 'example.com/v1' })).join()).toMatch(/no schema/);
    const spc: K8sObject = {
      apiVersion: 'secrets-store.csi.x-k8s.io/v1',
      kind: 'SecretProviderClass',
      metadata: { name: 's' },
      spec: { provider: 'gke', parameters: { secrets: '- resourceName: "secrets/x"\n  path: "a b"\n' } },
    };
    expect(await validateObject(spc)).toEqual(['SecretProviderClass/s: bad resourceName secrets/x', 'SecretProviderClass/s: bad path a b']);
    const backend: K8sObject = {
      apiVersion: 'cloud.google.com/v1',
      kind: 'BackendConfig',
      metadata: { name: 'b' },
      spec: { healthCheck: { requestPath: '/readyz', port: '8080' }, connectionDrainig: { drainingTimeoutSec: 30 } },
    };
    expect(await validateObject(backend)).toEqual([
      'BackendConfig/b: spec.healthCheck.port must be integer',
      'BackendConfig/b: unknown field spec.connectionDrainig',
    ]);
  });

  it('rejects a misspelt field the model validators let through, e.g. readinesProbe', async () => {
    const deployment = structuredClone(findObject(render(run, 'overlays/prod'), 'Deployment', 'leasehold-server'));
    const container = deployment.spec.template.spec.containers[0];
    container.readinesProbe = container.readinessProbe;
    delete container.readinessProbe;
    deployment.spec.template.spec.securityContext.runAsNonRot = true;
    // The published model accepts it: the API server would silently drop the probe.
    expect(await validateObject(deployment)).toEqual([]);
    expect(unknownFields([deployment])).toEqual([
      'Deployment/leasehold-server: unknown field spec.template.spec.containers[0].readinesProbe',
      'Deployment/leasehold-server: unknown field spec.template.spec.securityContext.runAsNonRot',
    ]);
  });
}

// Skipped only where no kustomize 5 is found (kubectl 1.27+ or kustomize): .ci/run asks apt for
// kubectl, which Debian's own archive lacks, so a machine without Kubernetes' or Google's apt
// repository skips. The suite renders while it is collected, so a machine without kustomize collects
// a placeholder in its place.
const placeholder = () => it('renders the overlays', () => {});
describe.skipIf(Boolean(missing))(`Kustomize${missing ? ` (skipped: ${missing})` : ''}`, missing ? placeholder : kustomizeSuite);
