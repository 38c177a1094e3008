import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lintDockerfile, REQUIRED_IGNORES } from './dockerfile-rules.js';

const root = new URL('../../', import.meta.url);
const dockerfile = readFileSync(new URL('deploy/docker/Dockerfile', root), 'utf8');

describe('deploy/docker/Dockerfile', () => {
  it('passes the image rules', () => {
    expect(lintDockerfile(dockerfile)).toEqual([]);
  });

  it('ships the compiled server, its migrations and a numeric non-root user', () => {
    expect(dockerfile).toMatch(/COPY --from=build \/src\/apps\/server\/dist /);
    expect(dockerfile).toMatch(/COPY --from=build \/src\/apps\/server\/drizzle /);
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["node", "apps\/server\/dist\/main\.js"\]$/m);
    expect(dockerfile).toMatch(/^CMD \["serve"\]$/m);
  });

  it('copies into the runtime stage files that exist, and every workspace package the server imports', () => {
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    const sources = [...runtime.matchAll(/^COPY --from=build \/src\/(\S+)/gm)].map((m) => m[1] as string);
    // Build outputs appear only after `npm run build` (which npm test runs first); everything else must be in the repository.
    for (const source of sources.filter((s) => !/(^|\/)(dist|node_modules)$/.test(s))) {
      expect(existsSync(new URL(source, root)), source).toBe(true);
    }
    const server = JSON.parse(readFileSync(new URL('apps/server/package.json', root), 'utf8'));
    for (const dependency of Object.keys(server.dependencies).filter((d) => d.startsWith('@leasehold/'))) {
      const dir = `packages/${dependency.slice('@leasehold/'.length)}`;
      expect(sources, `${dependency} must ship in the image`).toEqual(expect.arrayContaining([`${dir}/package.json`, `${dir}/dist`]));
    }
  });

  it('has a .dockerignore that keeps secrets and build output out of the context', () => {
    const ignores = readFileSync(new URL('.dockerignore', root), 'utf8')
      .split('\n')
      .map((l) => l.trim());
    for (const pattern of REQUIRED_IGNORES) expect(ignores).toContain(pattern);
  });
});

describe('the Dockerfile rules catch what they are meant to', () => {
  const good = 'FROM node:20.20.2-bookworm-slim AS build\nRUN true\nFROM node:20.20.2-bookworm-slim\nCOPY --from=build /a /a\nUSER 1000:1000\n';

  it('accepts a minimal good file', () => {
    expect(lintDockerfile(good)).toEqual([]);
  });

  it.each([
    ['FROM node:20-slim AS build\nFROM node:20.20.2-bookworm-slim\nUSER 1000\n', /node:20-slim is not pinned/],
    ['FROM node:latest AS build\nFROM node@sha256:abc\nUSER 1000\n', /node:latest is not pinned/],
    ['FROM node:20.20.2-bookworm-slim\nUSER 1000\n', /not multi-stage/],
    [good.replace('USER 1000:1000\n', ''), /no USER/],
    [`${good}USER root\n`, /runs as root/],
    [good.replace('USER 1000:1000', 'USER node'), /not numeric/],
    [`${good}ENV DATABASE_PASSWORD=hunter2\n`, /ENV DATABASE_PASSWORD looks like a secret/],
    [`${good}ARG NPM_TOKEN\n`, /ARG NPM_TOKEN looks like a secret/],
    [`${good}ENV LEASEHOLD_PKCS11_PIN=1234\n`, /LEASEHOLD_PKCS11_PIN looks like a secret/],
    [`${good}COPY .env /app/.env\n`, /COPY \.env copies a secret/],
    [`${good}COPY --chown=1000 keys/signing.pem /app/\n`, /signing\.pem copies a secret/],
    [`${good}HEALTHCHECK CMD curl -f http://localhost:8080/healthz\n`, /HEALTHCHECK present/],
  ])('flags %j', (content, problem) => {
    expect(lintDockerfile(content).join('\n')).toMatch(problem);
  });
});
