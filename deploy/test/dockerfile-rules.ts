import { DockerfileParser } from 'dockerfile-ast';

/** ENV/ARG names that suggest a secret baked into an image layer. */
const SECRET_NAME = /(secret|passw(or)?d|token|api_?key|private|credential|_pin$|^pin$|admin_key)/i;
/** Files that must never be copied into an image. */
const SECRET_FILE = /(^|\/)(\.env(\..*)?|.*\.pem|.*\.key|.*credentials.*\.json|.*service-account.*\.json|id_rsa.*)$/i;
/** An exact release tag such as `20.20.2-bookworm-slim`: a major-only or `latest` tag drifts. */
const EXACT_TAG = /^\d+\.\d+\.\d+(-[a-z0-9.-]+)?$/;

/**
 * The Dockerfile rules that matter for this image, each returned as a
 * readable problem: multi-stage, pinned bases, non-root numeric user in the
 * final stage, no secrets in ENV/ARG/COPY, no HEALTHCHECK (Kubernetes probes).
 */
export function lintDockerfile(content: string): string[] {
  const dockerfile = DockerfileParser.parse(content);
  const problems: string[] = [];
  const froms = dockerfile.getFROMs();
  const stages = new Set(froms.map((from) => from.getBuildStage()).filter(Boolean));

  if (froms.length < 2) problems.push('not multi-stage: build tools would ship in the runtime image');
  for (const from of froms) {
    const image = from.getImageName();
    if (image && stages.has(image)) continue;
    const tag = from.getImageTag();
    const digest = from.getImageDigest();
    if (!digest && !(tag && EXACT_TAG.test(tag))) {
      problems.push(`base image ${from.getImage()} is not pinned by digest or exact version`);
    }
  }

  const instructions = dockerfile.getInstructions();
  const lastFrom = froms.at(-1);
  const finalStage = instructions.filter((i) => lastFrom && i.getRange().start.line >= lastFrom.getRange().start.line);
  const users = finalStage.filter((i) => i.getKeyword() === 'USER');
  const user = users.at(-1)?.getArgumentsContent()?.split(':')[0];
  if (!user) problems.push('final stage has no USER: the server would run as root');
  else if (user === 'root' || user === '0') problems.push('final stage runs as root');
  else if (!/^\d+$/.test(user)) problems.push(`USER ${user} is not numeric: Kubernetes cannot verify runAsNonRoot`);

  for (const instruction of instructions) {
    const keyword = instruction.getKeyword();
    if (keyword === 'ENV' || keyword === 'ARG') {
      const names =
        keyword === 'ARG'
          ? [instruction.getArguments()[0]?.getValue().split('=')[0] ?? '']
          : (instruction as unknown as { getProperties(): { getName(): string }[] }).getProperties().map((p) => p.getName());
      for (const name of names) if (SECRET_NAME.test(name)) problems.push(`${keyword} ${name} looks like a secret in an image layer`);
    }
    if (keyword === 'COPY' || keyword === 'ADD') {
      const args = instruction
        .getArguments()
        .map((a) => a.getValue())
        .filter((v) => !v.startsWith('--'));
      for (const source of args.slice(0, -1)) {
        if (SECRET_FILE.test(source)) problems.push(`${keyword} ${source} copies a secret into the image`);
      }
    }
    if (keyword === 'HEALTHCHECK') problems.push('HEALTHCHECK present: Kubernetes probes the pod, Docker health is ignored');
  }
  return problems;
}

/** Patterns `.dockerignore` must contain so a stray secret never reaches the build context. */
export const REQUIRED_IGNORES = ['.git', '**/node_modules', '.env', '.env.*', '**/*.pem', '**/*.key'];
