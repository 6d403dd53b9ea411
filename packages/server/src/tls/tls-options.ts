/**
 * How the server speaks TLS (`ServerOptions.tls`). Either a self-signed certificate that baton
 * makes and keeps in its data directory, or a certificate and key the operator provides.
 */
export type TlsOptions = { selfSigned: true } | { certFile: string; keyFile: string };

/** What an https server needs, plus the certificate's SHA-256 fingerprint to show people. */
export interface TlsMaterial {
  cert: string;
  key: string;
  /** SHA-256 of the DER certificate: uppercase hex pairs joined by ':' (as openssl prints it). */
  fingerprint: string;
  /** Where the certificate came from, for the log and `baton serve`'s output. */
  certFile: string;
  /** When the certificate stops being valid. */
  validTo: Date;
}
