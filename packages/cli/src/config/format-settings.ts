import type { ResolvedSetting, Settings } from './resolve-settings.js';

/** What `baton config --json` prints: each setting's value (secrets redacted) and origin. */
export function settingsAsJson(settings: Settings): unknown {
  return {
    configFile: {
      path: settings.configFile.path,
      from: settings.configFile.from,
      exists: settings.configFile.exists,
    },
    settings: Object.fromEntries(
      settings.entries.map((e) => [
        e.key,
        { value: shownValue(e), source: e.origin.source, from: e.origin.from },
      ]),
    ),
  };
}

/** What `baton config` prints: one line per setting, its value and where it came from. */
export function settingsAsText(settings: Settings): string {
  const { configFile } = settings;
  const fileLine = configFile.exists
    ? `config file: ${configFile.path} (from ${configFile.from})`
    : `config file: ${configFile.path} (from ${configFile.from}; not present, so none is used)`;
  const rows = settings.entries.map((e) => [e.key, display(e), describeOrigin(e)] as const);
  const keyWidth = Math.max(...rows.map((r) => r[0].length));
  const valueWidth = Math.min(48, Math.max(...rows.map((r) => r[1].length)));
  const lines = rows.map(([k, v, o]) =>
    `  ${k.padEnd(keyWidth)}  ${v.padEnd(valueWidth)}  ${o}`.trimEnd(),
  );
  return `${fileLine}\n\n${lines.join('\n')}\n`;
}

function shownValue(e: ResolvedSetting): unknown {
  if (e.secret) return e.value === undefined ? null : '(redacted)';
  return e.shown ?? e.value ?? null;
}

function display(e: ResolvedSetting): string {
  if (e.secret) return e.value === undefined ? '(not set)' : '(set, redacted)';
  if (e.shown !== undefined) return e.shown;
  const v = e.value;
  if (v === undefined) return '(not set)';
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.length === 0 ? '(none)' : v.join(',');
  return JSON.stringify(v);
}

function describeOrigin(e: ResolvedSetting): string {
  switch (e.origin.source) {
    case 'default':
      return e.origin.from === 'default' ? 'default' : e.origin.from;
    case 'file':
      return `file ${e.origin.from}`;
    case 'env':
      return `env ${e.origin.from}`;
    case 'flag':
      return `flag ${e.origin.from}`;
  }
}
