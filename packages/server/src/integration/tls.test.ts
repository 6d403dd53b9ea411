import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { createLogger } from '../logger.js';
import { networkInterfaces } from 'node:os';
import { selfSignedCert, selfSignedPaths } from '../tls/self-signed-cert.js';
import { TlsRenewer } from '../tls/tls-renewer.js';
import { TlsStartError } from '../tls/tls-start-error.js';
import { ProtocolClient } from '../testing/protocol-client.js';
import { opensslFingerprint, runOpenssl } from '../testing/run-openssl.js';
import { startTestServer, tempDataDir } from '../testing/test-server.js';

/** GET over https trusting only `ca` (the pinned certificate); resolves with status and body. */
function httpsGet(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.once('error', reject);
    req.end();
  });
}

/** `openssl s_client` against 127.0.0.1:port, verifying the chain against `caFile` and the name. */
async function sClient(port: number, caFile: string, name = 'localhost') {
  return runOpenssl(
    [
      's_client',
      '-connect',
      `127.0.0.1:${port}`,
      '-servername',
      name,
      '-CAfile',
      caFile,
      '-verify_return_error',
      '-verify_hostname',
      name,
      '-brief',
      '-ign_eof',
    ],
    'GET /api/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
  );
}

describe('TLS', () => {
  test('--tls makes a self-signed certificate: openssl agrees on its fingerprint and https + wss work with it pinned', async () => {
    const data = tempDataDir();
    try {
      const server = await startTestServer({ dataDir: data.dir, tls: { selfSigned: true } });
      try {
        assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
        assert.match(server.wsUrl, /^wss:\/\/127\.0\.0\.1:\d+\/v1\/ws$/);
        const paths = selfSignedPaths(data.dir);
        assert.equal(server.tlsCertFile, paths.cert);
        assert.equal(
          statSync(paths.key).mode & 0o777,
          0o600,
          'the key is readable by its owner only',
        );
        assert.match(server.tlsFingerprint ?? '', /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
        assert.equal(await opensslFingerprint(paths.cert), server.tlsFingerprint);

        const cert = new X509Certificate(readFileSync(paths.cert));
        for (const ip of ['127.0.0.1', '::1']) assert.equal(cert.checkIP(ip), ip, `names ${ip}`);
        // Every address a phone on the same network could use (link-local IPv6 aside).
        for (const a of Object.values(networkInterfaces()).flat())
          if (a && !a.address.toLowerCase().startsWith('fe80'))
            assert.equal(cert.checkIP(a.address), a.address, `names ${a.address}`);
        assert.equal(cert.checkHost('localhost'), 'localhost');

        const s = await sClient(server.port, paths.cert);
        assert.equal(s.code, 0, s.stderr);
        assert.match(s.stdout + s.stderr, /Verification: OK/);
        assert.match(s.stdout, /"ok":true/);

        const pem = readFileSync(paths.cert, 'utf8');
        const health = await httpsGet(`${server.url}/api/health`, pem);
        assert.equal(health.status, 200);
        // Without the pinned certificate the same request is refused: it is not a public one.
        await assert.rejects(
          httpsGet(`${server.url}/api/health`, ''),
          /self[- ]signed|unable to verify/i,
        );

        // Pairing carries the fingerprint, for the phone to check against what serve printed.
        const pairing = await new Promise<{ fingerprint?: string; url: string }>(
          (resolve, reject) => {
            const req = request(
              `${server.url}/api/pairings`,
              {
                method: 'POST',
                ca: pem,
                headers: {
                  authorization: `Bearer ${server.ownerToken}`,
                  'content-type': 'application/json',
                },
              },
              (res) => {
                let body = '';
                res.on('data', (d: Buffer) => (body += d.toString()));
                res.on('end', () =>
                  resolve(JSON.parse(body) as { fingerprint?: string; url: string }),
                );
              },
            );
            req.once('error', reject);
            req.end(JSON.stringify({ role: 'viewer' }));
          },
        );
        assert.equal(pairing.fingerprint, server.tlsFingerprint);
        assert.match(pairing.url, /^https:\/\//);

        const client = await ProtocolClient.connect(server.wsUrl, server.ownerToken, 'tab', {
          ca: pem,
        });
        assert.ok(client.connectionId, 'welcomed over wss');
        await client.close();
      } finally {
        await server.close();
      }

      // A restart on the same data directory serves the same certificate.
      const before = readFileSync(selfSignedPaths(data.dir).cert, 'utf8');
      const again = await startTestServer({ dataDir: data.dir, tls: { selfSigned: true } });
      try {
        assert.equal(readFileSync(selfSignedPaths(data.dir).cert, 'utf8'), before);
        assert.equal(again.tlsFingerprint, await opensslFingerprint(again.tlsCertFile ?? ''));
      } finally {
        await again.close();
      }
    } finally {
      data.remove();
    }
  });

  test('a self-signed certificate within 30 days of its end is renewed with the same key', async () => {
    const data = tempDataDir();
    const log = createLogger('silent');
    try {
      const first = await selfSignedCert(data.dir, '127.0.0.1', log);
      const paths = selfSignedPaths(data.dir);
      const key = readFileSync(paths.key, 'utf8');
      const same = await selfSignedCert(data.dir, '127.0.0.1', log);
      assert.equal(same.fingerprint, first.fingerprint, 'reused while valid');

      const later = new Date(first.validTo.getTime() - 10 * 24 * 3600 * 1000);
      const renewed = await selfSignedCert(data.dir, '127.0.0.1', log, later);
      assert.notEqual(renewed.fingerprint, first.fingerprint);
      assert.ok(renewed.validTo.getTime() > first.validTo.getTime());
      assert.equal(readFileSync(paths.key, 'utf8'), key, 'the key is kept');
      assert.equal(await opensslFingerprint(paths.cert), renewed.fingerprint);

      // A running server renews in place: the renewer hands the new certificate over.
      const applied: string[] = [];
      const renewer = new TlsRenewer(
        renewed,
        { selfSigned: true },
        data.dir,
        '127.0.0.1',
        log,
        (next) => applied.push(next.fingerprint),
      );
      await renewer.check(new Date(renewed.validTo.getTime() - 5 * 24 * 3600 * 1000));
      assert.equal(applied.length, 1);
      assert.equal(renewer.current.fingerprint, applied[0]);
      assert.notEqual(applied[0], renewed.fingerprint);
      await renewer.check();
      assert.equal(applied.length, 1, 'nothing to do while the certificate is far from its end');

      // A new address of this machine (here: a bind name the certificate lacks) renews it too.
      const named = await selfSignedCert(data.dir, 'baton.example', log);
      assert.notEqual(named.fingerprint, renewer.current.fingerprint);
      assert.equal(new X509Certificate(named.cert).checkHost('baton.example'), 'baton.example');
    } finally {
      data.remove();
    }
  });

  test('--tls-cert/--tls-key serve an operator certificate; a bad one stops the start with a clear error', async () => {
    const data = tempDataDir();
    const dir = tempDataDir('baton-certs-');
    const certFile = join(dir.dir, 'cert.pem');
    const keyFile = join(dir.dir, 'key.pem');
    const otherKey = join(dir.dir, 'other.pem');
    try {
      const made = await runOpenssl([
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-days',
        '30',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ]);
      assert.equal(made.code, 0, made.stderr);
      const other = await runOpenssl([
        'genpkey',
        '-algorithm',
        'EC',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-out',
        otherKey,
      ]);
      assert.equal(other.code, 0, other.stderr);

      const server = await startTestServer({ dataDir: data.dir, tls: { certFile, keyFile } });
      try {
        assert.equal(server.tlsFingerprint, await opensslFingerprint(certFile));
        assert.equal(server.tlsCertFile, certFile);
        const s = await sClient(server.port, certFile);
        assert.equal(s.code, 0, s.stderr);
        assert.match(s.stdout, /"ok":true/);
        assert.equal(existsSync(selfSignedPaths(data.dir).cert), false, 'nothing self-signed made');
      } finally {
        await server.close();
      }

      const garbage = join(dir.dir, 'garbage.pem');
      writeFileSync(garbage, 'not a certificate\n');
      const cases: [{ certFile: string; keyFile: string }, RegExp][] = [
        [
          { certFile: join(dir.dir, 'missing.pem'), keyFile },
          /missing\.pem does not exist; check the path given to --tls-cert/,
        ],
        [
          { certFile, keyFile: join(dir.dir, 'nokey.pem') },
          /nokey\.pem does not exist; check the path given to --tls-key/,
        ],
        [{ certFile, keyFile: otherKey }, /does not belong to the certificate/],
        [{ certFile: garbage, keyFile }, /is not a PEM certificate/],
        [{ certFile, keyFile: garbage }, /is not an unencrypted PEM private key/],
      ];
      for (const [tls, message] of cases) {
        await assert.rejects(startTestServer({ dataDir: data.dir, tls }), (err: unknown) => {
          assert.ok(err instanceof TlsStartError, String(err));
          assert.match(err.message, message);
          return true;
        });
      }
      // A failed start released the data directory: the next start works.
      const after = await startTestServer({ dataDir: data.dir });
      await after.close();
    } finally {
      data.remove();
      dir.remove();
    }
  });
});
