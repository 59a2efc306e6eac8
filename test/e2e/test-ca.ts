/**
 * A throwaway certificate authority for the e2e run (vitest globalSetup): a server certificate for
 * 127.0.0.1 signed by it, and NODE_EXTRA_CA_CERTS pointing at the CA, so the worker under test
 * (Miniflare hands those CAs to workerd) can fetch a Client ID Metadata Document from an https
 * server in the test, as the MCP SDK requires an https client_id. Made with openssl, fresh each
 * run, in a temporary directory removed afterwards; without openssl the tests that need it skip.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const TEST_TLS_DIR_ENV = 'EDGE_AUTH_TEST_TLS_DIR';

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'ignore', timeout: 30_000 });
}

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'edge-auth-test-ca-'));
  try {
    openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem',
      '-days', '2', '-subj', '/CN=edge-auth e2e test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign'], dir);
    openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1'], dir);
    writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
    openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2',
      '-extfile', 'server.ext'], dir);
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return () => undefined;
  }
  process.env.NODE_EXTRA_CA_CERTS = join(dir, 'ca.pem');
  process.env[TEST_TLS_DIR_ENV] = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
