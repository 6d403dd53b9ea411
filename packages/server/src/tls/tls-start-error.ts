/**
 * A TLS configuration the server cannot start with (a missing file, a key that is not the
 * certificate's, an expired certificate). Its message says what to fix; `baton serve` prints it
 * and exits 1.
 */
export class TlsStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TlsStartError';
  }
}
