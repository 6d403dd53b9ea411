/**
 * Whether an upload is the JSON text of a sealed attachment's envelope (`{"v":1,"kind":
 * "attachment",…}`): what a sealed session requires and a plaintext session refuses. Only the
 * shape is looked at here; the relay verifies the envelope itself before storing it.
 */
export function looksSealedUpload(bytes: Uint8Array): boolean {
  // Envelopes start with '{'; anything else (every image, PDF, most text) is answered at once.
  if (bytes[0] !== 0x7b) return false;
  try {
    const parsed = JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown;
    return (
      typeof parsed === 'object' &&
      parsed !== null &&
      (parsed as { kind?: unknown }).kind === 'attachment' &&
      (parsed as { v?: unknown }).v === 1
    );
  } catch {
    return false;
  }
}
