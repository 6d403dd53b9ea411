import type { ServiceSpec } from './service-spec.js';

export const LAUNCHD_LABEL = 'baton';

/**
 * The launchd agent: started at login (RunAtLoad), restarted if it exits with a failure, its
 * output in `logFile` (under ~/Library/Logs/baton, where Console.app finds it).
 */
export function launchdPlist(spec: ServiceSpec, logFile: string): string {
  const str = (s: string) => `<string>${escapeXml(s)}</string>`;
  const env = Object.entries(spec.env)
    .map(([k, v]) => `      <key>${escapeXml(k)}</key>\n      ${str(v)}`)
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
  <dict>
    <key>Label</key>
    ${str(LAUNCHD_LABEL)}
    <key>ProgramArguments</key>
    <array>
${spec.argv.map((a) => `      ${str(a)}`).join('\n')}
    </array>
    <key>EnvironmentVariables</key>
    <dict>
${env}
    </dict>
    <key>RunAtLoad</key>
    <true/>
    <key>KeepAlive</key>
    <dict>
      <key>SuccessfulExit</key>
      <false/>
    </dict>
    <key>ExitTimeOut</key>
    <integer>30</integer>
    <key>StandardOutPath</key>
    ${str(logFile)}
    <key>StandardErrorPath</key>
    ${str(logFile)}
  </dict>
</plist>
`;
}

function escapeXml(s: string): string {
  // XML 1.0 cannot carry most control characters at all, escaped or not.
  if (/[\x00-\x08\x0b\x0c\x0e-\x1f]/.test(s))
    throw new Error(`a launchd plist value cannot hold control characters: ${JSON.stringify(s)}`);
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}
