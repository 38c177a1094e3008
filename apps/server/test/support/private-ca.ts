import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * A private CA and a server certificate it signs, made with openssl: the shape
 * of Cloud SQL's and Memorystore's per-instance server CA. `commonName` is the
 * server's subject; `altNames` (e.g. IP:127.0.0.1) go into subjectAltName.
 */
export function makePrivateCa(dir: string, commonName: string, altNames: string[] = []): { ca: string; cert: string; key: string } {
  const ca = join(dir, 'ca.pem');
  const caKey = join(dir, 'ca.key');
  const cert = join(dir, 'server.crt');
  const key = join(dir, 'server.key');
  const csr = join(dir, 'server.csr');
  const ext = join(dir, 'server.ext');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const run = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  run(['req', '-x509', ...ec, '-keyout', caKey, '-out', ca, '-days', '2', '-subj', '/CN=Test private server CA']);
  run(['req', ...ec, '-keyout', key, '-out', csr, '-subj', `/CN=${commonName}`]);
  execFileSync('sh', ['-c', `printf '%s\\n' "$1" > "$2"`, 'sh', altNames.length ? `subjectAltName=${altNames.join(',')}` : 'basicConstraints=CA:FALSE', ext]);
  run(['x509', '-req', '-in', csr, '-CA', ca, '-CAkey', caKey, '-CAcreateserial', '-out', cert, '-days', '2', '-extfile', ext]);
  return { ca, cert, key };
}
