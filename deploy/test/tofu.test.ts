import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkModule, loadModule, type TfModule } from './hcl.js';
import { checkAgainstProvider, GOOGLE_SCHEMA } from './provider-schema.js';

const TOFU = fileURLToPath(new URL('../tofu/', import.meta.url));
const { format: formatHcl } = createRequire(import.meta.url)('@cdktf/hcl-tools') as { format(hcl: string): Promise<string> };
const tfFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tfFiles(join(dir, e.name)) : e.name.endsWith('.tf') ? [join(dir, e.name)] : []));
const REQUIRED_MODULES = ['network', 'gke', 'cloudsql', 'redis', 'secrets', 'kms', 'identity-platform', 'dns', 'workload-identity'];
const moduleDirs = readdirSync(join(TOFU, 'modules')).map((m) => join(TOFU, 'modules', m));
const environmentDirs = readdirSync(join(TOFU, 'environments')).map((e) => join(TOFU, 'environments', e));
const byPath = new Map<string, TfModule>();
// biome-ignore lint/suspicious/noExplicitAny: parsed HCL is read freely after the rules have checked it.
const first = (block: unknown): any => (block as unknown[])[0];

describe('OpenTofu', () => {
  beforeAll(async () => {
    for (const dir of [...moduleDirs, ...environmentDirs]) byPath.set(dir, await loadModule(dir));
  });

  it('has every required module, a dev and a prod environment', () => {
    expect(readdirSync(join(TOFU, 'modules')).sort()).toEqual([...REQUIRED_MODULES].sort());
    expect(environmentDirs.map((d) => d.split('/').at(-1)).sort()).toEqual(['dev', 'prod']);
  });

  it.each([...REQUIRED_MODULES.map((m) => `modules/${m}`), 'environments/dev', 'environments/prod'])('%s keeps the module rules', (dir) => {
    const module = byPath.get(join(TOFU, dir)) as TfModule;
    expect(Object.keys(module.blocks.variable ?? {}).length).toBeGreaterThan(0);
    expect(Object.keys(module.blocks.output ?? {}).length).toBeGreaterThan(0);
    expect(module.blocks.terraform, 'pins its providers in versions.tf').toBeDefined();
    expect(checkModule(module, byPath)).toEqual([]);
  });

  it.each(['dev', 'prod'])('composes every module in the %s environment', (name) => {
    const env = byPath.get(join(TOFU, 'environments', name)) as TfModule;
    const sources = Object.values(env.blocks.module ?? {}).map((call) => first(call).source);
    expect(sources.map((s: string) => s.split('/').at(-1)).sort()).toEqual([...REQUIRED_MODULES].sort());
    expect(first(env.blocks.terraform).backend).toBeDefined();
    expect(first(env.blocks.variable.environment).default).toBe(name);
    expect(first(env.blocks.variable.kubernetes_namespace).default).toBe(name === 'prod' ? 'leasehold' : 'leasehold-dev');
    // The deploy identity is bound to this GitHub environment.
    expect(first(env.blocks.module.workload_identity).github_environment).toBe('${var.environment}');
    expect(Object.keys(first(env.blocks.module.secrets).initial_values).sort()).toEqual([...first(env.blocks.module.secrets).secret_ids].sort());
  });

  it('sizes prod for production and keeps dev small', () => {
    const call = (env: string, module: string) => first(byPath.get(join(TOFU, 'environments', env))?.blocks.module?.[module]);
    expect(call('prod', 'cloudsql')).toMatchObject({ availability_type: 'REGIONAL', deletion_protection: true });
    expect(call('prod', 'redis').tier).toBe('STANDARD_HA');
    expect(call('prod', 'gke')).toMatchObject({ min_nodes: 3, deletion_protection: true });
    expect(call('dev', 'redis').tier).toBe('BASIC');
    // Prod copies dev's images by digest: dev lets the readers it is given pull them.
    const reader = first(byPath.get(join(TOFU, 'environments/dev'))?.blocks.resource?.google_artifact_registry_repository_iam_member?.promotion_reader);
    expect(reader).toMatchObject({ role: 'roles/artifactregistry.reader', for_each: '${toset(var.image_readers)}' });
  });

  it('connects over verified TLS, reaches the control plane by DNS, trusts only one GitHub environment from main', () => {
    const module = (name: string) => byPath.get(join(TOFU, 'modules', name)) as TfModule;
    const url = first(module('cloudsql').blocks.output.database_url).value as string;
    expect(url).toMatch(/\?sslmode=verify-ca&uselibpqcompat=true&sslrootcert=\$\{var\.server_ca_path\}$/);
    expect(first(module('redis').blocks.variable.transit_encryption_mode).default).toBe('SERVER_AUTHENTICATION');
    expect(first(module('redis').blocks.output.redis_url).value).toMatch(/rediss/);
    const cluster = first(module('gke').blocks.resource.google_container_cluster.cluster);
    expect(first(first(cluster.control_plane_endpoints_config).dns_endpoint_config).allow_external_traffic).toBe(true);
    const provider = first(module('workload-identity').blocks.resource.google_iam_workload_identity_pool_provider.github);
    expect(provider.attribute_condition).toContain('assertion.environment == "${var.github_environment}"');
    expect(provider.attribute_condition).toContain('assertion.ref == "${var.github_ref}"');
    const binding = first(module('workload-identity').blocks.resource.google_service_account_iam_member.deployer_federation);
    expect(binding.member).toMatch(/\/attribute\.environment\/\$\{var\.github_environment\}$/);
    const records = first(module('dns').blocks.resource.google_dns_record_set.a);
    expect(records.project).toBe('${local.zone_project}');
  });

  it('is formatted as `tofu fmt` writes it (HCL’s own formatter, hclwrite, compiled to WebAssembly)', async () => {
    const unformatted: string[] = [];
    for (const file of tfFiles(TOFU)) {
      const source = readFileSync(file, 'utf8');
      if ((await formatHcl(source)) !== source) unformatted.push(file.slice(TOFU.length));
    }
    expect(unformatted).toEqual([]);
    expect(await formatHcl('resource "x" "y" {\n  a = 1\n  bbb = 2\n}\n')).toBe('resource "x" "y" {\n  a   = 1\n  bbb = 2\n}\n');
  });

  // The CLI too, where one is installed: neither is in Debian, nor on npm without a download at run time.
  const formatter = ['tofu', 'terraform'].find((c) => spawnSync(c, ['version'], { stdio: 'ignore' }).status === 0);
  it.skipIf(!formatter)(
    `passes \`fmt -check\` of the installed tofu or terraform${formatter ? '' : ' (skipped: neither tofu nor terraform is installed)'}`,
    () => {
      const run = spawnSync(formatter as string, ['fmt', '-check', '-recursive', '-diff', TOFU], {
        encoding: 'utf8',
        env: { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null' },
      });
      expect(run.stdout).toBe('');
      expect(run.status).toBe(0);
    },
  );

  it('creates the resources the platform relies on, configured as required', () => {
    const resource = (module: string, type: string, name: string) => first(byPath.get(join(TOFU, 'modules', module))?.blocks.resource?.[type]?.[name]);
    const key = resource('kms', 'google_kms_crypto_key', 'signing');
    expect(key.purpose).toBe('ASYMMETRIC_SIGN');
    expect(first(key.version_template).algorithm).toBe('EC_SIGN_ED25519');
    const sql = resource('cloudsql', 'google_sql_database_instance', 'postgres');
    expect(sql.database_version).toBe('POSTGRES_16');
    const settings = first(sql.settings);
    expect(first(settings.ip_configuration).ipv4_enabled).toBe(false);
    expect(first(settings.backup_configuration)).toMatchObject({ enabled: true, point_in_time_recovery_enabled: true });
    const cluster = resource('gke', 'google_container_cluster', 'cluster');
    expect(first(cluster.workload_identity_config).workload_pool).toBe('${var.project_id}.svc.id.goog');
    const pool = resource('gke', 'google_container_node_pool', 'default');
    expect(first(pool.autoscaling)).toMatchObject({
      total_min_node_count: '${var.min_nodes}',
      total_max_node_count: '${var.max_nodes}',
    });
    expect(first(first(pool.node_config).workload_metadata_config).mode).toBe('GKE_METADATA');
    expect(resource('redis', 'google_redis_instance', 'seats').auth_enabled).toBe(true);
    expect(resource('network', 'google_compute_router_nat', 'nat')).toBeDefined();
    expect(resource('identity-platform', 'google_identity_platform_default_supported_idp_config', 'github').idp_id).toBe('github.com');
    expect(resource('identity-platform', 'google_identity_platform_default_supported_idp_config', 'google').idp_id).toBe('google.com');
  });

  it('uses only arguments and blocks of the google provider, with every required argument', () => {
    expect(GOOGLE_SCHEMA.provider).toMatch(/^hashicorp\/google 6\./);
    for (const [dir, module] of byPath) expect(checkAgainstProvider(module), dir).toEqual([]);
  });

  it('rejects an invented argument, a misplaced block and a missing required argument against the provider schema', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tofu-schema-'));
    writeFileSync(
      join(dir, 'main.tf'),
      [
        'resource "google_redis_instance" "r" {\n  name = "x"\n  memory_size_gb = 1\n  transit_encryption = "SERVER_AUTHENTICATION"\n  count = 1\n}',
        'resource "google_sql_database_instance" "s" {\n  settings {\n    tier = "db-f1-micro"\n    ip_configuration {\n      require_tls = true\n    }\n  }\n}',
        'resource "google_redis_instance" "missing" {\n  name = "y"\n}',
        'resource "google_sql_instance" "typo" {\n  name = "z"\n}',
      ].join('\n'),
    );
    expect(checkAgainstProvider(await loadModule(dir)).sort()).toEqual([
      'resource.google_redis_instance.missing: required argument memory_size_gb is missing',
      'resource.google_redis_instance.r: unknown argument transit_encryption',
      'resource.google_sql_database_instance.s.settings.ip_configuration: unknown argument require_tls',
      'resource.google_sql_database_instance.s: required argument database_version is missing',
      `resource.google_sql_instance.typo: google_sql_instance is not a resource of ${GOOGLE_SCHEMA.provider}`,
    ]);
  });

  it('catches the mistakes it is meant to catch', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tofu-rules-'));
    writeFileSync(
      join(dir, 'main.tf'),
      [
        'variable "a" {\n  type = string\n}',
        'variable "b" {\n  description = "unused"\n}',
        'resource "google_storage_bucket" "x" {\n  project = "my-real-project"\n  name    = var.a\n}',
        'resource "google_kms_key_ring" "y" {\n  name = "projects/my-real-project/locations/x"\n  project = var.a\n}',
        'output "o" {\n  value = var.a\n}',
        'module "m" {\n  source = "./nowhere"\n}',
      ].join('\n'),
    );
    const problems = checkModule(await loadModule(dir));
    expect(problems).toEqual(
      expect.arrayContaining([
        'variable a has no description',
        'variable b has no type',
        'variable b is never used',
        'output o has no description',
        'resource.google_storage_bucket.x.0.project is a literal project id "my-real-project"',
        'resource.google_kms_key_ring.y.0.name hard-codes a project id: "projects/my-real-project/locations/x"',
        'module m: source ./nowhere not found',
      ]),
    );
    writeFileSync(join(dir, 'broken.tf'), 'resource "x" "y" {\n  a = \n}\n');
    await expect(loadModule(dir)).rejects.toThrow();
  });
});
