import type { CDPSession, Page } from 'playwright-core';

/** One request of a page as Chromium's network layer saw it. */
export interface NetworkEntry {
  readonly url: string;
  /** The path of `url`, for matching against built asset names. */
  readonly path: string;
  /** The HTTP status the page sees (200 also for a cached body the server confirmed with 304). */
  status: number;
  /** The status that came over the wire (304 for a revalidation); 0 when nothing was sent. */
  wireStatus: number;
  /** Content-Encoding of the response as it came over the wire ('' for none). */
  encoding: string;
  /** Answered from the memory or disk cache, with no request to the server. */
  fromCache: boolean;
  /** Answered by the service worker. */
  fromServiceWorker: boolean;
  /** Bytes received over the network, headers included (0 from a cache). */
  transferred: number;
}

/**
 * Records every request of `page` through the DevTools protocol, which (unlike Playwright's
 * events) says whether an answer came from the HTTP cache. Entries are kept in request order;
 * `since(mark)` gives those after a point, e.g. a reload.
 */
export class NetworkLog {
  readonly entries: NetworkEntry[] = [];
  private readonly byId = new Map<string, NetworkEntry>();

  private constructor(readonly cdp: CDPSession) {}

  static async record(page: Page): Promise<NetworkLog> {
    const cdp = await page.context().newCDPSession(page);
    const log = new NetworkLog(cdp);
    cdp.on('Network.requestWillBeSent', (e) => {
      const entry: NetworkEntry = {
        url: e.request.url,
        path: new URL(e.request.url).pathname,
        status: 0,
        wireStatus: 0,
        encoding: '',
        fromCache: false,
        fromServiceWorker: false,
        transferred: 0,
      };
      log.byId.set(e.requestId, entry);
      log.entries.push(entry);
    });
    cdp.on('Network.requestServedFromCache', (e) => {
      const entry = log.byId.get(e.requestId);
      if (entry) entry.fromCache = true;
    });
    cdp.on('Network.responseReceived', (e) => {
      const entry = log.byId.get(e.requestId);
      if (!entry) return;
      entry.status = e.response.status;
      const headers = Object.entries(e.response.headers);
      entry.encoding = headers.find(([k]) => k.toLowerCase() === 'content-encoding')?.[1] ?? '';
      if (e.response.fromDiskCache || e.response.fromPrefetchCache) entry.fromCache = true;
      if (e.response.fromServiceWorker) entry.fromServiceWorker = true;
    });
    cdp.on('Network.responseReceivedExtraInfo', (e) => {
      const entry = log.byId.get(e.requestId);
      if (entry) entry.wireStatus = e.statusCode;
    });
    cdp.on('Network.loadingFinished', (e) => {
      const entry = log.byId.get(e.requestId);
      if (entry) entry.transferred = e.encodedDataLength;
    });
    await cdp.send('Network.enable');
    return log;
  }

  /** A point in the log to read from later. */
  mark(): number {
    return this.entries.length;
  }

  /** Entries recorded after `mark`. */
  since(mark: number): NetworkEntry[] {
    return this.entries.slice(mark);
  }

  /** Paths of the built scripts requested after `mark`. */
  scripts(mark = 0): string[] {
    return this.since(mark)
      .filter((e) => e.path.startsWith('/assets/') && e.path.endsWith('.js'))
      .map((e) => e.path);
  }
}
