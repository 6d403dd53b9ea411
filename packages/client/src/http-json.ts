import { ErrorBody } from '@baton/protocol';
import { BatonError } from './baton-error.js';

/** The part of `fetch` the HTTP helpers use; the global `fetch` fits in browsers and Node 20. */
export type HttpFetch = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
) => Promise<{ ok: boolean; status: number; text(): Promise<string> }>;

/**
 * One JSON request to the server's HTTP API. An error answer (`{ error: { code, message } }`)
 * becomes a `BatonError` with the server's code and retry hint, so callers branch on `code`.
 */
export async function requestJson(
  baseUrl: string,
  method: string,
  path: string,
  options: { token?: string | undefined; body?: unknown; fetchImpl?: HttpFetch } = {},
): Promise<unknown> {
  if (!/^https?:\/\//.test(baseUrl)) {
    throw new BatonError(
      'bad_request',
      `baseUrl must be an http(s) URL such as http://127.0.0.1:7777, got '${baseUrl}'`,
    );
  }
  const fetchImpl = options.fetchImpl ?? (globalThis.fetch as unknown as HttpFetch);
  const url = new URL(path, baseUrl).toString();
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
  const init: Parameters<HttpFetch>[1] = { method, headers };
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }
  let response: Awaited<ReturnType<HttpFetch>>;
  try {
    response = await fetchImpl(url, init);
  } catch (error) {
    throw new BatonError(
      'disconnected',
      `could not reach ${new URL(baseUrl).origin}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return answerBody(method, url, response.status, await response.text());
}

/**
 * The JSON body of an HTTP answer; an error answer (`{ error: { code, message } }`) becomes a
 * `BatonError` with the server's code and retry hint.
 */
export function answerBody(method: string, url: string, status: number, text: string): unknown {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new BatonError('bad_reply', `${method} ${url} answered ${status} with a non-JSON body`);
  }
  if (status < 200 || status > 299) {
    const error = ErrorBody.safeParse((body as { error?: unknown } | null)?.error ?? body);
    if (error.success)
      throw new BatonError(error.data.code, error.data.message, error.data.retryAfterMs);
    throw new BatonError('bad_reply', `${method} ${url} failed with status ${status}`);
  }
  return body;
}

/**
 * The `BatonError` of an answer that failed, for callers that read a successful body as bytes
 * (a download): the server's code and message from its error body, else `bad_reply`.
 */
export async function answerRefusal(
  method: string,
  url: string,
  response: { status: number; text(): Promise<string> },
): Promise<BatonError> {
  try {
    answerBody(method, url, response.status, await response.text());
  } catch (error) {
    if (error instanceof BatonError) return error;
  }
  return new BatonError('bad_reply', `${method} ${url} failed with status ${response.status}`);
}
