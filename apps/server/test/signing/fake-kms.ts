import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { toProto3JSON } from 'proto3-json-serializer';
import protobuf from 'protobufjs';
import { crc32c } from '../../src/signing/kms-signer.js';

/**
 * The API definitions shipped in the official @google-cloud/kms package: the
 * fake answers in exactly the JSON its protos define, and tests compare what
 * the signer sends with what those protos produce.
 */
const require = createRequire(import.meta.url);
export const kmsProtos = protobuf.Root.fromJSON(require('@google-cloud/kms/build/protos/protos.json'));
const type = (name: string) => kmsProtos.lookupType(`google.cloud.kms.v1.${name}`);

export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  authorization: string | undefined;
  body: unknown;
}

export interface FakeKms {
  endpoint: string;
  requests: RecordedRequest[];
  /** Adds a key version with a fresh Node-generated Ed25519 key pair. */
  addKeyVersion(name: string, algorithm?: string): void;
  /** Makes the next asymmetricSign answer carry a wrong signature CRC, as a corrupted response would. */
  corruptNextSignature(): void;
  close(): Promise<void>;
}

const ACCESS_TOKEN = 'fake-access-token';

export { ACCESS_TOKEN };

/**
 * A local stand-in for the two Cloud KMS REST methods the signer uses
 * (`POST /v1/{name}:asymmetricSign`, `GET /v1/{name}/publicKey`). It checks
 * the bearer token and the request CRC32C as the real service does.
 */
export async function startFakeKms(): Promise<FakeKms> {
  const keys = new Map<string, { privateKey: KeyObject; pem: string; algorithm: string }>();
  const requests: RecordedRequest[] = [];
  let corrupt = false;

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const body = req.method === 'POST' ? JSON.parse((await readBody(req)) || '{}') : undefined;
    requests.push({
      method: req.method ?? '',
      path: url.pathname,
      query: url.search,
      authorization: req.headers.authorization,
      body,
    });
    const numericEnums = (url.searchParams.get('$alt') ?? '').includes('enum-encoding=int');
    const reply = (status: number, json: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
    };
    const error = (status: number, message: string) => reply(status, { error: { code: status, message } });

    if (req.headers.authorization !== `Bearer ${ACCESS_TOKEN}`) return error(401, 'missing or wrong bearer token');
    const match =
      /^\/v1\/(projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+\/cryptoKeyVersions\/[^/:]+)(:asymmetricSign|\/publicKey)$/.exec(
        decodeURIComponent(url.pathname),
      );
    const key = match ? keys.get(match[1] as string) : undefined;
    if (!match || !key) return error(404, 'key version not found');
    const name = match[1] as string;

    if (match[2] === '/publicKey' && req.method === 'GET') {
      const message = type('PublicKey').fromObject({
        pem: key.pem,
        algorithm: key.algorithm,
        pemCrc32c: { value: crc32c(Buffer.from(key.pem)) },
        name,
        protectionLevel: 'HSM',
      });
      return reply(200, toProto3JSON(message, { numericEnums }));
    }
    if (match[2] === ':asymmetricSign' && req.method === 'POST') {
      const data = Buffer.from(String(body?.data ?? ''), 'base64');
      if (body?.dataCrc32c !== undefined && Number(body.dataCrc32c) !== crc32c(data)) {
        return error(400, 'data_crc32c mismatch');
      }
      const signature = sign(null, data, key.privateKey);
      const signatureCrc32c = (crc32c(signature) ^ (corrupt ? 1 : 0)) >>> 0;
      corrupt = false;
      const message = type('AsymmetricSignResponse').fromObject({
        signature,
        signatureCrc32c: { value: signatureCrc32c },
        verifiedDataCrc32c: body?.dataCrc32c !== undefined,
        name,
        protectionLevel: 'HSM',
      });
      return reply(200, toProto3JSON(message, { numericEnums }));
    }
    return error(405, 'method not allowed');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    addKeyVersion(name, algorithm = 'EC_SIGN_ED25519') {
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      keys.set(name, { privateKey, pem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), algorithm });
    },
    corruptNextSignature() {
      corrupt = true;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      text += chunk;
    });
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}
