/**
 * A sensible default name for this device from its user agent: what a person would call it in
 * a devices list ("iPhone", "Pixel", "Chrome on Linux"). The user can change it before pairing.
 */
export function suggestDeviceName(userAgent: string): string {
  const ua = userAgent;
  if (/iPhone/.test(ua)) return 'iPhone';
  if (/iPad/.test(ua)) return 'iPad';
  const pixel = /\b(Pixel(?: \w+)?)/.exec(ua);
  if (pixel?.[1]) return pixel[1].replace(/ Build$/, '');
  if (/Android/.test(ua)) {
    // "Linux; Android 14; SM-S918B)": the model follows the Android version.
    const model = /Android [\d.]+; ([^;)]+?)(?: Build[^;)]*)?[;)]/.exec(ua)?.[1]?.trim();
    if (/^SM-/.test(model ?? '')) return 'Samsung phone';
    return model && model !== 'K' ? model : 'Android phone';
  }
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /Firefox\//.test(ua)
      ? 'Firefox'
      : /Chrome\//.test(ua)
        ? 'Chrome'
        : /Safari\//.test(ua)
          ? 'Safari'
          : 'Browser';
  const os = /Windows/.test(ua)
    ? 'Windows'
    : /Mac OS X|Macintosh/.test(ua)
      ? 'Mac'
      : /CrOS/.test(ua)
        ? 'ChromeOS'
        : /Linux/.test(ua)
          ? 'Linux'
          : undefined;
  return os ? `${browser} on ${os}` : browser;
}
