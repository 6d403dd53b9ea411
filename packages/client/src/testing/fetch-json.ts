/** One HTTP call with a bearer token and a JSON body, for tests that read the answer as is. */
export async function fetchJson<T>(
  url: string,
  token: string,
  method: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as T };
}
