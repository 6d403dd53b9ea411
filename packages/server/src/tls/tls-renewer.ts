import type { Logger } from '../logger.js';
import { loadTls } from './load-tls.js';
import { RENEW_BEFORE_MS } from './self-signed-cert.js';
import type { TlsMaterial, TlsOptions } from './tls-options.js';

/** How often a running server looks at its certificate's end date. */
const CHECK_EVERY_MS = 12 * 3600 * 1000;

/**
 * Keeps a long-running server's certificate valid. A self-signed certificate within 30 days of
 * its end is renewed in place and handed to the server (`setSecureContext`), so new connections
 * get it without a restart; open ones keep theirs. A provided certificate is re-read from its
 * files (an operator's renewal, e.g. by certbot, takes effect the same way) and a warning is
 * logged while it stays close to its end.
 */
export class TlsRenewer {
  #current: TlsMaterial;
  #timer: NodeJS.Timeout | undefined;
  #checking = false;

  constructor(
    initial: TlsMaterial,
    private readonly options: TlsOptions,
    private readonly dataDir: string,
    private readonly host: string,
    private readonly log: Logger,
    private readonly apply: (next: TlsMaterial) => void,
  ) {
    this.#current = initial;
  }

  /** The certificate served now. */
  get current(): TlsMaterial {
    return this.#current;
  }

  start(): void {
    this.#timer = setInterval(() => void this.check(), CHECK_EVERY_MS);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** Renews or reloads when the certificate is close to its end; never throws. */
  async check(now = new Date()): Promise<void> {
    if (this.#checking) return;
    if (this.#current.validTo.getTime() - now.getTime() >= RENEW_BEFORE_MS) return;
    this.#checking = true;
    try {
      const next = await loadTls(this.options, this.dataDir, this.host, this.log, now);
      if (next.fingerprint !== this.#current.fingerprint) {
        this.apply(next);
        this.#current = next;
        this.log.info('serving a renewed TLS certificate', { fingerprint: next.fingerprint });
      } else {
        this.log.warn('the TLS certificate ends soon; renew it', {
          file: next.certFile,
          validTo: next.validTo.toISOString(),
        });
      }
    } catch (err) {
      this.log.warn('could not renew the TLS certificate; still serving the current one', {
        error: (err as Error).message,
      });
    } finally {
      this.#checking = false;
    }
  }
}
